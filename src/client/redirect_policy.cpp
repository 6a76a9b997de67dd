#include "fetch/client/redirect_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace fetch {

bool is_redirect(unsigned status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::variant<Target, FetchError> next_hop(const Target& current, std::string_view location,
                                          unsigned redirects_so_far, unsigned max_redirects,
                                          const std::vector<std::string>& visited) {
  if (location.empty()) {
    return FetchError{Stage::redirect, errc::redirect_without_location,
                      "redirect without a Location header"};
  }
  if (redirects_so_far >= max_redirects) {
    return FetchError{
        Stage::redirect, errc::too_many_redirects,
        fmt::format("too many redirects (more than {}, see --max-redirects)", max_redirects)};
  }
  auto next = resolve_redirect(current, location);
  if (auto* failure = std::get_if<FetchError>(&next)) {
    return std::move(*failure);
  }
  Target& target = std::get<Target>(next);
  if (std::find(visited.begin(), visited.end(), target.url) != visited.end()) {
    return FetchError{Stage::redirect, errc::redirect_loop,
                      "redirect loop: " + target.display + " was already visited"};
  }
  if (target.authorization.empty() && target.origin == current.origin) {
    target.authorization = current.authorization;
  }
  return std::move(target);
}

}  // namespace fetch
