#pragma once
// Failure vocabulary: the stage a fetch failed in, and our own error codes.

#include <boost/system/error_code.hpp>
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
};

// The stable lower-case name of a stage ("input", "resolve", ...).
std::string_view to_string(Stage stage) noexcept;

// Failures that are ours rather than the operating system's or a library's.
enum class errc {
  too_many_redirects = 1,
  redirect_loop,
  bad_redirect_location,
  unsupported_redirect_scheme,
  truncated_body,
  body_too_large,
  connect_timeout,
  deadline_exceeded,
  host_not_found,
};

const boost::system::error_category& error_category() noexcept;
boost::system::error_code make_error_code(errc e) noexcept;

}  // namespace fetch

template <>
struct boost::system::is_error_code_enum<fetch::errc> : std::true_type {};
