#pragma once
// Failure vocabulary: the stage a fetch failed in, a stable machine-readable code for why, and
// the one-line message for people. Every failure a record shows carries all three.

#include <boost/system/error_code.hpp>
#include <string>
#include <string_view>
#include <type_traits>

namespace fetch {

// Where in the life of a fetch a failure happened. Printed in every output format.
enum class Stage {
  input,     // the line is not a usable http(s) URL
  resolve,   // host name lookup
  connect,   // TCP connect
  tls,       // TLS handshake or certificate verification
  write,     // sending the request
  read,      // receiving the response (status line, headers, body)
  redirect,  // following a Location header
  timeout,   // a deadline (--connect-timeout or --max-time) expired
  proxy,     // reaching the HTTP proxy, or its answer to CONNECT
};

// The stable lower-case name of a stage ("input", "resolve", ...).
std::string_view to_string(Stage stage) noexcept;

// Why a fetch failed, for programs: each code has a stable snake_case name (to_name), printed
// as error.code in JSON and error_code in TSV. Codes are only ever added; the README lists
// them all. Each belongs to one stage, noted beside it.
enum class errc {
  bad_url = 1,                  // input: not a usable http(s) URL
  line_too_long,                // input: longer than the longest line fetch reads
  host_not_found,               // resolve: the name has no address (NXDOMAIN, no A/AAAA)
  resolve_failed,               // resolve: the name servers failed or did not answer
  connect_refused,              // connect: the server refused (RST to the SYN)
  connect_failed,               // connect: unreachable, reset, out of descriptors, ...
  tls_verify_failed,            // tls: the certificate chain or its name did not verify
  tls_handshake_failed,         // tls: the handshake failed otherwise
  tls_setup_failed,             // tls: OpenSSL refused the connection's settings
  write_failed,                 // write: the request could not be sent
  empty_reply,                  // read: the connection closed before any response byte
  bad_response,                 // read: the status line or headers are malformed
  bad_body,                     // read: the body's framing is malformed (chunk sizes)
  body_truncated,               // read: the body ended before its length or last chunk
  body_too_large,               // read: larger than --max-filesize
  too_many_redirects,           // redirect: more than --max-redirects
  redirect_loop,                // redirect: a URL of the chain came round again
  bad_redirect_location,        // redirect: a Location that is not a usable URL
  unsupported_redirect_scheme,  // redirect: a Location with a scheme other than http(s)
  timeout_connect,              // timeout: --connect-timeout expired (DNS, TCP or TLS)
  timeout_max_time,             // timeout: --max-time expired
  decode_corrupt,           // read: a content coding's stream is corrupt, cut or followed by junk
  decode_bomb,              // read: the body decodes to more than 1000 times its size
  decode_memory,            // read: the decoders' memory budget is spent
  decode_too_many_codings,  // read: more than two content codings stacked
  // HTTP/2: the stream or the connection ended with this RFC 9113 error, sent by the server
  // or by fetch about what the server sent (the message says which).
  h2_protocol_error,       // read: PROTOCOL_ERROR
  h2_internal_error,       // read: INTERNAL_ERROR
  h2_flow_control_error,   // read: FLOW_CONTROL_ERROR
  h2_settings_timeout,     // read: SETTINGS_TIMEOUT
  h2_stream_closed,        // read: STREAM_CLOSED
  h2_frame_size_error,     // read: FRAME_SIZE_ERROR
  h2_refused_stream,       // read: REFUSED_STREAM (retried once first)
  h2_cancel,               // read: CANCEL
  h2_compression_error,    // read: COMPRESSION_ERROR
  h2_connect_error,        // read: CONNECT_ERROR
  h2_enhance_your_calm,    // read: ENHANCE_YOUR_CALM (a flood, either way)
  h2_inadequate_security,  // read: INADEQUATE_SECURITY
  h2_http_1_1_required,    // read: HTTP_1_1_REQUIRED (retried once over HTTP/1.1 first)
  save_failed,             // read: the body could not be saved into --output-dir
  proxy_connect_failed,    // proxy: its name did not resolve, or its TCP connect failed
  proxy_auth_required,     // proxy: it answered 407 (credentials missing or refused)
  proxy_refused,           // proxy: it answered CONNECT with another non-2xx status
  proxy_bad_response,      // proxy: no HTTP answer to CONNECT (garbage, closed, extra bytes)
};

// The stable snake_case name of a code ("connect_refused", "timeout_max_time", ...).
std::string_view to_name(errc code) noexcept;

// One failure as a record shows it.
struct FetchError {
  Stage stage;
  errc code;
  std::string message;  // one line, for people: what happened and which option governs it
};

// fetch's own codes as boost::system error codes (category "fetch"), so that they can travel
// where library error codes do.
const boost::system::error_category& error_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

}  // namespace fetch

template <>
struct boost::system::is_error_code_enum<fetch::errc> : std::true_type {};
