#pragma once
// Turns results and run summaries into the bytes of each output format.
// Every function returns one complete line including its trailing '\n'.

#include "fetch/result.hpp"

#include <string>

namespace fetch {

struct Summary;

// The TSV column names, in order, as a header comment is never printed (stable contract):
// line url final_url ok status content_length bytes redirects elapsed_ms
// error_stage error_message resolve_ms connect_ms tls_ms ttfb_ms reused
std::string format_tsv(const Result& result);

// One JSON object (JSON Lines), written with Boost.JSON.
std::string format_json(const Result& result);

// A human-readable, column-aligned line; ANSI colour when `colour` is set.
std::string format_text(const Result& result, bool colour);

// The end-of-run summary line for stderr.
std::string format_summary(const Summary& summary);

// "1.4 KiB", "12 B", "3.0 MiB": sizes for humans.
std::string human_bytes(std::uint64_t bytes);

}  // namespace fetch
