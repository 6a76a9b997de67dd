#pragma once
// Byte classes and small RFC 3986 operations shared by URL parsing (url.cpp) and redirect
// resolution (redirect.cpp). Private to src/input/.

#include <optional>
#include <string>
#include <string_view>

namespace fetch::uri {

inline constexpr std::string_view kHexDigits = "0123456789ABCDEF";

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

// Lower-cases ASCII letters.
std::string lower(std::string_view s);
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;

// The scheme at the start of `text` (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
// followed by ':'), or nullopt when there is none.
std::optional<std::string_view> leading_scheme(std::string_view text);

// RFC 3986 section 5.2.4. Boost.URL 1.81's resolve() keeps ".." segments that climb above
// the root ("/../g" stays "/../g"); servers would see them.
std::string remove_dot_segments(std::string_view path);

// Boost.URL 1.81 takes the longest IPv4 prefix of a host as the whole host: in
// "http://127.0.0.1.nip.io/" it reads 127.0.0.1 and then ".nip.io" as the port. A host that
// starts with a digit but is not exactly an IPv4 address is handed to it with its first byte
// percent-encoded, which makes it a registered name that decodes to the same text.
// `text` is an absolute URL or a reference; one without an authority is returned unchanged.
std::string shield_host(std::string_view text);

}  // namespace fetch::uri
