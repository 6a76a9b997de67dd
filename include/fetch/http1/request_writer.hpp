#pragma once
// The bytes of the GET request fetch sends for a target.

#include <string>
#include <string_view>

namespace fetch {

struct Target;

// Writes the GET (or, with `head`, HEAD) request for `target` into `out` (replacing its
// contents, keeping its capacity): request line, Host, User-Agent, Accept, Authorization when
// the URL had
// credentials. `target` comes from parse_target and `user_agent` from validated options, so
// neither holds CR or LF: no header can be injected.
void write_request(const Target& target, std::string_view user_agent, bool head, std::string& out);

}  // namespace fetch
