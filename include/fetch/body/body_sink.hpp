#pragma once
// Where a response body goes: fed by the HTTP/1.1 parser (and later HTTP/2's data frames)
// as bytes arrive, counted, never stored. One sink per URL, started afresh for each response.
//
// Today it counts the bytes on the wire and knows the --max-filesize limit. Content decoding
// (gzip, br, zstd) and saving bodies are stages this chain will grow, behind the same calls.

#include <cstdint>
#include <optional>
#include <string_view>

#include "fetch/core/status.hpp"

namespace fetch {

class BodySink {
 public:
  // `max_bytes`: --max-filesize, or none. `redirects_followed`: a redirect with a Location
  // will be followed (or fail as a redirect), so its body is not what the user keeps and the
  // limit does not apply to it.
  explicit BodySink(std::optional<std::uint64_t> max_bytes = std::nullopt,
                    bool redirects_followed = false) noexcept
      : max_bytes_(max_bytes), redirects_followed_(redirects_followed) {}

  // The size limit the protocol enforces while it reads the current response (a
  // Content-Length above it fails at once), or none.
  std::optional<std::uint64_t> limit() const noexcept {
    return limited_ ? max_bytes_ : std::nullopt;
  }

  // A new hop: nothing received yet.
  void reset() noexcept {
    wire_bytes_ = 0;
    limited_ = true;
  }
  // The final response of a hop begins, with this status: counts start again from zero.
  void start(unsigned status, bool has_location) noexcept {
    wire_bytes_ = 0;
    limited_ = !(redirects_followed_ && is_redirect(status) && has_location);
  }
  // Body bytes as they arrived, after the protocol's own framing (chunks, DATA frames).
  void data(std::string_view wire) noexcept { wire_bytes_ += wire.size(); }

  std::uint64_t wire_bytes() const noexcept { return wire_bytes_; }

 private:
  std::optional<std::uint64_t> max_bytes_;
  bool redirects_followed_;
  bool limited_ = true;
  std::uint64_t wire_bytes_ = 0;
};

}  // namespace fetch
