#pragma once
// Which responses are redirects, and where a redirect chain goes next, as browsers and
// aiohttp follow them.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fetch/core/error.hpp"
#include "fetch/core/status.hpp"
#include "fetch/input/url.hpp"

namespace fetch {

// The next hop after a redirect from `current` with `location` (not empty: a redirect without
// one is the final response), having followed `redirects_so_far` of at most `max_redirects`
// and visited `visited` (normalised URLs), or why the chain stops with an error (stage
// redirect): past the limit, a loop when the next URL was visited before, else too many.
// Credentials from the URL go only to its own origin: kept on the same origin, dropped
// elsewhere.
std::variant<Target, FetchError> next_hop(const Target& current, std::string_view location,
                                          unsigned redirects_so_far, unsigned max_redirects,
                                          const std::vector<std::string>& visited);

}  // namespace fetch
