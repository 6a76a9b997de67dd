// The options that keep fetch polite to servers: retries and a cap on connections per origin.
#include <CLI/CLI.hpp>
#include <cmath>
#include <string>

#include "fetch/app/options.hpp"

namespace fetch {
namespace {

// Seconds that may be 0 (which means "none" or "the default"), as curl's retry options.
CLI::Validator seconds_or_zero() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(input, value) || !std::isfinite(value)) {
          return "'" + input + "' is not a number of seconds";
        }
        if (value < 0 || value > 1'000'000) {
          return "'" + input + "' must be from 0 to 1000000 seconds";
        }
        return {};
      },
      "");
}

}  // namespace

// Connection: retries, and how many connections an origin gets.
void add_politeness_options(CLI::App& app, Options& options) {
  app.add_option("--retry", options.retry,
                 "Try a URL up to N more times after a transient failure: a connect error, a "
                 "timeout, or 408, 429, 500, 502, 503, 504 (as curl's, which needs "
                 "--retry-connrefused for refused connections); a POST that may have reached "
                 "the server is not repeated")
      ->check(CLI::Range(0u, 10000u).description(""))
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--retry-delay", options.retry_delay_s,
                 "Wait SECS before each retry; 0 (the default) waits a random time up to 1 s, "
                 "then up to 2, 4 ... 600 s (exponential back-off with full jitter; curl waits "
                 "exactly 1, 2, 4 ... s). A Retry-After from the server wins")
      ->check(seconds_or_zero())
      ->type_name("SECS");
  app.add_option("--retry-max-time", options.retry_max_time_s,
                 "Start no retry that would wait past SECS since the URL's first attempt; 0: no "
                 "limit but --retry. Each attempt has its own --max-time, as in curl")
      ->check(seconds_or_zero())
      ->type_name("SECS");
  app.add_flag("--retry-all-errors", options.retry_all_errors,
               "With --retry, retry every failure (any error, any status of 400 or more), and "
               "repeat requests that are not idempotent too")
      ->disable_flag_override();
  app.add_option("--parallel-max-host", options.parallel_max_host,
                 "Open at most N connections to one origin at a time (curl 8.16's name), "
                 "together with -j: other requests to it wait for one to come free; 0: no cap")
      ->check(CLI::Range(0u, 10000u).description(""))
      ->type_name("N");
}

}  // namespace fetch
