#pragma once
// The bytes of the HTTP/1.1 request fetch sends for a target.

#include <cstddef>
#include <string>

namespace fetch {

class RequestSpec;
struct Target;

// Bodies up to this size are copied behind the head, to go in one write: a copy costs less
// than a second buffer, which a TLS stream would copy into one anyway.
inline constexpr std::size_t kInlineBody = 64 * 1024;

// Writes `spec` for `target` into `out` (replacing its contents, keeping its capacity):
// request line, Host (the spec's, or the URL's), the spec's headers in order,
// Content-Length when it has a body, Authorization when the URL had credentials, then the
// body when it is at most kInlineBody bytes. Returns the body still to send after `out`
// (a larger one, sent from the spec without a copy), or null. A plain-http target whose
// route is a proxy gets the absolute form ("GET http://host/path") and the proxy's
// Proxy-Authorization. `target` comes from parse_target and the spec's headers from
// validated options, so none holds CR or LF: no header can be injected.
const std::string* write_request(const RequestSpec& spec, const Target& target, std::string& out);

}  // namespace fetch
