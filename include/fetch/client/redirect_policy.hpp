#pragma once
// Which responses are redirects, and where a redirect chain goes next, as browsers and
// aiohttp follow them.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fetch/core/error.hpp"
#include "fetch/core/request.hpp"
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

// How a redirect chain has changed the request it started with.
struct RequestChange {
  bool to_get = false;        // a redirect turned it into a GET without a body
  bool other_origin = false;  // this hop goes to another origin than the first

  friend bool operator==(const RequestChange&, const RequestChange&) = default;
};

// Whether a redirect with `status` turns a `method` request into GET, as browsers (the Fetch
// standard) and curl do: 301 and 302 turn POST into GET (other methods go on as they are),
// 303 turns every method but GET and HEAD into GET; 307 and 308 keep method and body.
bool redirect_switches_to_get(unsigned status, std::string_view method) noexcept;

// `original` as a hop with `change` sends it: as GET, without the body and the headers
// that describe it (Content-Type, Content-Encoding, Content-Language, Content-Location);
// to another origin, without the -H headers that belong to the first one (Host,
// Authorization, Cookie), as curl sends them only to the host the user named.
RequestSpec changed_request(const RequestSpec& original, RequestChange change);

}  // namespace fetch
