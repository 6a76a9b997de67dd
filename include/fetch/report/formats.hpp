#pragma once
// Turns results and run summaries into the bytes of each output format.
// Each format_* function returns one complete line including its trailing '\n'.

#include <cstdint>
#include <string>

#include "fetch/client/result.hpp"

namespace fetch {

struct FieldValue;
struct Summary;

// One TSV record (stable contract): the fields of fields.hpp, in its order, tab-separated, no
// header line, no padding, no colour. Booleans are "true"/"false"; an absent value is an empty
// field; milliseconds have exactly three decimals. Inside a field, tab, newline, carriage
// return and backslash are written as \t \n \r \\, and every other control byte (0x00-0x1f,
// 0x7f) as \xHH (two lower-case hex digits), so a record is always one line. Other bytes pass
// unchanged.
std::string format_tsv(const Result& result);

// One JSON object (JSON Lines), keys as fields.hpp places them:
//   line, url, final_url, ok, status (int|null), content_length (int|null), bytes, redirects,
//   elapsed_ms, timings {resolve_ms, connect_ms, tls_ms, ttfb_ms}, reused, downgraded,
//   error (null | {stage, message, code})
// Milliseconds are numbers with exactly three decimals (123.456, 0.000). Strings are always
// valid UTF-8: invalid sequences in the input become U+FFFD.
std::string format_json(const Result& result);
// The same object without the newline, appended to `out` (-w's %{json}).
void append_json_record(std::string& out, const Result& result);

// Appends one field's value as its TSV column holds it (-w writes fields so).
void append_tsv_value(std::string& out, const FieldValue& value);

// A human-readable, column-aligned line: status (or ERR), size, time, URL, then
// " -> final_url (N redirects)" or "  stage: message". ANSI colour only when `colour` is set.
// Control characters in URLs and messages are escaped so they cannot drive the terminal.
std::string format_text(const Result& result, bool colour);

// The end-of-run summary line for stderr, e.g.
// "15 URLs: 15 ok, 0 failed, 2.1 MiB in 0.83 s (18.1 req/s)" and " (interrupted)" if stopped.
std::string format_summary(const Summary& summary);

// "12 B" below 1024, otherwise one decimal in KiB, MiB or GiB: "1.4 KiB", "3.0 MiB".
std::string human_bytes(std::uint64_t bytes);

}  // namespace fetch
