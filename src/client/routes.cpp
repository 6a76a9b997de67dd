#include "fetch/client/routes.hpp"

#include <boost/asio/ip/address.hpp>
#include <stdexcept>
#include <utility>

#include "fetch/core/request.hpp"

namespace fetch {

namespace {

// "443" or "" -> a port, none (empty), or a reason.
std::variant<std::optional<std::uint16_t>, std::string> port_part(std::string_view text) {
  if (text.empty()) return std::optional<std::uint16_t>{};
  unsigned long value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9' || text.size() > 5) return "'" + std::string{text} + "' is not a port";
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value == 0 || value > 65535) return "'" + std::string{text} + "' is not a port";
  return std::optional<std::uint16_t>{static_cast<std::uint16_t>(value)};
}

// Splits "host:port" off the front of `text` (the host maybe "[v6]"); advances `text`
// past the ':' after the port.
struct HostPort {
  std::string host;
  bool is_ip = false;
  std::optional<std::uint16_t> port;
};

std::variant<HostPort, std::string> host_port(std::string_view& text, bool last) {
  HostPort out;
  std::string_view host;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::string{"an IPv6 address lacks its ']'"};
    host = text.substr(1, close - 1);
    text.remove_prefix(close + 1);
    if (text.empty() || text.front() != ':') return std::string{"a ':' must follow ']'"};
    text.remove_prefix(1);
    out.is_ip = true;
  } else {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::string{"expected HOST1:PORT1:HOST2:PORT2"};
    host = text.substr(0, colon);
    text.remove_prefix(colon + 1);
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(std::string{host}, not_an_address);
    out.is_ip = !not_an_address;
  }
  out.host.reserve(host.size());
  for (const char c : host) out.host += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (out.host.find_first_of(" /@?#") != std::string::npos) {
    return "'" + std::string{host} + "' is not a host";
  }
  const std::size_t end = last ? text.size() : text.find(':');
  if (end == std::string_view::npos) return std::string{"expected HOST1:PORT1:HOST2:PORT2"};
  auto port = port_part(text.substr(0, end));
  if (auto* reason = std::get_if<std::string>(&port)) return std::move(*reason);
  out.port = std::get<std::optional<std::uint16_t>>(port);
  text.remove_prefix(last ? text.size() : end + 1);
  return out;
}

std::optional<ProxyUrl> proxy_for(Scheme scheme, const RouteSettings& settings,
                                  const Environment& environment) {
  std::string value;
  std::string source = "-x";
  if (settings.proxy) {
    value = *settings.proxy;
  } else if (auto variable = proxy_from_environment(scheme, environment)) {
    value = std::move(variable->value);
    source = std::move(variable->variable);
  }
  if (value.empty()) return std::nullopt;
  auto parsed = parse_proxy_url(value);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    throw std::invalid_argument(source + ": " + *reason +
                                " (unset it, or give -x '' or --noproxy '*')");
  }
  return std::get<ProxyUrl>(std::move(parsed));
}

bool matches(const ConnectTo& rule, const OriginKey& origin) {
  return (rule.host.empty() || rule.host == origin.host()) &&
         (!rule.port || *rule.port == origin.port());
}

}  // namespace

std::variant<ConnectTo, std::string> parse_connect_to(std::string_view text) {
  std::string_view rest = text;
  auto from = host_port(rest, false);
  if (auto* reason = std::get_if<std::string>(&from)) return std::move(*reason);
  auto to = host_port(rest, true);
  if (auto* reason = std::get_if<std::string>(&to)) return std::move(*reason);
  HostPort& a = std::get<HostPort>(from);
  HostPort& b = std::get<HostPort>(to);
  return ConnectTo{std::move(a.host), a.port, std::move(b.host), b.is_ip, b.port};
}

Routes::Routes(const RouteSettings& settings, const Environment& environment)
    : http_proxy_(proxy_for(Scheme::http, settings, environment)),
      https_proxy_(proxy_for(Scheme::https, settings, environment)),
      rules_(settings.connect_to) {
  if (settings.noproxy) {
    no_proxy_ = *settings.noproxy;
  } else if (auto variable = no_proxy_from_environment(environment)) {
    no_proxy_ = std::move(variable->value);
  }
}

OriginKey Routes::routed(const OriginKey& origin) {
  std::optional<Endpoint> target;
  for (const ConnectTo& rule : rules_) {
    if (!matches(rule, origin)) continue;
    target = Endpoint{rule.to_host.empty() ? origin.host() : rule.to_host,
                      rule.to_port.value_or(origin.port()),
                      rule.to_host.empty() ? origin.host_is_ip() : rule.to_host_is_ip};
    break;
  }
  const std::optional<ProxyUrl>& proxy = origin.tls() ? https_proxy_ : http_proxy_;
  const bool proxied = proxy && (no_proxy_.empty() ||
                                 !no_proxy_matches(no_proxy_, origin.host(), origin.host_is_ip()));
  if (!proxied && !target) return origin;
  if (proxied && !target) {
    std::shared_ptr<const Route>& common = origin.tls() ? https_proxy_route_ : http_proxy_route_;
    if (!common) common = built(&*proxy, std::nullopt);
    return origin.with_route(common);
  }
  return origin.with_route(built(proxied ? &*proxy : nullptr, target));
}

std::shared_ptr<const Route> Routes::built(const ProxyUrl* proxy,
                                           const std::optional<Endpoint>& target) {
  // The proxy's credentials are part of the name: two proxy URLs differing only in them
  // are two routes.
  std::string name;
  if (proxy) name = proxy->endpoint.authority() + " " + proxy->authorization;
  name += '|';
  if (target) name += target->authority();
  const auto found = routes_.find(name);
  if (found != routes_.end()) return found->second;
  auto route = std::make_shared<Route>();
  if (proxy) {
    route->dial = proxy->endpoint;
    route->proxy = true;
    route->tunnel_to = target;
    route->proxy_authorization = proxy->authorization;
  } else {
    route->dial = *target;
  }
  return routes_.emplace(std::move(name), std::move(route)).first->second;
}

}  // namespace fetch
