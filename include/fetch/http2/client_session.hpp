#pragma once
// The HTTP/2 client protocol without I/O: an nghttp2 client session with fetch's callbacks,
// limits and verdicts. Bytes from the server go in (receive), bytes for the server come out
// (output), and each request's stream reports into an H2Stream that its URL's coroutine
// owns. Http2Connection (connection.hpp) adds the socket and the waiting; the unit tests and
// the fuzz target drive this class directly.
//
// nghttp2 keeps the protocol's state: HPACK, flow control, stream states, and HTTP messaging
// rules (pseudo-headers, forbidden connection headers, content-length against DATA). This
// class adds what a client that must survive any server needs: bounds (header list size,
// CONTINUATION frames, empty DATA frames), and one plain verdict per stream, in fetch's error
// vocabulary, naming the RFC 9113 error and who sent it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fetch/core/error.hpp"

struct nghttp2_session;

namespace fetch {

class BodySink;
class RequestSpec;
struct Target;

struct Http2Limits {
  // Receive windows sized for bulk (a 256 MiB body must run at least as fast as over
  // HTTP/1.1). Data is handed to the body sink as it arrives and the window given back at
  // once, so a large window costs no memory.
  std::uint32_t stream_window = 8u * 1024 * 1024;
  std::uint32_t connection_window = 64u * 1024 * 1024;
  std::uint32_t max_header_list = 64 * 1024;  // one response's header fields, decoded, in all
  std::size_t max_continuations = 8;          // CONTINUATION frames after one HEADERS
  std::size_t max_empty_data = 100;           // empty DATA frames on one stream (a flood)
  // Streams assumed allowed before the server's SETTINGS arrive (RFC 9113 leaves it
  // unlimited; nghttp2 advises 100).
  std::uint32_t initial_max_streams = 100;
};

// One request's stream, owned by the coroutine that waits for it. The session fills it in
// and marks it closed exactly once, with or without a failure.
struct H2Stream {
  using Clock = std::chrono::steady_clock;
  using Wake = void (*)(H2Stream& stream) noexcept;

  // Set before submitting.
  BodySink* body = nullptr;
  bool head_request = false;  // HEAD: the response has no body whatever its content-length
  Wake wake = nullptr;        // called once, when the stream closes
  void* waiter = nullptr;     // for `wake`

  // The final response's head, once it arrived (1xx responses are skipped).
  unsigned status = 0;
  std::optional<std::uint64_t> content_length;
  std::string location;
  std::optional<Clock::time_point> first_byte;  // of the first frame for this stream

  bool closed = false;
  std::optional<FetchError> failure;
  // The server cannot have acted on the request (REFUSED_STREAM, a stream above a GOAWAY's
  // last id, a connection that died before any frame for it): the same request may go again.
  bool retry_safe = false;
  bool http1_required = false;  // HTTP_1_1_REQUIRED: only HTTP/1.1 will do for it

  // Bookkeeping of the session's verdicts.
  std::int32_t id = -1;
  bool head_done = false;            // the final response's HEADERS ended
  bool end_stream = false;           // the server ended its side (END_STREAM)
  bool reset_by_peer = false;        // it sent RST_STREAM
  std::uint64_t data_bytes = 0;      // DATA payload accepted
  std::uint64_t data_announced = 0;  // DATA frame lengths seen, accepted or not
  std::size_t header_bytes = 0;      // of the current header block, as RFC 9113 counts them
  std::size_t empty_data = 0;
  std::string content_encoding;
  std::string invalid;  // what nghttp2 found wrong with a frame for it, if anything
};

class Http2ClientSession {
 public:
  // Starts a client session: queues the connection preface and SETTINGS (push off, the
  // windows and header list limit of `limits`) and the connection's WINDOW_UPDATE.
  explicit Http2ClientSession(Http2Limits limits = {});
  ~Http2ClientSession();
  Http2ClientSession(const Http2ClientSession&) = delete;
  Http2ClientSession& operator=(const Http2ClientSession&) = delete;

  // Queues a request for `target` on a new stream that reports into `stream`; its headers
  // are `spec`'s, lower-cased, without those HTTP/2 forbids. False (with stream.failure set,
  // and the stream closed) when the session cannot take it.
  bool submit(const RequestSpec& spec, const Target& target, H2Stream& stream);
  // The server sent `bytes`. False once the connection is unusable: the remaining streams
  // have then been failed (see fail_all).
  bool receive(std::string_view bytes);
  // What to send next, empty when nothing is queued. The view lives until the next call.
  std::string_view output();
  // Ends `stream` with `failure` and resets it (RST_STREAM CANCEL) if it is still open:
  // its deadline passed, or its owner gave up on it. The session never touches it again.
  void cancel(H2Stream& stream, FetchError failure);
  // The transport ended (the server closed it, a read or write failed, or fetch closed it):
  // `how` says which. Every stream still open closes with the best reason known (a GOAWAY's
  // error, a protocol error found, or `how`); those that received nothing are safe to retry.
  void end(std::string_view how);
  // Queues a GOAWAY (NO_ERROR, the last stream the server opened): fetch is done with the
  // connection. No new stream starts on it.
  void go_away();

  // The session may still read or write (nghttp2 is done after a GOAWAY both ways).
  bool alive() const noexcept;
  // A new stream may start: alive, no GOAWAY either way, a stream to spare under the
  // server's SETTINGS_MAX_CONCURRENT_STREAMS, and stream ids left.
  bool can_take_request() const noexcept;
  // All that keeps a new stream from starting is the server's stream limit: one of the
  // streams open will close and make room.
  bool at_stream_limit() const noexcept;
  std::size_t open_streams() const noexcept { return streams_.size(); }
  // Frames queued for output (output() gives their bytes).
  std::size_t queued_frames() const noexcept;
  // Why the connection ended, once it did; the streams' failures say it too.
  const std::optional<FetchError>& failure() const noexcept { return failure_; }

 private:
  struct Callbacks;  // nghttp2's C callbacks, friends of this class

  // Alive, no GOAWAY either way, stream ids left: only the server's limit may stand in the way.
  bool may_open_streams() const noexcept;
  // Fewer streams open than the server's SETTINGS_MAX_CONCURRENT_STREAMS.
  bool below_stream_limit() const noexcept;
  H2Stream* stream_of(std::int32_t id) const;
  void head_received(H2Stream& stream);
  void reset(H2Stream& stream, FetchError failure, std::uint32_t code);
  void verdict(H2Stream& stream, std::uint32_t error_code);
  void close_stream(H2Stream& stream);
  // Why the connection ended: `library_error` from nghttp2 (0: none), else `how`.
  FetchError end_reason(int library_error, std::string_view how) const;
  void fail_all(const FetchError& reason);
  void connection_failed(FetchError reason);

  Http2Limits limits_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<std::int32_t, H2Stream*> streams_;  // open streams
  // Request bodies still being sent, by stream id.
  struct Upload {
    std::shared_ptr<const std::string> body;
    std::size_t sent = 0;
  };
  std::unordered_map<std::int32_t, Upload> uploads_;
  std::optional<FetchError> failure_;
  // What ended the connection, as it became known: a GOAWAY the server sent, an error of
  // ours, or the library's (for a clear message when the session fails).
  std::optional<std::uint32_t> goaway_error_;
  std::string goaway_debug_;
  std::optional<std::uint32_t> sent_goaway_error_;
  std::string sent_goaway_debug_;
  std::string last_error_;            // nghttp2's words for the latest thing it refused
  std::string limit_exceeded_;        // a limit of ours that ended the connection
  std::size_t continuations_ = 0;     // CONTINUATION frames of the current header block
  std::vector<std::string> lowered_;  // scratch: header names in lower case
};

}  // namespace fetch
