#pragma once
// Thresholds that fail a benchmark, in k6's style, checked against a run's statistics:
//
//   METRIC[{SELECTOR}][:AGGREGATION] OP NUMBER       e.g. total_ms:p(99)<250, failed:rate<0.01
//
//   total_ms, ttfb_ms, tls_ms, connect_ms, resolve_ms, service_ms
//              p(N) (0 <= N <= 100, p(99.9) too), avg, med, min, max, stddev: milliseconds;
//              count: how many requests were timed
//   failed     rate (failed / requests), count
//   dropped    rate (dropped / requests due), count (open model)
//   requests   count, rate (requests per second)
//   rps        no aggregation: requests per second
//
// SELECTOR limits it to one URL's requests: {url:URL} (the URL as given, credentials
// redacted; every line holding it is checked on its own) or {line:N} (input line N).
// OP is one of < <= > >= == !=. Spaces around OP are allowed.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fetch/stats/run_stats.hpp"

namespace fetch::stats {

enum class Aggregation { percentile, avg, med, min, max, stddev, count, rate, none };
enum class Comparator { less, less_equal, greater, greater_equal, equal, not_equal };

struct Threshold {
  std::string expression;  // as given
  std::string metric;      // "total_ms", "failed", "dropped", "requests", "rps"
  Aggregation aggregation = Aggregation::none;
  double percentile = 0;  // N of p(N)
  Comparator comparator = Comparator::less;
  double limit = 0;
  std::optional<std::uint64_t> line;  // {line:N}
  std::optional<std::string> url;     // {url:URL}
};

// Parses one expression; on failure, a one-line reason naming what is wrong (for a usage error).
std::variant<Threshold, std::string> parse_threshold(std::string_view expression);

// "p(99)", "avg", "rate", ... and "<", "<=", ...: for reports.
std::string aggregation_text(const Threshold& threshold);
std::string_view to_string(Comparator comparator) noexcept;

struct ThresholdOutcome {
  Threshold threshold;
  std::optional<UrlKey> scope;  // the URL block checked; nullopt: the whole run
  // The measured value; nullopt when there is nothing to measure (no request was timed, or
  // the selector matched no URL): such a threshold is crossed, so that a typo cannot pass.
  std::optional<double> value;
  // How far the value is from crossing, in the metric's unit: limit - value for < and <=,
  // value - limit for > and >=; -|value - limit| for == and |value - limit| for != (each
  // negative when crossed, 0 on the edge of <= and >=).
  double margin = 0;
  bool passed = false;
};

// Checks every threshold against `stats`: one outcome per threshold, or per matching URL
// block for a selector (one crossed outcome when none matches).
std::vector<ThresholdOutcome> check_thresholds(std::span<const Threshold> thresholds,
                                               const RunStats& stats);

}  // namespace fetch::stats
