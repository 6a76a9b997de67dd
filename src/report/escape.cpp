#include "fetch/report/escape.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace fetch {

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

void append_hex_escape(std::string& out, unsigned char c) {
  constexpr std::string_view digits = "0123456789abcdef";
  out += "\\x";
  out += digits[c >> 4];
  out += digits[c & 0xf];
}

// Appends one byte with the TSV/text escapes: \t \n \r \\ and \xHH for other control bytes.
void append_escaped_byte(std::string& out, unsigned char c) {
  switch (c) {
    case '\t':
      out += "\\t";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\\':
      out += "\\\\";
      break;
    default:
      if (is_control(c)) {
        append_hex_escape(out, c);
      } else {
        out += static_cast<char>(c);
      }
  }
}

bool needs_escape(unsigned char c) noexcept { return is_control(c) || c == '\\'; }

}  // namespace

// Copies runs of plain bytes whole; only the rare byte that needs it goes through the escaper.
void append_tsv_field(std::string& out, std::string_view field) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const auto c = static_cast<unsigned char>(field[i]);
    if (needs_escape(c)) {
      out.append(field.substr(run, i - run));
      append_escaped_byte(out, c);
      run = i + 1;
    }
  }
  out.append(field.substr(run));
}

// Milliseconds with exactly three decimals, rounded half up: "45.679", "0.000". Integer
// arithmetic: fmt's general float formatting cost ~1500 instructions per number, and a TSV
// record has five of them.
void append_millis(std::string& out, double ms) {
  constexpr double kLargest = 1e12;  // ~31 years: clamps nonsense instead of overflowing
  if (!(ms > 0)) ms = 0;             // also NaN
  const auto thousandths = static_cast<std::uint64_t>(std::min(ms, kLargest) * 1000.0 + 0.5);
  fmt::format_int whole{thousandths / 1000};
  out.append(whole.data(), whole.size());
  const auto fraction = static_cast<unsigned>(thousandths % 1000);
  const char digits[4] = {'.', static_cast<char>('0' + fraction / 100),
                          static_cast<char>('0' + fraction / 10 % 10),
                          static_cast<char>('0' + fraction % 10)};
  out.append(digits, sizeof digits);
}

void append_integer(std::string& out, std::uint64_t value) {
  fmt::format_int digits{value};
  out.append(digits.data(), digits.size());
}

// Copies `in`, replacing each maximal ill-formed subsequence with U+FFFD (the Unicode
// "substitution of maximal subparts" practice): overlong forms, surrogates, code points above
// U+10FFFF, stray continuation bytes and truncated sequences are all replaced.
std::string valid_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const auto lead = static_cast<unsigned char>(in[i]);
    if (lead < 0x80) {
      out += static_cast<char>(lead);
      ++i;
      continue;
    }
    std::size_t trail = 0;
    unsigned char first_lo = 0x80;  // allowed range of the first continuation byte
    unsigned char first_hi = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      trail = 1;
    } else if (lead == 0xe0) {
      trail = 2, first_lo = 0xa0;
    } else if ((lead >= 0xe1 && lead <= 0xec) || lead == 0xee || lead == 0xef) {
      trail = 2;
    } else if (lead == 0xed) {
      trail = 2, first_hi = 0x9f;
    } else if (lead == 0xf0) {
      trail = 3, first_lo = 0x90;
    } else if (lead >= 0xf1 && lead <= 0xf3) {
      trail = 3;
    } else if (lead == 0xf4) {
      trail = 3, first_hi = 0x8f;
    } else {
      out += replacement_character;
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    for (std::size_t k = 0; k < trail && j < in.size(); ++k, ++j) {
      const auto c = static_cast<unsigned char>(in[j]);
      const unsigned char lo = k == 0 ? first_lo : 0x80;
      const unsigned char hi = k == 0 ? first_hi : 0xbf;
      if (c < lo || c > hi) break;
    }
    if (j - i == trail + 1) {
      out.append(in.substr(i, trail + 1));
    } else {
      out += replacement_character;
    }
    i = j;
  }
  return out;
}

// For terminals: valid UTF-8 with C0, DEL and C1 controls (U+0080-U+009F) escaped, so that a
// URL or message cannot move the cursor, change colours or break the line.
std::string terminal_safe(std::string_view in) {
  const std::string utf8 = valid_utf8(in);
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c == 0xc2 && i + 1 < utf8.size()) {
      const auto next = static_cast<unsigned char>(utf8[i + 1]);
      if (next >= 0x80 && next <= 0x9f) {  // a C1 control, e.g. U+009B (CSI)
        append_hex_escape(out, next);
        ++i;
        continue;
      }
    }
    append_escaped_byte(out, c);
  }
  return out;
}

}  // namespace fetch
