#include "fetch/client/redirect_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace fetch {

std::variant<Target, FetchError> next_hop(const Target& current, std::string_view location,
                                          unsigned redirects_so_far, unsigned max_redirects,
                                          const std::vector<std::string>& visited) {
  auto next = resolve_redirect(current, location);
  if (auto* failure = std::get_if<FetchError>(&next)) {
    return std::move(*failure);
  }
  Target& target = std::get<Target>(next);
  if (redirects_so_far >= max_redirects) {
    // A chain may come back to a URL (a server answers otherwise the second time, after
    // setting a cookie): only a chain that never ends is a loop.
    if (std::find(visited.begin(), visited.end(), target.url) != visited.end()) {
      return FetchError{Stage::redirect, errc::redirect_loop,
                        fmt::format("redirect loop: {} came round again, {} redirects on (see "
                                    "--max-redirects)",
                                    target.display, redirects_so_far)};
    }
    return FetchError{
        Stage::redirect, errc::too_many_redirects,
        fmt::format("too many redirects (more than {}, see --max-redirects)", max_redirects)};
  }
  if (target.authorization.empty() && target.origin == current.origin) {
    target.authorization = current.authorization;
  }
  return std::move(target);
}

}  // namespace fetch
