#include "fetch/http2/client_session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <new>
#include <utility>

#include "fetch/body/body_sink.hpp"
#include "fetch/core/request.hpp"
#include "fetch/input/url.hpp"
#include "nghttp2.hpp"

namespace fetch {

namespace {

// RFC 9113 section 7: each error code, its name and fetch's code for it.
struct RfcError {
  std::uint32_t value;
  std::string_view name;
  errc code;
};
constexpr std::array kRfcErrors{
    RfcError{NGHTTP2_PROTOCOL_ERROR, "PROTOCOL_ERROR", errc::h2_protocol_error},
    RfcError{NGHTTP2_INTERNAL_ERROR, "INTERNAL_ERROR", errc::h2_internal_error},
    RfcError{NGHTTP2_FLOW_CONTROL_ERROR, "FLOW_CONTROL_ERROR", errc::h2_flow_control_error},
    RfcError{NGHTTP2_SETTINGS_TIMEOUT, "SETTINGS_TIMEOUT", errc::h2_settings_timeout},
    RfcError{NGHTTP2_STREAM_CLOSED, "STREAM_CLOSED", errc::h2_stream_closed},
    RfcError{NGHTTP2_FRAME_SIZE_ERROR, "FRAME_SIZE_ERROR", errc::h2_frame_size_error},
    RfcError{NGHTTP2_REFUSED_STREAM, "REFUSED_STREAM", errc::h2_refused_stream},
    RfcError{NGHTTP2_CANCEL, "CANCEL", errc::h2_cancel},
    RfcError{NGHTTP2_COMPRESSION_ERROR, "COMPRESSION_ERROR", errc::h2_compression_error},
    RfcError{NGHTTP2_CONNECT_ERROR, "CONNECT_ERROR", errc::h2_connect_error},
    RfcError{NGHTTP2_ENHANCE_YOUR_CALM, "ENHANCE_YOUR_CALM", errc::h2_enhance_your_calm},
    RfcError{NGHTTP2_INADEQUATE_SECURITY, "INADEQUATE_SECURITY", errc::h2_inadequate_security},
    RfcError{NGHTTP2_HTTP_1_1_REQUIRED, "HTTP_1_1_REQUIRED", errc::h2_http_1_1_required},
};

// An unknown code is treated as INTERNAL_ERROR (RFC 9113 section 7), but named as it came.
RfcError rfc_error(std::uint32_t value) {
  for (const RfcError& error : kRfcErrors) {
    if (error.value == value) return error;
  }
  return {value, "unknown error code", errc::h2_internal_error};
}

std::string rfc_name(std::uint32_t value) {
  const RfcError error = rfc_error(value);
  return error.name == "unknown error code" ? fmt::format("error code {:#x}", value)
                                            : std::string{error.name};
}

// nghttp2 1.61 limits CONTINUATION frames itself (CVE-2024-28182), as Debian's 1.52 does
// since a security update; its error code for that is not in older headers.
constexpr int kTooManyContinuations = -905;

// A server's GOAWAY debug data, as a message may quote it: printable ASCII, 100 bytes.
std::string printable(const std::uint8_t* data, std::size_t size) {
  std::string text;
  for (std::size_t i = 0; i < size && text.size() < 100; ++i) {
    const char c = static_cast<char>(data[i]);
    text.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return text;
}

std::string_view frame_name(std::uint8_t type) {
  static constexpr std::array<std::string_view, 10> kNames{
      "DATA",         "HEADERS", "PRIORITY", "RST_STREAM",    "SETTINGS",
      "PUSH_PROMISE", "PING",    "GOAWAY",   "WINDOW_UPDATE", "CONTINUATION"};
  return type < kNames.size() ? kNames[type] : std::string_view{"unknown"};
}

std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Header fields HTTP/2 forbids in requests (RFC 9113 8.2.2); TE is allowed as "trailers".
bool forbidden_in_h2(std::string_view lowered, std::string_view value) {
  return lowered == "connection" || lowered == "keep-alive" || lowered == "proxy-connection" ||
         lowered == "transfer-encoding" || lowered == "upgrade" ||
         (lowered == "te" && value != "trailers");
}

nghttp2_nv field(std::string_view name, std::string_view value,
                 std::uint8_t flags = NGHTTP2_NV_FLAG_NONE) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
          value.size(), flags};
}

std::string lower(std::string_view text) {
  std::string lowered{text};
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  });
  return lowered;
}

}  // namespace

// nghttp2 calls these from inside receive() and output(); each finds its session in
// `user_data` and its stream by the frame's stream id. They only update state and wake.
struct Http2ClientSession::Callbacks {
  static Http2ClientSession& self(void* user_data) {
    return *static_cast<Http2ClientSession*>(user_data);
  }

  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data) {
    Http2ClientSession& session = self(user_data);
    if (hd->type == NGHTTP2_HEADERS || hd->type == NGHTTP2_PUSH_PROMISE) {
      session.continuations_ = 0;
    } else if (hd->type == NGHTTP2_CONTINUATION &&
               ++session.continuations_ > session.limits_.max_continuations) {
      session.limit_exceeded_ = fmt::format("more than {} CONTINUATION frames after one HEADERS",
                                            session.limits_.max_continuations);
      return NGHTTP2_ERR_CALLBACK_FAILURE;  // the connection cannot go on: end it
    }
    H2Stream* stream = session.stream_of(hd->stream_id);
    if (stream == nullptr) return 0;
    stream->first_byte = stream->first_byte.value_or(H2Stream::Clock::now());
    if (hd->type == NGHTTP2_DATA) {
      stream->data_announced += hd->length;
      stream->end_stream = stream->end_stream || (hd->flags & NGHTTP2_FLAG_END_STREAM) != 0;
    } else if (hd->type == NGHTTP2_HEADERS) {
      stream->end_stream = stream->end_stream || (hd->flags & NGHTTP2_FLAG_END_STREAM) != 0;
    }
    return 0;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (H2Stream* stream = self(user_data).stream_of(frame->hd.stream_id)) {
      stream->header_bytes = 0;
    }
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t /*flags*/, void* user_data) {
    Http2ClientSession& session = self(user_data);
    H2Stream* stream = session.stream_of(frame->hd.stream_id);
    if (stream == nullptr) return 0;
    // RFC 9113 6.5.2 counts each field as its name and value plus 32 octets.
    stream->header_bytes += name_length + value_length + 32;
    if (stream->header_bytes > session.limits_.max_header_list) {
      session.reset(*stream,
                    {Stage::read, errc::bad_response,
                     fmt::format("response header fields larger than {} KiB",
                                 session.limits_.max_header_list / 1024)},
                    NGHTTP2_ENHANCE_YOUR_CALM);
      return 0;  // the rest of the block is decoded (HPACK needs it) and ignored
    }
    if (stream->head_done) return 0;  // trailers: counted, not kept
    const std::string_view key = as_text(name, name_length);
    const std::string_view text = as_text(value, value_length);
    if (key == ":status") {
      // nghttp2 has checked that it is three digits.
      std::from_chars(text.data(), text.data() + text.size(), stream->status);
    } else if (key == "content-length") {
      std::uint64_t length = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), length).ec == std::errc{}) {
        stream->content_length = length;
      }
    } else if (key == "location") {
      stream->location.assign(text);
    } else if (key == "content-encoding") {
      if (!stream->content_encoding.empty()) stream->content_encoding.append(", ");
      stream->content_encoding.append(text);
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2ClientSession& session = self(user_data);
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      session.goaway_error_ = frame->goaway.error_code;
      session.goaway_debug_ = printable(frame->goaway.opaque_data, frame->goaway.opaque_data_len);
      return 0;
    }
    H2Stream* stream = session.stream_of(frame->hd.stream_id);
    if (stream == nullptr) return 0;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS:
        if (!stream->head_done) session.head_received(*stream);
        break;
      case NGHTTP2_DATA:
        if (frame->hd.length == 0 && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0 &&
            ++stream->empty_data > session.limits_.max_empty_data) {
          session.reset(*stream,
                        {Stage::read, errc::h2_enhance_your_calm,
                         fmt::format("more than {} empty DATA frames on one stream (a flood)",
                                     session.limits_.max_empty_data)},
                        NGHTTP2_ENHANCE_YOUR_CALM);
        }
        break;
      case NGHTTP2_RST_STREAM:
        stream->reset_by_peer = true;
        break;
      default:
        break;
    }
    return 0;
  }

  static int on_data_chunk_recv(nghttp2_session*, std::uint8_t /*flags*/, std::int32_t stream_id,
                                const std::uint8_t* data, std::size_t length, void* user_data) {
    Http2ClientSession& session = self(user_data);
    H2Stream* stream = session.stream_of(stream_id);
    if (stream == nullptr) return 0;
    stream->data_bytes += length;
    if (!stream->body->data(as_text(data, length))) {
      const DecodeFailure& failure = *stream->body->failure();
      session.reset(*stream, {Stage::read, failure.code, failure.message}, NGHTTP2_CANCEL);
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                             void* user_data) {
    Http2ClientSession& session = self(user_data);
    session.uploads_.erase(stream_id);
    if (H2Stream* stream = session.stream_of(stream_id)) {
      session.verdict(*stream, error_code);
      session.close_stream(*stream);
    }
    return 0;
  }

  // The next piece of a request body, as much as the windows and the frame allow.
  static ssize_t read_upload(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buffer,
                             std::size_t length, std::uint32_t* flags, nghttp2_data_source*,
                             void* user_data) {
    Http2ClientSession& session = self(user_data);
    const auto found = session.uploads_.find(stream_id);
    if (found == session.uploads_.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    Upload& upload = found->second;
    const std::size_t size = std::min(length, upload.body->size() - upload.sent);
    std::memcpy(buffer, upload.body->data() + upload.sent, size);
    upload.sent += size;
    if (upload.sent == upload.body->size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(size);
  }

  static int on_invalid_frame_recv(nghttp2_session*, const nghttp2_frame* frame, int lib_error_code,
                                   void* user_data) {
    Http2ClientSession& session = self(user_data);
    if (H2Stream* stream = session.stream_of(frame->hd.stream_id)) {
      stream->invalid = nghttp2_strerror(lib_error_code);
    }
    session.last_error_ = fmt::format("{} frame on stream {}: {}", frame_name(frame->hd.type),
                                      frame->hd.stream_id, nghttp2_strerror(lib_error_code));
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      // nghttp2 says in the debug data why it ends the connection ("DATA: stream in idle").
      Http2ClientSession& session = self(user_data);
      session.sent_goaway_error_ = frame->goaway.error_code;
      session.sent_goaway_debug_ =
          printable(frame->goaway.opaque_data, frame->goaway.opaque_data_len);
    }
    return 0;
  }

  // nghttp2's own words for the latest error it found in what the server sent ("DATA:
  // stream in idle"): the one before a GOAWAY of ours says why the connection ended.
  static int on_error(nghttp2_session*, int /*lib_error_code*/, const char* message,
                      std::size_t length, void* user_data) {
    self(user_data).last_error_.assign(message, std::min<std::size_t>(length, 200));
    return 0;
  }
};

Http2ClientSession::Http2ClientSession(Http2Limits limits) : limits_(limits) {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) throw std::bad_alloc{};
  nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, Callbacks::on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                            Callbacks::on_data_chunk_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks,
                                                               Callbacks::on_invalid_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, Callbacks::on_frame_send);
  nghttp2_session_callbacks_set_error_callback2(callbacks, Callbacks::on_error);

  nghttp2_option* options = nullptr;
  if (nghttp2_option_new(&options) != 0) {
    nghttp2_session_callbacks_del(callbacks);
    throw std::bad_alloc{};
  }
  nghttp2_option_set_peer_max_concurrent_streams(options, limits_.initial_max_streams);
  const int created = nghttp2_session_client_new2(&session_, callbacks, this, options);
  nghttp2_option_del(options);
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0) throw std::bad_alloc{};

  const std::array<nghttp2_settings_entry, 3> settings{{
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits_.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits_.max_header_list},
  }};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<std::int32_t>(limits_.connection_window));
}

Http2ClientSession::~Http2ClientSession() { nghttp2_session_del(session_); }

bool Http2ClientSession::submit(const RequestSpec& spec, const Target& target, H2Stream& stream) {
  if (!can_take_request()) {
    // Nothing was sent: another connection may take it.
    stream.failure = failure_.value_or(FetchError{Stage::read, errc::h2_refused_stream,
                                                  "the HTTP/2 connection was closing (GOAWAY)"});
    stream.retry_safe = true;
    stream.closed = true;
    return false;
  }
  std::string_view authority = spec.host().empty() ? target.host_header : spec.host();
  const std::string* body = spec.body();
  lowered_.clear();
  for (const Header& header : spec.headers()) lowered_.push_back(lower(header.name));
  std::vector<nghttp2_nv> fields;
  fields.reserve(spec.headers().size() + 6);
  for (std::size_t i = 0; i < lowered_.size(); ++i) {
    if (lowered_[i] == "host") authority = spec.headers()[i].value;  // -H 'Host: ...'
  }
  fields.push_back(field(":method", spec.method()));
  fields.push_back(field(":scheme", target.origin.tls() ? "https" : "http"));
  fields.push_back(field(":authority", authority));
  fields.push_back(field(":path", target.request_target));
  for (std::size_t i = 0; i < lowered_.size(); ++i) {
    const std::string_view value = spec.headers()[i].value;
    if (lowered_[i] == "host" || forbidden_in_h2(lowered_[i], value)) continue;
    fields.push_back(field(lowered_[i], value));
  }
  std::string body_length;
  if (body) {
    body_length = std::to_string(body->size());
    fields.push_back(field("content-length", body_length));
  }
  if (!target.authorization.empty() && !spec.authorizes()) {
    // Never into the HPACK table, where a compression side channel could guess it.
    fields.push_back(field("authorization", target.authorization, NGHTTP2_NV_FLAG_NO_INDEX));
  }
  // A body goes in DATA frames as the windows allow; an empty one is END_STREAM on HEADERS.
  nghttp2_data_provider provider{};
  provider.read_callback = Callbacks::read_upload;
  const bool uploads = body && !body->empty();
  const std::int32_t id = nghttp2_submit_request(session_, nullptr, fields.data(), fields.size(),
                                                 uploads ? &provider : nullptr, &stream);
  if (id < 0) {
    stream.failure =
        FetchError{Stage::write, errc::write_failed,
                   fmt::format("cannot start an HTTP/2 stream: {}", nghttp2_strerror(id))};
    stream.retry_safe = id == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE;
    stream.closed = true;
    return false;
  }
  stream.id = id;
  streams_.emplace(id, &stream);
  // The session holds the body, not the stream: nghttp2 may ask for it until the stream
  // closes, even after its owner has gone.
  if (uploads) uploads_.emplace(id, Upload{spec.shared_body(), 0});
  return true;
}

bool Http2ClientSession::receive(std::string_view bytes) {
  if (failure_) return false;
  const long consumed = h2::receive(session_, bytes);
  if (consumed < 0) {
    connection_failed(end_reason(static_cast<int>(consumed), {}));
    return false;
  }
  return true;
}

std::string_view Http2ClientSession::output() {
  if (failure_) return {};
  long error = 0;
  const std::string_view bytes = h2::next_to_send(session_, error);
  if (error != 0) {
    connection_failed(end_reason(static_cast<int>(error), {}));
  }
  return bytes;
}

void Http2ClientSession::cancel(H2Stream& stream, FetchError failure) {
  reset(stream, std::move(failure), NGHTTP2_CANCEL);
}

void Http2ClientSession::reset(H2Stream& stream, FetchError failure, std::uint32_t code) {
  if (stream.closed) return;
  stream.failure = stream.failure.value_or(std::move(failure));
  if (stream.id > 0 && !failure_) {
    nghttp2_session_set_stream_user_data(session_, stream.id, nullptr);
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, code);
  }
  close_stream(stream);
}

void Http2ClientSession::fail_all(const FetchError& reason) {
  // Closing wakes the stream's owner, which may not touch the map: copy it first.
  std::vector<H2Stream*> open;
  open.reserve(streams_.size());
  for (const auto& [id, stream] : streams_) open.push_back(stream);
  // A plain close cuts what was under way; a connection error is what the streams fail with.
  const bool closed = reason.code == errc::empty_reply;
  for (H2Stream* stream : open) {
    if (!stream->first_byte) {
      stream->retry_safe = true;  // not a byte of a response: the server did not answer it
      stream->failure = reason;
    } else if (stream->head_done) {
      stream->failure =
          FetchError{Stage::read, closed ? errc::body_truncated : reason.code,
                     fmt::format("{} after {} body bytes", reason.message, stream->data_bytes)};
    } else {
      stream->failure = FetchError{
          Stage::read, closed ? errc::bad_response : reason.code,
          closed ? reason.message + " in the middle of the response head" : reason.message};
    }
    if (stream->id > 0 && !failure_) {
      nghttp2_session_set_stream_user_data(session_, stream->id, nullptr);
    }
    close_stream(*stream);
  }
}

std::size_t Http2ClientSession::queued_frames() const noexcept {
  return nghttp2_session_get_outbound_queue_size(session_);
}

bool Http2ClientSession::alive() const noexcept {
  return !failure_ &&
         (nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0);
}

bool Http2ClientSession::may_open_streams() const noexcept {
  constexpr std::uint32_t kLastStreamId = (1u << 31) - 1;
  return alive() && !goaway_error_ && !sent_goaway_error_ &&
         nghttp2_session_get_next_stream_id(session_) < kLastStreamId;
}

bool Http2ClientSession::below_stream_limit() const noexcept {
  return streams_.size() <
         nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

bool Http2ClientSession::can_take_request() const noexcept {
  return may_open_streams() && below_stream_limit();
}

bool Http2ClientSession::at_stream_limit() const noexcept {
  return may_open_streams() && !streams_.empty() && !below_stream_limit();
}

void Http2ClientSession::go_away() {
  if (failure_) return;
  nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
}

void Http2ClientSession::end(std::string_view how) { connection_failed(end_reason(0, how)); }

FetchError Http2ClientSession::end_reason(int library_error, std::string_view how) const {
  if (failure_) return *failure_;
  if (goaway_error_ && *goaway_error_ != NGHTTP2_NO_ERROR) {
    const RfcError error = rfc_error(*goaway_error_);
    return {
        Stage::read, error.code,
        fmt::format("the server ended the HTTP/2 connection (GOAWAY {}{}{})",
                    rfc_name(*goaway_error_), goaway_debug_.empty() ? "" : ": ", goaway_debug_)};
  }
  const std::string why = !limit_exceeded_.empty() ? limit_exceeded_
                          : !last_error_.empty()   ? last_error_
                          : library_error != 0     ? nghttp2_strerror(library_error)
                                                   : std::string{how};
  if (sent_goaway_error_ && *sent_goaway_error_ != NGHTTP2_NO_ERROR) {
    const RfcError error = rfc_error(*sent_goaway_error_);
    return {Stage::read, error.code,
            fmt::format("HTTP/2 connection error ({}): {}", rfc_name(*sent_goaway_error_),
                        sent_goaway_debug_.empty() ? why : sent_goaway_debug_)};
  }
  if (library_error == NGHTTP2_ERR_FLOODED) {
    return {Stage::read, errc::h2_enhance_your_calm,
            "the server flooded the HTTP/2 connection with frames to acknowledge (SETTINGS or "
            "PING)"};
  }
  if (library_error == kTooManyContinuations) {
    return {Stage::read, errc::h2_enhance_your_calm,
            fmt::format("HTTP/2 connection ended: more than {} CONTINUATION frames after one "
                        "HEADERS",
                        limits_.max_continuations)};
  }
  if (!limit_exceeded_.empty()) {  // a limit of ours (on_begin_frame)
    return {Stage::read, errc::h2_enhance_your_calm, "HTTP/2 connection ended: " + limit_exceeded_};
  }
  if (library_error != 0) {
    return {Stage::read, errc::h2_protocol_error, "HTTP/2 connection error: " + why};
  }
  // The transport ended without a protocol error: streams that were answered in part are
  // cut, the others may go again.
  return {Stage::read, errc::empty_reply,
          goaway_error_ ? fmt::format("{} after the server's GOAWAY", how) : std::string{how}};
}

H2Stream* Http2ClientSession::stream_of(std::int32_t id) const {
  if (id <= 0 || failure_) return nullptr;
  return static_cast<H2Stream*>(nghttp2_session_get_stream_user_data(session_, id));
}

void Http2ClientSession::head_received(H2Stream& stream) {
  if (stream.status < 200) {
    // An interim response (100, 103): the final one follows on the same stream.
    stream.status = 0;
    stream.content_length.reset();
    stream.location.clear();
    stream.content_encoding.clear();
    return;
  }
  stream.head_done = true;
  const bool has_body = !stream.head_request && stream.status != 204 && stream.status != 304;
  if (!stream.body->start(stream.status, !stream.location.empty(), stream.content_encoding,
                          has_body)) {
    const DecodeFailure& failure = *stream.body->failure();
    reset(stream, {Stage::read, failure.code, failure.message}, NGHTTP2_CANCEL);
  }
}

void Http2ClientSession::verdict(H2Stream& stream, std::uint32_t error_code) {
  if (stream.failure) return;  // ours, from before the close
  if (error_code == NGHTTP2_NO_ERROR && stream.end_stream && stream.head_done) {
    if (!stream.body->finish()) {
      const DecodeFailure& failure = *stream.body->failure();
      stream.failure = FetchError{Stage::read, failure.code, failure.message};
    }
    return;
  }
  const std::string progress = stream.head_done
                                   ? fmt::format("after {} body bytes", stream.data_bytes)
                                   : std::string{"before its response"};
  if (error_code == NGHTTP2_NO_ERROR) {
    stream.failure =
        FetchError{Stage::read, stream.head_done ? errc::body_truncated : errc::bad_response,
                   fmt::format("the server closed the stream {}", progress)};
    return;
  }
  const RfcError error = rfc_error(error_code);
  if (error_code == NGHTTP2_REFUSED_STREAM && !stream.head_done && !stream.reset_by_peer &&
      goaway_error_ == NGHTTP2_HTTP_1_1_REQUIRED) {
    stream.retry_safe = true;
    stream.http1_required = true;
    stream.failure = FetchError{Stage::read, errc::h2_http_1_1_required,
                                "the server requires HTTP/1.1 (GOAWAY HTTP_1_1_REQUIRED)"};
    return;
  }
  if (error_code == NGHTTP2_REFUSED_STREAM && !stream.head_done) {
    stream.retry_safe = true;
    stream.failure =
        FetchError{Stage::read, error.code,
                   stream.reset_by_peer ? "the server refused the stream (REFUSED_STREAM)"
                                        : "the server's GOAWAY left the stream unprocessed"};
    return;
  }
  if (error_code == NGHTTP2_HTTP_1_1_REQUIRED) {
    stream.http1_required = true;
    stream.retry_safe = !stream.head_done;
    stream.failure =
        FetchError{Stage::read, error.code, "the server requires HTTP/1.1 (HTTP_1_1_REQUIRED)"};
    return;
  }
  if (!stream.reset_by_peer && error_code == NGHTTP2_PROTOCOL_ERROR && stream.content_length &&
      stream.head_done) {
    // nghttp2 holds the body to its content-length (RFC 9113 8.1.1).
    if (stream.data_announced > *stream.content_length) {
      stream.failure =
          FetchError{Stage::read, errc::bad_body,
                     fmt::format("the server sent DATA past the response's content-length ({})",
                                 *stream.content_length)};
      return;
    }
    if (stream.end_stream) {
      stream.failure =
          FetchError{Stage::read, errc::body_truncated,
                     fmt::format("the stream ended after {} of {} body bytes (content-length)",
                                 stream.data_bytes, *stream.content_length)};
      return;
    }
  }
  if (stream.reset_by_peer) {
    stream.failure = FetchError{
        Stage::read, error.code,
        fmt::format("the server reset the stream ({}) {}", rfc_name(error_code), progress)};
  } else {
    stream.failure =
        FetchError{Stage::read, error.code,
                   fmt::format("malformed HTTP/2 response ({}){}{}", rfc_name(error_code),
                               stream.invalid.empty() ? "" : ": ", stream.invalid)};
  }
}

void Http2ClientSession::close_stream(H2Stream& stream) {
  if (stream.closed) return;
  streams_.erase(stream.id);
  stream.closed = true;
  if (stream.wake != nullptr) stream.wake(stream);
}

void Http2ClientSession::connection_failed(FetchError reason) {
  if (failure_) return;
  fail_all(reason);
  failure_ = std::move(reason);
}

}  // namespace fetch
