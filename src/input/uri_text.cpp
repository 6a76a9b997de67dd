#include "uri_text.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

namespace fetch::uri {

namespace urls = boost::urls;

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

std::optional<std::string_view> leading_scheme(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return std::nullopt;
  std::size_t i = 1;
  while (i < text.size() && (is_alpha(text[i]) || is_digit(text[i]) || text[i] == '+' ||
                             text[i] == '-' || text[i] == '.'))
    ++i;
  if (i == text.size() || text[i] != ':') return std::nullopt;
  return text.substr(0, i);
}

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

}  // namespace fetch::uri
