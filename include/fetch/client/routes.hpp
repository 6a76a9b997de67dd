#pragma once
// Which route each origin's connections take: direct, to another host and port
// (--connect-to), or through an HTTP proxy (-x, or the environment as curl reads it, less
// the hosts --noproxy or NO_PROXY exempt). Decided per origin, for the first URL and each
// redirect alike; the route goes into the origin's key (core/route.hpp).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fetch/client/proxy.hpp"
#include "fetch/core/origin_key.hpp"

namespace fetch {

// One --connect-to rule, HOST1:PORT1:HOST2:PORT2 as curl takes it: requests to HOST1:PORT1
// connect to HOST2:PORT2 instead; an empty HOST1 or PORT1 matches any, an empty HOST2 or
// PORT2 keeps the URL's. IPv6 addresses in brackets.
struct ConnectTo {
  std::string host;  // lower case; empty: any
  std::optional<std::uint16_t> port;
  std::string to_host;  // empty: the URL's
  bool to_host_is_ip = false;
  std::optional<std::uint16_t> to_port;
};

// Parses one --connect-to argument, or says why it is not one.
std::variant<ConnectTo, std::string> parse_connect_to(std::string_view text);

struct RouteSettings {
  std::optional<std::string> proxy;  // -x for every URL; "" for none, not even from the environment
  std::optional<std::string> noproxy;  // --noproxy, instead of NO_PROXY / no_proxy
  std::vector<ConnectTo> connect_to;   // the first rule that matches applies
};

class Routes {
 public:
  Routes() = default;  // every connection direct
  // Takes what `settings` leave open from `environment`. Throws std::invalid_argument, with
  // a message naming the setting, for a proxy that fetch cannot use (-x is checked as an
  // option already; a variable such as ALL_PROXY=socks5://... only here).
  Routes(const RouteSettings& settings, const Environment& environment);

  // `origin` (from a URL: no route yet) with the route its connections take.
  OriginKey route(const OriginKey& origin) { return any() ? routed(origin) : origin; }

  // Whether any URL can take another route than a direct connection.
  bool any() const noexcept { return http_proxy_ || https_proxy_ || !rules_.empty(); }

 private:
  OriginKey routed(const OriginKey& origin);
  // The route through `proxy` (or none) to `target` (or the URL's origin: nullopt).
  std::shared_ptr<const Route> built(const ProxyUrl* proxy, const std::optional<Endpoint>& target);

  std::optional<ProxyUrl> http_proxy_;
  std::optional<ProxyUrl> https_proxy_;
  // Through each proxy to the URL's own origin: the common case, looked up once.
  std::shared_ptr<const Route> http_proxy_route_;
  std::shared_ptr<const Route> https_proxy_route_;
  std::string no_proxy_;
  std::vector<ConnectTo> rules_;
  // Every route handed out, one object per distinct route, so that keys compare them by
  // identity: "proxy|target" -> route.
  std::map<std::string, std::shared_ptr<const Route>, std::less<>> routes_;
};

}  // namespace fetch
