// Parsing and validating http(s) URLs with Boost.URL, behind a strict byte filter.
#include "fetch/input/url.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/url/host_type.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "uri_text.hpp"

namespace fetch {
namespace {

namespace urls = boost::urls;
using namespace uri;

using Parsed = std::variant<Target, std::string>;

// "'|'" for printable characters, "0xC3" for the others: never echoes raw bytes.
std::string describe_byte(unsigned char c) {
  if (c > 0x20 && c < 0x7f) return std::string{'\'', char(c), '\''};
  std::string out = "0x";
  out += kHexDigits[c >> 4];
  out += kHexDigits[c & 0xf];
  return out;
}

// The reason `text` must not be parsed at all, if there is one.
std::optional<std::string> check_bytes(std::string_view text) {
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return is_control_or_space((unsigned char)c); }))
    return "URL contains whitespace or control characters";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (!is_uri_char(u))
      return "URL contains a character that must be percent-encoded: " + describe_byte(u);
  }
  for (std::size_t i = text.find('%'); i != std::string_view::npos; i = text.find('%', i + 1)) {
    if (i + 2 >= text.size() || !is_hex(text[i + 1]) || !is_hex(text[i + 2]))
      return std::string("URL contains a '%' that starts no percent-encoding (write '%25')");
  }
  return std::nullopt;
}

// "example.com:8080/x" parses as scheme "example.com": digits after the colon mean a port.
bool looks_like_host_and_port(std::string_view after_colon) {
  const std::size_t end = after_colon.find_first_of("/?#");
  const std::string_view port = after_colon.substr(0, end);
  return !port.empty() && std::all_of(port.begin(), port.end(), is_digit);
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

bool is_host_name_char(char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

// The host of a URL, in the two forms a Target needs.
struct Host {
  std::string name;    // what to resolve: no brackets, decoded, lower case
  std::string in_url;  // as it appears in the URL and in Host: (IPv6 in brackets)
  bool is_ip = true;   // an IPv4 or IPv6 literal: no SNI, the address is verified
};

std::variant<Host, std::string> host_of(const urls::url_view& u) {
  Host host;
  switch (u.host_type()) {
    case urls::host_type::name: {
      const std::string decoded = u.host_name();
      if (decoded.empty()) return std::string("missing host");
      if (!std::all_of(decoded.begin(), decoded.end(), is_host_name_char)) {
        // Only percent-encoded bytes can bring anything else here.
        return "invalid host name '" + std::string(u.encoded_host()) + "'";
      }
      host.name = lower(decoded);
      host.in_url = host.name;
      // "%31.2.3.4" decodes to an IPv4 literal: it must be treated as one.
      host.is_ip = urls::parse_ipv4_address(host.name).has_value();
      return host;
    }
    case urls::host_type::ipv4:
      host.name = std::string(u.encoded_host_address());
      host.in_url = host.name;
      return host;
    case urls::host_type::ipv6:
      host.name = lower(u.encoded_host_address());
      host.in_url = "[" + host.name + "]";
      return host;
    case urls::host_type::ipvfuture:
      return "unsupported host '" + std::string(u.encoded_host()) + "'";
    case urls::host_type::none:
    default:
      return std::string("missing host");
  }
}

// The port of a URL, or the scheme's default when it names none.
std::variant<std::uint16_t, std::string> port_of(const urls::url_view& u,
                                                 std::uint16_t default_port) {
  // Boost.URL 1.81 stops the port at the first non-digit and takes the rest as the path
  // ("http://h:8x/" has port "8" and path "x/"): a path after an authority starts with '/'.
  const std::string_view path = u.encoded_path();
  if (!path.empty() && path.front() != '/')
    return "invalid port '" + std::string(u.port()) + std::string(path.substr(0, path.find('/'))) +
           "'";
  if (!u.has_port() || u.port().empty()) return default_port;
  const std::string_view digits = u.port();  // the grammar allows digits only
  unsigned long value = 0;
  for (char c : digits) {
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 65535) break;
  }
  if (value == 0 || value > 65535) return "invalid port '" + std::string(digits) + "'";
  return static_cast<std::uint16_t>(value);
}

// Splits a parsed http(s) URI into a Target. `u` has passed check_bytes and has a scheme.
Parsed make_target(const urls::url_view& u) {
  const std::string scheme = lower(u.scheme());
  const bool tls = scheme == "https";
  const std::uint16_t default_port = tls ? 443 : 80;
  if (!u.has_authority()) return std::string("missing host");
  auto host = host_of(u);
  if (auto* reason = std::get_if<std::string>(&host)) return std::move(*reason);
  auto port_or_reason = port_of(u, default_port);
  if (auto* reason = std::get_if<std::string>(&port_or_reason)) return std::move(*reason);
  const std::uint16_t port = std::get<std::uint16_t>(port_or_reason);
  Host& parts = std::get<Host>(host);

  Target t;
  t.origin =
      OriginKey{tls ? Scheme::https : Scheme::http, std::move(parts.name), port, parts.is_ip};
  t.host_header = parts.in_url;
  if (port != default_port) t.host_header += ":" + std::to_string(port);

  // Dot segments are resolved as a browser (or curl) would: "/a/../b" asks for "/b".
  t.request_target = remove_dot_segments(u.encoded_path());
  if (t.request_target.empty()) t.request_target = "/";
  if (u.has_query()) {
    t.request_target += '?';
    t.request_target += u.encoded_query();
  }

  const std::string prefix = scheme + "://";
  const std::string rest = t.host_header + t.request_target;
  t.url = prefix;
  t.display = prefix;
  if (u.has_userinfo()) {
    t.url += u.encoded_userinfo();
    t.url += '@';
    t.display += "***@";
    t.authorization = "Basic " + base64(u.user() + ":" + u.password());
  }
  t.url += rest;
  t.display += rest;
  return t;
}

}  // namespace

std::variant<Target, std::string> parse_target(std::string_view text) {
  if (text.empty()) return std::string("empty URL");
  if (auto reason = check_bytes(text)) return std::move(*reason);

  const auto scheme = leading_scheme(text);
  if (!scheme) return std::string("missing scheme");
  if (!iequals(*scheme, "http") && !iequals(*scheme, "https")) {
    if (looks_like_host_and_port(text.substr(scheme->size() + 1)))
      return std::string("missing scheme");
    return "unsupported scheme '" + lower(*scheme) + "'";
  }
  // Without "//" there is no authority ("http:example.com", "http:/x"). Checked here rather
  // than by Boost.URL 1.81, which asserts on "http:?", "http:#", "http:[" and "http:]".
  if (text.substr(scheme->size() + 1, 2) != "//") return std::string("missing host");

  try {
    const std::string shielded = shield_host(text);
    const auto parsed = urls::parse_uri(shielded);
    if (!parsed) return "not a valid URL: " + parsed.error().message();
    return make_target(*parsed);
  } catch (const std::exception& e) {  // allocation failure, or a library surprise
    return std::string("not a valid URL: ") + e.what();
  }
}

std::string redact_credentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (;;) {
    const std::size_t sep = text.find("://", pos);
    if (sep == std::string_view::npos) break;
    const std::size_t start = sep + 3;
    std::size_t end = text.find_first_of("/?#", start);
    if (end == std::string_view::npos) end = text.size();
    const std::size_t at = text.substr(start, end - start).rfind('@');
    if (at != std::string_view::npos && at > 0) {
      out += text.substr(pos, start - pos);
      out += "***";
      pos = start + at;  // continue at the '@'
    } else {
      out += text.substr(pos, start - pos);
      pos = start;
    }
  }
  out += text.substr(pos);
  return out;
}

}  // namespace fetch
