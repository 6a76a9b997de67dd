#include "fetch/core/origin_key.hpp"

#include <boost/asio/ip/address.hpp>
#include <functional>
#include <string_view>
#include <utility>

namespace fetch {

namespace {

bool is_ip_literal(const std::string& host) {
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  return !not_an_address;
}

}  // namespace

OriginKey::OriginKey(Scheme scheme, std::string host, std::uint16_t port)
    : OriginKey(scheme, host, port, is_ip_literal(host)) {}

OriginKey::OriginKey(Scheme scheme, std::string host, std::uint16_t port, bool host_is_ip)
    : scheme_(scheme), host_is_ip_(host_is_ip), port_(port), host_(std::move(host)) {
  // Scheme and port mixed into the host's hash: the three are compared anyway on a match.
  hash_ = std::hash<std::string_view>{}(host_) ^
          (static_cast<std::size_t>(port_) << 1 | static_cast<std::size_t>(scheme_)) *
              0x9e3779b97f4a7c15ULL;
}

namespace {

std::size_t route_hash(const Route* route) noexcept {
  return std::hash<const void*>{}(route)*0xff51afd7ed558ccdULL;  // 0 for none
}

}  // namespace

OriginKey OriginKey::with_route(std::shared_ptr<const Route> route) const {
  OriginKey key = *this;
  key.hash_ ^= route_hash(route_.get()) ^ route_hash(route.get());
  key.route_ = std::move(route);
  return key;
}

std::string OriginKey::authority() const { return Endpoint{host_, port_, host_is_ip_}.authority(); }

std::string Endpoint::authority() const {
  const bool ipv6 = host_is_ip && host.find(':') != std::string::npos;
  std::string out;
  out.reserve(host.size() + 8);
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string OriginKey::to_string() const { return (tls() ? "https://" : "http://") + authority(); }

}  // namespace fetch
