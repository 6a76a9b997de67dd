#pragma once
// Parses one HTTP/1.1 response from bytes, sans I/O: the head (status line and fields), the
// framing of its body (RFC 9112 section 6.3, in one place), and the body, whose bytes go to a
// BodySink as they are parsed. Interim 1xx responses are skipped. Only what fetch reports is
// kept: the status, Content-Length, Location, Content-Encoding, Retry-After and whether the
// connection may carry another request. No body byte is copied; a head costs one small buffer at
// most.
//
// Lenient where every mainstream client is (curl, browsers, Go, Python): lines may end in a
// bare LF (RFC 9112 2.2), the reason phrase may be missing, fields may be folded (obs-fold,
// replaced by a space) or carry whitespace before the colon, duplicate Content-Length values
// that agree are one. Strict where leniency would let a server make fetch misread a response:
// a bare CR, a NUL in a field, Content-Lengths that disagree, chunked applied twice or not
// last; and once Transfer-Encoding is present, Content-Length is never trusted, whatever the
// order of the fields.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fetch/body/body_sink.hpp"
#include "fetch/core/error.hpp"

namespace fetch {

class ResponseParser {
 public:
  // A response head (status line and fields) larger than this is refused. curl accepts
  // 100 KiB; Beast's default of 8 KiB rejected real sites.
  static constexpr std::size_t kMaxHead = 64 * 1024;

  // Why a response could not be read, and what to tell the user.
  struct Failure {
    errc code;            // bad_response, bad_body, body_truncated or body_too_large
    std::string message;  // one line: "bad response header: ...", "body truncated: ..."
  };

  // `body` receives the final response's body bytes and must outlive the parser. `head`:
  // the request was HEAD, so the response has no body whatever it declares (RFC 9110 9.3.2).
  ResponseParser(BodySink& body, bool head);

  // Parses what it can of `input`, the bytes that follow those consumed so far, and returns
  // how many it consumed: all of them, unless the response ended (done()) or failed
  // (failure()) before their end. Bytes after the end of the response are left alone.
  std::size_t parse(std::string_view input);
  // The connection ended after the bytes parsed so far: cleanly (`cut` empty: a FIN on TCP,
  // close_notify on TLS) or not (`cut` says how: "TLS connection cut without close_notify",
  // a reset). Completes a body that runs until the connection closes, when it closed
  // cleanly; otherwise fails: the head or the body was cut short.
  void end_of_stream(std::string_view cut);

  bool done() const noexcept { return state_ == State::done; }
  const std::optional<Failure>& failure() const noexcept { return failure_; }
  // The final (non-1xx) head has been parsed: everything below describes that response.
  bool head_complete() const noexcept { return head_complete_; }

  // The status of the response being parsed, from its status line on; 0 before one arrived.
  // Kept when the rest of the head is refused.
  unsigned status() const noexcept { return status_; }
  // Its Content-Length, unless Transfer-Encoding overrides it or it had none.
  const std::optional<std::uint64_t>& content_length() const noexcept { return content_length_; }
  const std::string& location() const noexcept { return location_; }          // the first
  const std::string& content_encoding() const noexcept { return encoding_; }  // as sent
  const std::string& retry_after() const noexcept { return retry_after_; }    // the first
  bool chunked() const noexcept { return framing_ == Framing::chunked; }
  // The response ended cleanly, its framing was unambiguous and the server keeps the
  // connection: it may carry another request (unless bytes follow the response).
  bool keep_alive() const noexcept { return state_ == State::done && keep_alive_; }
  // Body bytes of the final response received so far, after chunked decoding.
  std::uint64_t body_bytes() const noexcept { return body_bytes_; }
  // Every byte consumed, heads and framing included (0: nothing of any response arrived).
  std::uint64_t bytes_consumed() const noexcept { return consumed_; }

 private:
  enum class State {
    status_line,
    field_line,
    length_body,
    close_body,  // runs until the connection closes
    chunk_size,
    chunk_data,
    chunk_end,  // the line break after a chunk's data
    trailer_line,
    done,
    failed,
  };
  enum class Framing { none, length, chunked, until_close };
  // The fields fetch interprets; the others are skipped.
  enum class Field {
    other,
    content_length,
    transfer_encoding,
    connection,
    location,
    encoding,
    retry_after
  };

  // The next complete line (without its line break) from input[at...], or nothing when the
  // line goes on past the input; then the part seen is kept in line_. Advances `at`.
  // Sets `too_long` when the line would pass `limit`.
  std::optional<std::string_view> next_line(std::string_view input, std::size_t& at,
                                            std::size_t limit, bool& too_long);
  void on_head_line(std::string_view line);  // status, field or trailer line
  void reject_partial_status_line();
  void on_status_line(std::string_view line);
  void on_field_line(std::string_view line);
  void on_field(Field field, std::string_view value, bool continuation);
  void on_head_end();
  void choose_framing();
  void on_chunk_size_line(std::string_view line);
  std::size_t on_body_bytes(std::string_view bytes);
  void start_head();
  void fail(errc code, std::string message);
  void fail_from_body();  // the sink failed: decoding, or a decoded limit
  void body_done();       // the body ended: done, unless its decoding was cut short
  void fail_head(std::string_view reason);
  bool head_too_large(std::size_t more);

  BodySink& body_;
  bool head_request_;
  State state_ = State::status_line;
  std::optional<Failure> failure_;
  std::string line_;  // a line split across parse() calls
  std::size_t head_bytes_ = 0;
  std::uint64_t consumed_ = 0;

  // The response being parsed.
  unsigned status_ = 0;
  bool http10_ = false;
  bool head_complete_ = false;
  Field last_field_ = Field::other;  // for a folded continuation line
  bool fields_seen_ = false;
  std::optional<std::uint64_t> content_length_;
  bool content_length_seen_ = false;
  std::string transfer_codings_;  // comma-separated, as the fields listed them
  bool transfer_encoding_seen_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  unsigned location_fields_ = 0;
  std::string location_;
  std::string encoding_;
  std::string retry_after_;
  bool retry_after_seen_ = false;
  Framing framing_ = Framing::none;
  bool keep_alive_ = false;
  std::uint64_t remaining_ = 0;  // of the body (length) or of the chunk
  std::uint64_t body_bytes_ = 0;
};

}  // namespace fetch
