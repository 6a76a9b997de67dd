#pragma once
// Where a response body goes: fed by the HTTP/1.1 parser (and later HTTP/2's data frames)
// as bytes arrive, counted, never stored. One sink per URL, started afresh for each response.
//
// Today it counts the bytes on the wire and enforces --max-filesize. Content decoding
// (gzip, br, zstd) and saving bodies are stages this chain will grow, behind the same calls.

#include <cstdint>
#include <optional>
#include <string_view>

namespace fetch {

class BodySink {
 public:
  // `max_bytes`: --max-filesize, or none.
  explicit BodySink(std::optional<std::uint64_t> max_bytes = std::nullopt) noexcept
      : max_bytes_(max_bytes) {}

  // The size limit a protocol enforces while it reads (Content-Length above it fails early).
  std::optional<std::uint64_t> limit() const noexcept { return max_bytes_; }

  // A new response begins: counts start again from zero.
  void start() noexcept { wire_bytes_ = 0; }
  // Body bytes as they arrived, after the protocol's own framing (chunks, DATA frames).
  void data(std::string_view wire) noexcept { wire_bytes_ += wire.size(); }

  std::uint64_t wire_bytes() const noexcept { return wire_bytes_; }

 private:
  std::optional<std::uint64_t> max_bytes_;
  std::uint64_t wire_bytes_ = 0;
};

}  // namespace fetch
