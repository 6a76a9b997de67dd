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

namespace fetch {
namespace {

namespace urls = boost::urls;

using Parsed = std::variant<Target, std::string>;

constexpr std::string_view kHexDigits = "0123456789ABCDEF";

constexpr bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (to_lower(c) >= 'a' && to_lower(c) <= 'f');
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), to_lower);
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower(x) == to_lower(y);
         });
}

// Whitespace and control bytes end a header line or split a request line: they must never
// reach a request, whatever part of the URL they hide in.
constexpr bool is_control_or_space(unsigned char c) noexcept { return c <= 0x20 || c == 0x7f; }

// The characters RFC 3986 allows anywhere in a URI reference, plus '%' for percent-encoding.
// Boost.URL 1.81 asserts in debug builds on some inputs with other bytes (boostorg/url#665,
// "hhttt:|", "A:\\"), so nothing else is ever handed to it.
constexpr bool is_uri_char(unsigned char c) noexcept {
  if (is_alpha(char(c)) || is_digit(char(c))) return true;
  switch (c) {
    // unreserved (besides letters and digits)
    case '-':
    case '.':
    case '_':
    case '~':
    // gen-delims
    case ':':
    case '/':
    case '?':
    case '#':
    case '[':
    case ']':
    case '@':
    // sub-delims
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    // pct-encoded
    case '%':
      return true;
    default:
      return false;
  }
}

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

// The scheme at the start of `text` (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
// followed by ':'), or nullopt when there is none.
std::optional<std::string_view> leading_scheme(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return std::nullopt;
  std::size_t i = 1;
  while (i < text.size() && (is_alpha(text[i]) || is_digit(text[i]) || text[i] == '+' ||
                             text[i] == '-' || text[i] == '.'))
    ++i;
  if (i == text.size() || text[i] != ':') return std::nullopt;
  return text.substr(0, i);
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

// RFC 3986 section 5.2.4. Boost.URL 1.81's resolve() keeps ".." segments that climb above
// the root ("/../g" stays "/../g"); servers would see them.
std::string remove_dot_segments(std::string_view path) {
  std::string in(path);
  std::string out;
  auto starts = [&in](std::string_view p) { return in.compare(0, p.size(), p) == 0; };
  auto pop_last_segment = [&out] {
    const std::size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (starts("../")) {
      in.erase(0, 3);
    } else if (starts("./")) {
      in.erase(0, 2);
    } else if (starts("/./")) {
      in.erase(0, 2);
    } else if (in == "/.") {
      in = "/";
    } else if (starts("/../")) {
      in.erase(0, 3);
      pop_last_segment();
    } else if (in == "/..") {
      in = "/";
      pop_last_segment();
    } else if (in == "." || in == "..") {
      in.clear();
    } else {
      const std::size_t end = in.find('/', 1);
      out.append(in, 0, end);
      in.erase(0, end);
    }
  }
  return out;
}

// RFC 3986 section 5.2.2 (fragments dropped), written out because boost::urls::resolve()
// in 1.81 decodes "%2F" in paths ("/a%2Fb" becomes "/a/b", another resource) and keeps
// ".." segments above the root. Both references come from Boost.URL's parser.
std::string resolve_reference(const urls::url_view& base, const urls::url_view& ref) {
  std::string scheme(ref.has_scheme() ? ref.scheme() : base.scheme());
  std::string authority;
  std::string path;
  std::string_view query;
  bool has_query = ref.has_query();
  if (ref.has_scheme() || ref.has_authority()) {
    authority = ref.encoded_authority();
    path = remove_dot_segments(ref.encoded_path());
    query = ref.encoded_query();
  } else {
    authority = base.encoded_authority();
    const std::string_view ref_path = ref.encoded_path();
    if (ref_path.empty()) {
      path = base.encoded_path();
      if (!has_query) {
        has_query = base.has_query();
        query = base.encoded_query();
      } else {
        query = ref.encoded_query();
      }
    } else {
      if (ref_path.front() == '/') {
        path = remove_dot_segments(ref_path);
      } else {
        const std::string_view base_path = base.encoded_path();
        std::string merged = base_path.empty()
                                 ? std::string("/")
                                 : std::string(base_path.substr(0, base_path.rfind('/') + 1));
        merged += ref_path;
        path = remove_dot_segments(merged);
      }
      query = ref.encoded_query();
    }
  }
  std::string text = scheme + "://" + authority + path;
  if (has_query) {
    text += '?';
    text += query;
  }
  return text;
}

bool is_host_name_char(char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

// Splits a parsed http(s) URI into a Target. `u` has passed check_bytes and has a scheme.
Parsed make_target(const urls::url_view& u) {
  Target t;
  const std::string scheme = lower(u.scheme());
  t.tls = scheme == "https";
  const std::uint16_t default_port = t.tls ? 443 : 80;

  if (!u.has_authority()) return std::string("missing host");

  std::string host_in_url;  // the host as it appears in url and Host:
  switch (u.host_type()) {
    case urls::host_type::name: {
      const std::string decoded = u.host_name();
      if (decoded.empty()) return std::string("missing host");
      if (!std::all_of(decoded.begin(), decoded.end(), is_host_name_char)) {
        // Only percent-encoded bytes can bring anything else here.
        return "invalid host name '" + std::string(u.encoded_host()) + "'";
      }
      t.host = lower(decoded);
      host_in_url = t.host;
      // "%31.2.3.4" decodes to an IPv4 literal: it must be treated as one (no SNI, IP check).
      t.host_is_ip = urls::parse_ipv4_address(t.host).has_value();
      break;
    }
    case urls::host_type::ipv4:
      t.host = std::string(u.encoded_host_address());
      t.host_is_ip = true;
      host_in_url = t.host;
      break;
    case urls::host_type::ipv6:
      t.host = lower(u.encoded_host_address());
      t.host_is_ip = true;
      host_in_url = "[" + t.host + "]";
      break;
    case urls::host_type::ipvfuture:
      return "unsupported host '" + std::string(u.encoded_host()) + "'";
    case urls::host_type::none:
    default:
      return std::string("missing host");
  }

  // Boost.URL 1.81 stops the port at the first non-digit and takes the rest as the path
  // ("http://h:8x/" has port "8" and path "x/"): a path after an authority starts with '/'.
  const std::string_view path = u.encoded_path();
  if (!path.empty() && path.front() != '/')
    return "invalid port '" + std::string(u.port()) + std::string(path.substr(0, path.find('/'))) +
           "'";

  t.port = default_port;
  if (u.has_port() && !u.port().empty()) {
    const std::string_view digits = u.port();  // the grammar allows digits only
    unsigned long value = 0;
    for (char c : digits) {
      value = value * 10 + static_cast<unsigned long>(c - '0');
      if (value > 65535) break;
    }
    if (value == 0 || value > 65535) return "invalid port '" + std::string(digits) + "'";
    t.port = static_cast<std::uint16_t>(value);
  }

  t.host_header = host_in_url;
  if (t.port != default_port) t.host_header += ":" + std::to_string(t.port);

  // Dot segments are resolved as a browser (or curl) would: "/a/../b" asks for "/b".
  t.request_target = remove_dot_segments(path);
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

std::string Target::origin() const {
  std::string out = tls ? "https://" : "http://";
  const bool ipv6 = host_is_ip && host.find(':') != std::string::npos;
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

namespace {

// Boost.URL 1.81 takes the longest IPv4 prefix of a host as the whole host: in
// "http://127.0.0.1.nip.io/" it reads 127.0.0.1 and then ".nip.io" as the port. A host that
// starts with a digit but is not exactly an IPv4 address is handed to it with its first byte
// percent-encoded, which makes it a registered name that decodes to the same text.
// `text` is an absolute URL or a reference; one without an authority is returned unchanged.
std::string shield_host(std::string_view text) {
  std::size_t start = 0;
  if (const auto scheme = leading_scheme(text)) start = scheme->size() + 1;
  if (text.substr(start, 2) != "//") return std::string(text);
  start += 2;
  const std::size_t end = std::min(text.find_first_of("/?#", start), text.size());
  const std::string_view authority = text.substr(start, end - start);
  const std::size_t at = authority.rfind('@');
  const std::size_t host_start = at == std::string_view::npos ? 0 : at + 1;
  const std::string_view host_and_port = authority.substr(host_start);
  const std::string_view host = host_and_port.substr(0, host_and_port.find(':'));
  if (host.empty() || !is_digit(host.front()) || urls::parse_ipv4_address(host)) {
    return std::string(text);
  }
  const std::size_t first = start + host_start;
  std::string shielded(text.substr(0, first));
  shielded += '%';
  shielded += kHexDigits[static_cast<unsigned char>(text[first]) >> 4];
  shielded += kHexDigits[static_cast<unsigned char>(text[first]) & 0xf];
  shielded += text.substr(first + 1);
  return shielded;
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

std::variant<Target, std::string> resolve_redirect(const Target& base, std::string_view location) {
  if (location.empty()) return std::string("empty redirect location");
  // Servers send raw UTF-8, the odd '|' or a lone '%' in Location; browsers percent-encode
  // those bytes, and so do we. Controls and whitespace stay forbidden: they only come from
  // attacks (or a broken server) and must never reach a request line.
  std::string encoded;
  encoded.reserve(location.size());
  for (std::size_t i = 0; i < location.size(); ++i) {
    const char c = location[i];
    const auto u = static_cast<unsigned char>(c);
    if (is_control_or_space(u))
      return std::string("redirect location contains whitespace or control characters");
    const bool lone_percent = c == '%' && !(i + 2 < location.size() && is_hex(location[i + 1]) &&
                                            is_hex(location[i + 2]));
    if (is_uri_char(u) && !lone_percent) {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHexDigits[u >> 4];
      encoded += kHexDigits[u & 0xf];
    }
  }

  if (const auto scheme = leading_scheme(encoded)) {
    if (!iequals(*scheme, "http") && !iequals(*scheme, "https"))
      return "redirect to unsupported scheme '" + lower(*scheme) + "'";
    // "http:g" is a valid reference, but names no host; and "http:?" asserts in Boost.URL.
    if (encoded.compare(scheme->size() + 1, 2, "//") != 0)
      return std::string("invalid redirect location: missing host");
  }

  try {
    const std::string shielded_ref = shield_host(encoded);
    const auto ref = urls::parse_uri_reference(shielded_ref);
    if (!ref) return "invalid redirect location: " + ref.error().message();
    const std::string shielded_base = shield_host(base.url);
    const auto base_url = urls::parse_uri(shielded_base);
    if (!base_url) return "invalid redirect base: " + base_url.error().message();
    const std::string text = resolve_reference(*base_url, *ref);
    auto target = parse_target(text);
    if (auto* reason = std::get_if<std::string>(&target))
      return "invalid redirect location: " + *reason;
    return target;
  } catch (const std::exception& e) {
    return std::string("invalid redirect location: ") + e.what();
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
