#pragma once
// A validated http(s) URL, split into what the client needs to connect and ask for it.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "fetch/core/error.hpp"
#include "fetch/core/origin_key.hpp"

namespace fetch {

struct Target {
  // Scheme, host (what to resolve or connect to: no brackets, decoded) and port (explicit or
  // the scheme's default): connections are kept per origin.
  OriginKey origin;
  std::string host_header;     // what goes in Host: encoded host, port only when not default
  std::string request_target;  // encoded path and query, "/" when empty; never a fragment
  std::string url;             // normalised absolute URL without fragment (may hold credentials)
  std::string display;         // url with any userinfo replaced by "***"
  std::string authorization;   // "Basic ..." built from userinfo, or empty
};

// Parses `text` as an absolute http or https URL. On failure returns a one-line reason
// fit for a user ("unsupported scheme 'ftp'", "missing host", ...). Never throws, never
// asserts, whatever the bytes.
std::variant<Target, std::string> parse_target(std::string_view text);

// Resolves a Location header value against the URL it came from (RFC 3986 section 5),
// percent-encoding what browsers encode. Fails (stage redirect) with
// unsupported_redirect_scheme for schemes other than http(s), and bad_redirect_location for
// anything else that is not a usable URL.
std::variant<Target, FetchError> resolve_redirect(const Target& base, std::string_view location);

// Replaces any userinfo ("user:password@") in a URL-looking string with "***@", also for
// strings that are not valid URLs, so that no output ever shows credentials.
std::string redact_credentials(std::string_view text);

}  // namespace fetch
