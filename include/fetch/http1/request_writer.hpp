#pragma once
// The bytes of the HTTP/1.1 request fetch sends for a target.

#include <string>

namespace fetch {

class RequestSpec;
struct Target;

// Writes the head of `spec` for `target` into `out` (replacing its contents, keeping its
// capacity): request line, Host (the spec's, or the URL's), the spec's headers in order,
// Content-Length when it has a body, Authorization when the URL had credentials. The body
// itself is sent after the head, from the spec. A plain-http target whose route is a proxy
// gets the absolute form ("GET http://host/path") and the proxy's Proxy-Authorization. `target`
// comes from parse_target and the spec's headers from validated options, so none holds CR or LF: no
// header can be injected.
void write_request(const RequestSpec& spec, const Target& target, std::string& out);

}  // namespace fetch
