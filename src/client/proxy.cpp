#include "fetch/client/proxy.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>

#include "fetch/core/request.hpp"
#include "fetch/input/url.hpp"

namespace fetch {

namespace {

constexpr std::uint16_t kDefaultProxyPort = 1080;  // curl's

std::string_view strip_dots(std::string_view name, bool leading) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (leading && !name.empty() && name.front() == '.') name.remove_prefix(1);
  return name;
}

bool name_matches(std::string_view token, std::string_view host) {
  token = strip_dots(token, true);
  host = strip_dots(host, false);
  if (token.empty()) return false;
  if (token.size() == host.size()) return iequals_ascii(token, host);
  return token.size() < host.size() && host[host.size() - token.size() - 1] == '.' &&
         iequals_ascii(token, host.substr(host.size() - token.size()));
}

// An address's bytes, v4 or v6, and how many there are.
struct AddressBytes {
  std::array<unsigned char, 16> bytes{};
  std::size_t size = 0;
};

std::optional<AddressBytes> address_bytes(const std::string& text) {
  boost::system::error_code not_an_address;
  const boost::asio::ip::address address = boost::asio::ip::make_address(text, not_an_address);
  if (not_an_address) return std::nullopt;
  AddressBytes out;
  if (address.is_v4()) {
    const auto v4 = address.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), out.bytes.begin());
    out.size = v4.size();
  } else {
    out.bytes = address.to_v6().to_bytes();
    out.size = out.bytes.size();
  }
  return out;
}

// `host` in `token`'s network: "10.1.2.3" in "10.0.0.0/8"; without a prefix, the address.
bool address_matches(std::string_view token, std::string_view host) {
  std::string network{token};
  int bits = -1;
  if (const std::size_t slash = network.find('/'); slash != std::string::npos) {
    bits = std::atoi(network.c_str() + slash + 1);
    network.resize(slash);
  }
  if (network.size() > 2 && network.front() == '[' && network.back() == ']') {
    network = network.substr(1, network.size() - 2);
  }
  const auto net = address_bytes(network);
  const auto address = address_bytes(std::string{host});
  if (!net || !address || net->size != address->size) return false;
  const int width = static_cast<int>(net->size) * 8;
  if (bits <= 0 || bits > width) bits = width;  // curl: no (or a nonsense) prefix, all bits
  for (int bit = 0; bit < bits; ++bit) {
    const int mask = 0x80 >> (bit % 8);
    if ((net->bytes[bit / 8] & mask) != (address->bytes[bit / 8] & mask)) return false;
  }
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::optional<EnvironmentValue> first_set(const Environment& environment,
                                          std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = environment(name);
    if (value != nullptr && *value != '\0') return EnvironmentValue{name, value};
  }
  return std::nullopt;
}

}  // namespace

std::variant<ProxyUrl, std::string> parse_proxy_url(std::string_view text) {
  std::string url{text};
  const std::size_t separator = url.find("://");
  if (separator == std::string::npos) {
    url.insert(0, "http://");
  } else if (!iequals_ascii(url.substr(0, separator), "http")) {
    return "unsupported proxy scheme '" + redact_credentials(url.substr(0, separator)) +
           "://': fetch speaks to http:// proxies only";
  }
  // No port: curl's 1080, not http's 80.
  const std::size_t start = url.find("://") + 3;
  std::size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  const std::string_view authority = std::string_view{url}.substr(start, end - start);
  const std::size_t at = authority.rfind('@');
  const std::string_view host_port = authority.substr(at == std::string_view::npos ? 0 : at + 1);
  const std::size_t colon = host_port.rfind(':');
  const std::size_t bracket = host_port.rfind(']');
  const bool has_port = colon != std::string_view::npos &&
                        (bracket == std::string_view::npos || colon > bracket) &&
                        colon + 1 < host_port.size();
  if (!has_port) {
    if (!host_port.empty() && host_port.back() == ':') url.erase(--end, 1);
    url.insert(end, ":" + std::to_string(kDefaultProxyPort));
  }
  auto parsed = parse_target(url);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    return "not a usable proxy URL: " + *reason;
  }
  const Target& target = std::get<Target>(parsed);
  return ProxyUrl{Endpoint{target.origin.host(), target.origin.port(), target.origin.host_is_ip()},
                  target.authorization};
}

std::optional<EnvironmentValue> proxy_from_environment(Scheme scheme,
                                                       const Environment& environment) {
  if (scheme == Scheme::http)
    return first_set(environment, {"http_proxy", "all_proxy", "ALL_PROXY"});
  return first_set(environment, {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"});
}

std::optional<EnvironmentValue> no_proxy_from_environment(const Environment& environment) {
  return first_set(environment, {"no_proxy", "NO_PROXY"});
}

bool no_proxy_matches(std::string_view list, std::string_view host, bool host_is_ip) {
  if (list == "*") return true;
  std::size_t at = 0;
  while (at < list.size()) {
    while (at < list.size() && (is_blank(list[at]) || list[at] == ',')) ++at;
    const std::size_t start = at;
    while (at < list.size() && !is_blank(list[at]) && list[at] != ',') ++at;
    const std::string_view token = list.substr(start, at - start);
    if (token.empty()) continue;
    if (host_is_ip ? address_matches(token, host) : name_matches(token, host)) return true;
  }
  return false;
}

}  // namespace fetch
