// Redirect locations: encoding what browsers encode, then RFC 3986 reference resolution.
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "fetch/input/url.hpp"
#include "uri_text.hpp"

namespace fetch {
namespace {

namespace urls = boost::urls;
using namespace uri;

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

FetchError bad_location(std::string reason) {
  return {Stage::redirect, errc::bad_redirect_location, std::move(reason)};
}

}  // namespace

std::variant<Target, FetchError> resolve_redirect(const Target& base, std::string_view location) {
  if (location.empty()) return bad_location("empty redirect location");
  // Servers send raw UTF-8, spaces, the odd '|' or a lone '%' in Location. As the WHATWG URL
  // parser (browsers) and curl do: leading and trailing spaces and controls go, tabs and line
  // breaks inside go, and every other byte a URL cannot hold is percent-encoded, spaces and
  // controls included, so none of them can reach a request line.
  while (!location.empty() && static_cast<unsigned char>(location.front()) <= 0x20) {
    location.remove_prefix(1);
  }
  while (!location.empty() && static_cast<unsigned char>(location.back()) <= 0x20) {
    location.remove_suffix(1);
  }
  if (location.empty()) return bad_location("empty redirect location");
  std::string encoded;
  encoded.reserve(location.size());
  for (std::size_t i = 0; i < location.size(); ++i) {
    const char c = location[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\n' || c == '\r') continue;
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
      return FetchError{Stage::redirect, errc::unsupported_redirect_scheme,
                        "redirect to unsupported scheme '" + lower(*scheme) + "'"};
    // "http:g" is a valid reference, but names no host; and "http:?" asserts in Boost.URL.
    if (encoded.compare(scheme->size() + 1, 2, "//") != 0)
      return bad_location("invalid redirect location: missing host");
  }

  try {
    const std::string shielded_ref = shield_host(encoded);
    const auto ref = urls::parse_uri_reference(shielded_ref);
    if (!ref) return bad_location("invalid redirect location: " + ref.error().message());
    const std::string shielded_base = shield_host(base.url);
    const auto base_url = urls::parse_uri(shielded_base);
    if (!base_url) return bad_location("invalid redirect base: " + base_url.error().message());
    const std::string text = resolve_reference(*base_url, *ref);
    auto target = parse_target(text);
    if (auto* reason = std::get_if<std::string>(&target))
      return bad_location("invalid redirect location: " + *reason);
    return std::get<Target>(std::move(target));
  } catch (const std::exception& e) {
    return bad_location(std::string("invalid redirect location: ") + e.what());
  }
}

}  // namespace fetch
