#pragma once
// The benchmark's words for people: the percentile table and latency histogram drawn on a
// terminal at the end of a run, one line per threshold and per baseline comparison, and the
// GitHub Actions annotations for what failed.

#include <string>
#include <vector>

#include "fetch/report/summary_json.hpp"

namespace fetch {

// The percentile table (a row per metric that timed anything: count, min, p50, p90, p95,
// p99, p99.9, max, mean, stddev, in ms), the per-pass spread, and a histogram of total_ms in
// `width` columns of bars. Plain ASCII, lines ending in '\n'; empty when nothing was timed.
std::string format_bench_table(const stats::RunStats& stats, std::size_t width = 40);

// One line per threshold: "  ok       total_ms:p(99)<250  value 12.345, margin 237.655",
// "  CROSSED  ..." (or "no data"), after a "thresholds:" line; empty without thresholds.
std::string format_threshold_lines(const std::vector<stats::ThresholdOutcome>& outcomes);

// The baseline's settings, the whole run's comparison, and every URL whose comparison is a
// regression (at most `max_urls`, then how many more), with base and new medians, n, ratio
// and its interval, p; then how many URLs had each verdict.
std::string format_baseline_lines(const stats::BaselineReport& report, const std::string& file,
                                  std::size_t max_urls = 20);

// GitHub Actions workflow commands (stderr, one per line): ::error for each crossed threshold,
// each regression and failed requests, ::warning when the whole run's comparison is an
// inconclusive slowdown (::error with --fail-inconclusive). At most ten, the last counting the
// rest; messages escaped as the runner requires.
std::string github_annotations(const SummaryDocument& document);

// A one-line description of one comparison's scope: "overall", or "line 3 http://a/".
std::string scope_text(const std::optional<stats::UrlKey>& scope);

}  // namespace fetch
