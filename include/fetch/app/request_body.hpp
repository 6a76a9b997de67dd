#pragma once
// The request the options describe, with its body read from the command line, files or
// standard input before the run starts.

#include <optional>
#include <string>
#include <vector>

#include "fetch/app/options.hpp"
#include "fetch/core/request.hpp"

namespace fetch {

// The body the -d, --data-raw, --data-binary and --json parts make, joined as curl 7.88
// joins them: '&' before each -d, --data-raw or --data-binary part that follows another
// part, --json parts as they come. @FILE is read whole (for -d without its CR and LF
// bytes, as curl reads it), @- reads standard input to its end. Nothing when there are no
// parts. Throws SetupError (a usage error) naming a file that cannot be read.
std::optional<std::string> join_body(const std::vector<DataArgument>& parts);

// What `options` say about the request, its body read by join_body (which may throw).
RequestOptions request_options(const Options& options);

}  // namespace fetch
