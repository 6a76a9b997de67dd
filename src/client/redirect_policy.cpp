#include "fetch/client/redirect_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
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
  if (target.authorization.empty() && target.origin.same_origin(current.origin)) {
    target.authorization = current.authorization;
  }
  return std::move(target);
}

bool redirect_switches_to_get(unsigned status, std::string_view method) noexcept {
  if (status == 301 || status == 302) return method == "POST";
  if (status == 303) return method != "GET" && method != "HEAD";
  return false;
}

RequestSpec changed_request(const RequestSpec& original, RequestChange change) {
  static constexpr std::string_view kBodyHeaders[] = {"Content-Type", "Content-Encoding",
                                                      "Content-Language", "Content-Location"};
  static constexpr std::string_view kOriginHeaders[] = {"Authorization", "Cookie"};
  const auto listed = [](const auto& names, const Header& header) {
    return std::any_of(std::begin(names), std::end(names),
                       [&](std::string_view name) { return iequals_ascii(name, header.name); });
  };
  std::vector<Header> headers;
  for (const Header& header : original.headers()) {
    if (change.to_get && listed(kBodyHeaders, header)) continue;
    if (change.other_origin && listed(kOriginHeaders, header)) continue;
    headers.push_back(header);
  }
  return RequestSpec{change.to_get ? std::string{"GET"} : original.method(), std::move(headers),
                     change.to_get ? nullptr : original.shared_body(),
                     change.other_origin ? std::string{} : original.host()};
}

}  // namespace fetch
