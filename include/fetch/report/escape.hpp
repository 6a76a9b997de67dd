#pragma once
// Writing record values safely: TSV escapes, three-decimal milliseconds, valid UTF-8 for
// JSON, and text a terminal cannot be driven by.

#include <cstdint>
#include <string>
#include <string_view>

namespace fetch {

// Appends `field` with the TSV escapes: tab, newline, carriage return and backslash as \t \n
// \r \\, every other control byte (0x00-0x1f, 0x7f) as \xHH, other bytes unchanged.
void append_tsv_field(std::string& out, std::string_view field);

// Milliseconds with exactly three decimals, rounded half up: "45.679", "0.000". Negative and
// NaN read 0; absurdly large values are clamped.
void append_millis(std::string& out, double ms);

void append_integer(std::string& out, std::uint64_t value);

// A copy of `in` with each maximal ill-formed UTF-8 subsequence replaced by U+FFFD.
std::string valid_utf8(std::string_view in);

// For terminals: valid UTF-8 with C0, DEL and C1 controls escaped as in TSV, so that a URL or
// message cannot move the cursor, change colours or break the line.
std::string terminal_safe(std::string_view in);

}  // namespace fetch
