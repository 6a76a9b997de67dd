#pragma once
// How many records a run will write, counted up front for the progress line's total: a fast
// pass over the input files that finds each line's end and looks at its first non-blank byte
// (blank lines and '#' comments write no record), without reading a line as a URL.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fetch {

// The URL lines in `bytes`, the whole of one input, counted as LineSource reads them: a line
// counts unless it is blank or its first non-blank byte is '#' within the first
// kMaxLineLength bytes (a longer blank line counts: it is reported as too long).
std::uint64_t count_url_lines(std::string_view bytes);

// The records a run over `inputs` (as the command line gives them) will write: one per URL
// argument, and the URL lines of each file or of a standard input that is a regular file.
// nullopt when that cannot be known cheaply: an input is a pipe or a terminal, cannot be
// read, or the files hold more than `max_bytes` in all.
std::optional<std::uint64_t> count_records(const std::vector<std::string>& inputs,
                                           std::uint64_t max_bytes = 1ull << 30);

}  // namespace fetch
