#pragma once
// For the fuzzers' reports: bytes as one readable line, at most `limit` of them.

#include <cstdio>
#include <string>
#include <string_view>

namespace fetch::fuzz {

// Printable ASCII as is, every other byte (and the backslash) as \xHH; "..." when cut.
inline std::string printable(std::string_view s, std::size_t limit) {
  std::string out;
  for (const char c : s.substr(0, limit)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", u);
      out += hex;
    }
  }
  if (s.size() > limit) out += "...";
  return out;
}

}  // namespace fetch::fuzz
