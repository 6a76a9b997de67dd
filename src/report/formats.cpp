#include "fetch/report/formats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "fetch/report/summary.hpp"

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

// Boost.JSON 1.81 writes doubles in scientific notation ("1.234E2"), so the object is built
// with Boost.JSON and written by this walker, which lets Boost.JSON escape every string and
// key and writes each double with three decimals (all our doubles are milliseconds).
void write_json(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(member.key());
        out += ':';
        write_json(out, member.value());
      }
      out += '}';
      break;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out += ',';
        first = false;
        write_json(out, element);
      }
      out += ']';
      break;
    }
    case boost::json::kind::double_:
      if (std::isfinite(value.get_double())) {
        append_millis(out, value.get_double());
      } else {
        out += "null";
      }
      break;
    default:  // strings, integers, booleans, null
      out += boost::json::serialize(value);
  }
}

// ANSI SGR sequences for format_text.
constexpr std::string_view green = "\x1b[32m";
constexpr std::string_view cyan = "\x1b[36m";
constexpr std::string_view yellow = "\x1b[33m";
constexpr std::string_view red = "\x1b[31m";
constexpr std::string_view dim = "\x1b[2m";
constexpr std::string_view reset = "\x1b[0m";

void append_coloured(std::string& out, std::string_view text, std::string_view colour,
                     bool enabled) {
  if (enabled && !colour.empty()) {
    out += colour;
    out += text;
    out += reset;
  } else {
    out += text;
  }
}

std::string_view status_colour(const Result& result) noexcept {
  if (result.error) return red;
  if (!result.status) return {};
  const unsigned status = *result.status;
  if (status >= 200 && status < 300) return green;
  if (status >= 300 && status < 400) return cyan;
  if (status >= 400 && status < 500) return yellow;
  if (status >= 500) return red;
  return {};
}

std::string human_duration(double ms) {
  if (ms < 999.5) return fmt::format("{:.0f} ms", ms);
  return fmt::format("{:.2f} s", ms / 1000.0);
}

}  // namespace

std::string format_tsv(const Result& result) {
  std::string out;
  out.reserve(128 + result.url.size() + result.final_url.size());
  const auto tab = [&out] { out += '\t'; };
  const auto timing = [&out](double ms) { append_millis(out, ms); };

  append_integer(out, result.line);
  tab();
  append_tsv_field(out, result.url);
  tab();
  append_tsv_field(out, result.final_url);
  tab();
  out += result.ok() ? "true" : "false";
  tab();
  if (result.status) append_integer(out, *result.status);
  tab();
  if (result.content_length) append_integer(out, *result.content_length);
  tab();
  append_integer(out, result.bytes);
  tab();
  append_integer(out, result.redirects);
  tab();
  timing(result.timings.total_ms);
  tab();
  if (result.error) append_tsv_field(out, to_string(result.error->stage));
  tab();
  if (result.error) append_tsv_field(out, result.error->message);
  tab();
  timing(result.timings.resolve_ms);
  tab();
  timing(result.timings.connect_ms);
  tab();
  timing(result.timings.tls_ms);
  tab();
  timing(result.timings.ttfb_ms);
  tab();
  out += result.reused_connection ? "true" : "false";
  tab();
  out += result.downgraded ? "true" : "false";
  out += '\n';
  return out;
}

std::string format_json(const Result& result) {
  boost::json::object object;
  object["line"] = result.line;
  object["url"] = valid_utf8(result.url);
  object["final_url"] = valid_utf8(result.final_url);
  object["ok"] = result.ok();
  if (result.status) {
    object["status"] = *result.status;
  } else {
    object["status"] = nullptr;
  }
  if (result.content_length) {
    object["content_length"] = *result.content_length;
  } else {
    object["content_length"] = nullptr;
  }
  object["bytes"] = result.bytes;
  object["redirects"] = result.redirects;
  object["elapsed_ms"] = result.timings.total_ms;
  object["timings"] = boost::json::object{
      {"resolve_ms", result.timings.resolve_ms},
      {"connect_ms", result.timings.connect_ms},
      {"tls_ms", result.timings.tls_ms},
      {"ttfb_ms", result.timings.ttfb_ms},
  };
  object["reused"] = result.reused_connection;
  object["downgraded"] = result.downgraded;
  if (result.error) {
    object["error"] = boost::json::object{
        {"stage", to_string(result.error->stage)},
        {"message", valid_utf8(result.error->message)},
    };
  } else {
    object["error"] = nullptr;
  }

  std::string out;
  out.reserve(256 + result.url.size() + result.final_url.size());
  write_json(out, object);
  out += '\n';
  return out;
}

std::string format_text(const Result& result, bool colour) {
  std::string out;
  out.reserve(64 + result.url.size() + result.final_url.size());

  std::string status = "---";
  if (result.error) {
    status = "ERR";
  } else if (result.status) {
    status = fmt::format("{:>3}", *result.status);
  }
  append_coloured(out, status, status_colour(result), colour);
  fmt::format_to(std::back_inserter(out), " {:>10} ", human_bytes(result.bytes));
  append_coloured(out, fmt::format("{:>8}", human_duration(result.timings.total_ms)), dim, colour);
  out += "  ";
  out += terminal_safe(result.url);

  if (result.error) {
    out += "  ";
    append_coloured(
        out,
        fmt::format("{}: {}", to_string(result.error->stage), terminal_safe(result.error->message)),
        red, colour);
  } else if (result.redirects > 0) {
    append_coloured(out,
                    fmt::format(" -> {} ({} redirect{})", terminal_safe(result.final_url),
                                result.redirects, result.redirects == 1 ? "" : "s"),
                    dim, colour);
  }
  if (result.downgraded) {
    append_coloured(out, "  (redirected from https to http)", yellow, colour);
  }
  out += '\n';
  return out;
}

std::string format_summary(const Summary& summary) {
  return fmt::format("{} URL{}: {} ok, {} failed, {} in {:.2f} s ({:.1f} req/s){}\n", summary.count,
                     summary.count == 1 ? "" : "s", summary.ok, summary.failed,
                     human_bytes(summary.bytes), summary.elapsed_s, summary.requests_per_second(),
                     summary.interrupted ? " (interrupted)" : "");
}

std::string human_bytes(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  constexpr std::string_view units[] = {"KiB", "MiB", "GiB"};
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  // Promote when one decimal would round up to 1024.0 ("1024.0 KiB" reads as "1.0 MiB").
  while (unit + 1 < std::size(units) && std::round(value * 10.0) >= 10240.0) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace fetch
