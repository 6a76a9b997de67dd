#pragma once
// Where a response body goes: fed by the HTTP/1.1 parser (and by HTTP/2's data frames) as
// bytes arrive, decoded as a stream when the response names a content coding, counted, never
// stored. One sink per URL, started afresh for each response.
//
//   wire bytes -> [decoder of the last coding] -> [decoder of the first] -> counted [-> saved]
//
// With --output-dir (save_into) the end of the chain also writes the bytes to a file: the
// decoded body when a coding was undone, as it came otherwise (see saved_file.hpp).
//
// Guards against decompression bombs: --max-filesize bounds the decoded bytes as well as the
// wire bytes; past 1 MiB decoded, a body may not grow more than 1000 times its wire size; at
// most two codings are undone; zstd windows are capped at 8 MiB (RFC 9659); and every decoder
// of the run allocates from one budget (decoder_memory.hpp).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/body/decoder.hpp"
#include "fetch/body/saved_file.hpp"
#include "fetch/core/error.hpp"
#include "fetch/core/status.hpp"

namespace fetch {

class BodySink {
 public:
  // A body decoded to this many bytes may not be more than kMaxRatio times its wire size.
  static constexpr std::uint64_t kRatioFreeBytes = 1024 * 1024;
  static constexpr std::uint64_t kMaxRatio = 1000;

  // `max_bytes`: --max-filesize, or none. `redirects_followed`: a redirect with a Location
  // will be followed (or fail as a redirect), so its body is not what the user keeps and the
  // limit does not apply to it. `memory`: where decoders allocate; null: nothing is decoded.
  explicit BodySink(std::optional<std::uint64_t> max_bytes = std::nullopt,
                    bool redirects_followed = false, DecoderMemory* memory = nullptr);
  ~BodySink();
  BodySink(BodySink&&) noexcept;
  BodySink& operator=(BodySink&&) noexcept;

  // The size limit the protocol enforces on the wire bytes of the current response (a
  // Content-Length above it fails at once), or none.
  std::optional<std::uint64_t> limit() const noexcept {
    return limited_ ? max_bytes_ : std::nullopt;
  }

  // A new hop: nothing received yet.
  void reset() noexcept;
  // The final response of a hop begins, with this status, Location (present or not) and
  // Content-Encoding (as sent, or empty). `has_body`: false for HEAD, 204 and 304, whose
  // codings describe a body that is not there. May fail: more than two codings.
  bool start(unsigned status, bool has_location, std::string_view content_encoding, bool has_body);
  // Body bytes as they arrived, after the protocol's own framing (chunks, DATA frames).
  // False once the body failed (failure() says why): decoding, or a limit.
  bool data(std::string_view wire);
  // The body ended: a coded stream must have ended with it. False when it failed.
  bool finish();

  const std::optional<DecodeFailure>& failure() const noexcept { return failure_; }
  std::uint64_t wire_bytes() const noexcept { return wire_bytes_; }
  // Bytes after undoing the codings; the wire bytes when nothing was decoded.
  std::uint64_t decoded_bytes() const noexcept {
    return decoders_.empty() ? wire_bytes_ : decoded_bytes_;
  }
  // The codings the response named, normalised ("gzip", "br, gzip", "compress"), or empty.
  const std::string& content_encoding() const noexcept { return encoding_; }
  // --output-dir: the final response's body is saved in `dir` as `name` when it can make an
  // ok record (a status below 400, not a redirect that is followed). A failure to save fails
  // the body (save_failed).
  void save_into(OutputDir& dir, std::string name);
  // "DIR/NAME" once the body was saved whole; empty otherwise.
  const std::string& saved_as() const noexcept { return saved_as_; }

  // When start() was called for the current response (its head had arrived), if it was.
  std::optional<std::chrono::steady_clock::time_point> started_at() const noexcept {
    return started_at_;
  }

 private:
  class Stage;
  bool fail(errc code, std::string message);
  bool count(std::string_view decoded);  // the end of the chain
  bool save(std::string_view body);      // after the count, with --output-dir

  std::optional<std::uint64_t> max_bytes_;
  bool redirects_followed_;
  DecoderMemory* memory_;
  bool limited_ = true;
  std::uint64_t wire_bytes_ = 0;
  std::uint64_t decoded_bytes_ = 0;
  std::string encoding_;
  std::vector<std::unique_ptr<Decoder>> decoders_;  // in the order they are undone
  std::vector<std::unique_ptr<Stage>> stages_;      // what each decoder writes to
  std::optional<DecodeFailure> failure_;
  std::optional<std::chrono::steady_clock::time_point> started_at_;
  OutputDir* save_dir_ = nullptr;
  std::string save_name_;
  std::unique_ptr<SavedFile> saving_;  // the current response's body, being written
  std::string saved_as_;
};

}  // namespace fetch
