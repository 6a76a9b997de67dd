#pragma once
// The bytes of the HTTP/1.1 request fetch sends for a target.

#include <string>

namespace fetch {

class RequestSpec;
struct Target;

// Writes `spec` for `target` into `out` (replacing its contents, keeping its capacity):
// request line, Host, the spec's headers in order, Authorization when the URL had
// credentials. `target` comes from parse_target and the spec's headers from validated
// options, so none holds CR or LF: no header can be injected.
void write_request(const RequestSpec& spec, const Target& target, std::string& out);

}  // namespace fetch
