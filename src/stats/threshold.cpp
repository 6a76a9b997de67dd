// Threshold expressions: the parser, and checking them against a run's statistics.
#include "fetch/stats/threshold.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace fetch::stats {
namespace {

constexpr std::string_view kSpaces = " \t";

std::string_view trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpaces) - first + 1);
}

// A finite decimal number, all of `text` (strtod: "0.01", "250", "1e3").
std::optional<double> number(std::string_view text) {
  const std::string copy{trim(text)};
  if (copy.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

bool is_latency(std::string_view metric) { return metric_named(metric).has_value(); }

// Which aggregations each metric takes.
std::string check_aggregation(const Threshold& t) {
  const Aggregation a = t.aggregation;
  if (is_latency(t.metric)) {
    if (a == Aggregation::rate || a == Aggregation::none) {
      return fmt::format("'{}' needs an aggregation: p(N), avg, med, min, max, stddev or count",
                         t.metric);
    }
    return {};
  }
  if (t.metric == "failed" || t.metric == "dropped") {
    if (a != Aggregation::rate && a != Aggregation::count) {
      return fmt::format("'{}' takes :rate or :count", t.metric);
    }
    return {};
  }
  if (t.metric == "requests") {
    if (a != Aggregation::rate && a != Aggregation::count)
      return "'requests' takes :rate or :count";
    return {};
  }
  if (t.metric == "rps") {
    if (a != Aggregation::none) return "'rps' takes no aggregation: rps>=100";
    return {};
  }
  return fmt::format(
      "unknown metric '{}' (known: total_ms, ttfb_ms, tls_ms, connect_ms, resolve_ms, "
      "service_ms, failed, dropped, requests, rps)",
      t.metric);
}

std::string parse_aggregation(std::string_view text, Threshold& t) {
  static constexpr std::array<std::pair<std::string_view, Aggregation>, 8> kNames{{
      {"avg", Aggregation::avg},
      {"med", Aggregation::med},
      {"min", Aggregation::min},
      {"max", Aggregation::max},
      {"stddev", Aggregation::stddev},
      {"count", Aggregation::count},
      {"rate", Aggregation::rate},
      {"", Aggregation::none},
  }};
  text = trim(text);
  if (text.starts_with("p(") && text.ends_with(")")) {
    const std::optional<double> n = number(text.substr(2, text.size() - 3));
    if (!n || *n < 0 || *n > 100) return fmt::format("'{}': N in p(N) must be from 0 to 100", text);
    t.aggregation = Aggregation::percentile;
    t.percentile = *n;
    return {};
  }
  for (const auto& [name, aggregation] : kNames) {
    if (text == name && !name.empty()) {
      t.aggregation = aggregation;
      return {};
    }
  }
  return fmt::format("unknown aggregation '{}' (p(N), avg, med, min, max, stddev, count, rate)",
                     text);
}

std::string parse_selector(std::string_view text, Threshold& t) {
  if (text.starts_with("url:") && text.size() > 4) {
    t.url = std::string{text.substr(4)};
    return {};
  }
  if (text.starts_with("line:")) {
    const std::string_view digits = text.substr(5);
    std::uint64_t line = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), line);
    if (error == std::errc{} && end == digits.data() + digits.size() && line > 0) {
      t.line = line;
      return {};
    }
  }
  return fmt::format("selector '{{{}}}' is not {{url:URL}} or {{line:N}}", text);
}

// Splits "LEFT OP NUMBER" at its comparison operator (the first '<', '>', '=' or '!').
std::string parse_comparison(std::string_view text, std::string_view& left, Threshold& t) {
  // A {url:...} selector may hold any of these itself: look after it.
  const std::size_t close = text.rfind('}');
  const std::size_t at = text.find_first_of("<>=!", close == std::string_view::npos ? 0 : close);
  if (at == std::string_view::npos) return "no comparison: use <, <=, >, >=, == or !=";
  static constexpr std::array<std::pair<std::string_view, Comparator>, 6> kOps{{
      {"<=", Comparator::less_equal},
      {">=", Comparator::greater_equal},
      {"==", Comparator::equal},
      {"!=", Comparator::not_equal},
      {"<", Comparator::less},
      {">", Comparator::greater},
  }};
  const std::string_view rest = text.substr(at);
  for (const auto& [spelling, comparator] : kOps) {
    if (!rest.starts_with(spelling)) continue;
    const std::optional<double> limit = number(rest.substr(spelling.size()));
    if (!limit) {
      return fmt::format("'{}' is not a number", trim(rest.substr(spelling.size())));
    }
    t.comparator = comparator;
    t.limit = *limit;
    left = text.substr(0, at);
    return {};
  }
  return fmt::format("'{}' is not a comparison: use <, <=, >, >=, == or !=", rest.substr(0, 2));
}

// Splits the left side into the metric, the {selector} and the :aggregation.
std::string parse_left(std::string_view left, Threshold& t) {
  left = trim(left);
  std::string_view aggregation;
  const std::size_t brace = left.find('{');
  if (brace != std::string_view::npos) {
    const std::size_t close = left.rfind('}');
    if (close == std::string_view::npos || close < brace) return "a '{' without its '}'";
    if (std::string reason = parse_selector(left.substr(brace + 1, close - brace - 1), t);
        !reason.empty()) {
      return reason;
    }
    const std::string_view after = trim(left.substr(close + 1));
    if (!after.empty() && after.front() != ':') return fmt::format("unexpected '{}'", after);
    if (!after.empty()) aggregation = after.substr(1);
    t.metric = std::string{trim(left.substr(0, brace))};
  } else {
    const std::size_t colon = left.find(':');
    t.metric = std::string{trim(left.substr(0, colon))};
    if (colon != std::string_view::npos) aggregation = left.substr(colon + 1);
  }
  if (t.metric.empty()) return "no metric before the comparison";
  if (!aggregation.empty() || left.find(':') != std::string_view::npos) {
    if (std::string reason = parse_aggregation(aggregation, t); !reason.empty()) return reason;
  }
  return check_aggregation(t);
}

bool holds(Comparator comparator, double value, double limit) {
  switch (comparator) {
    case Comparator::less:
      return value < limit;
    case Comparator::less_equal:
      return value <= limit;
    case Comparator::greater:
      return value > limit;
    case Comparator::greater_equal:
      return value >= limit;
    case Comparator::equal:
      return value == limit;
    case Comparator::not_equal:
      return value != limit;
  }
  return false;
}

double margin_of(Comparator comparator, double value, double limit) {
  switch (comparator) {
    case Comparator::less:
    case Comparator::less_equal:
      return limit - value;
    case Comparator::greater:
    case Comparator::greater_equal:
      return value - limit;
    case Comparator::equal:
      return value == limit ? 0 : -std::abs(value - limit);
    case Comparator::not_equal:
      return std::abs(value - limit);
  }
  return 0;
}

template <class H>
std::optional<double> latency_value(const Threshold& t, const H& histogram) {
  if (t.aggregation == Aggregation::count) return static_cast<double>(histogram.count());
  if (histogram.count() == 0) return std::nullopt;
  const auto ms = [](double micros) { return micros / 1000.0; };
  switch (t.aggregation) {
    case Aggregation::percentile:
      return ms(static_cast<double>(histogram.quantile(t.percentile / 100)));
    case Aggregation::med:
      return ms(static_cast<double>(histogram.quantile(0.5)));
    case Aggregation::avg:
      return ms(histogram.mean());
    case Aggregation::min:
      return ms(static_cast<double>(histogram.min()));
    case Aggregation::max:
      return ms(static_cast<double>(histogram.max()));
    case Aggregation::stddev:
      return ms(histogram.stddev());
    default:
      return std::nullopt;
  }
}

std::optional<double> counts_value(const Threshold& t, const Counts& counts, double elapsed_s) {
  const bool rate = t.aggregation == Aggregation::rate;
  if (t.metric == "failed") {
    return rate ? counts.failed_rate() : static_cast<double>(counts.failed);
  }
  if (t.metric == "dropped") {
    return rate ? counts.dropped_rate() : static_cast<double>(counts.dropped);
  }
  // requests and rps
  if (t.aggregation == Aggregation::count) return static_cast<double>(counts.requests);
  if (elapsed_s <= 0) return std::nullopt;
  return static_cast<double>(counts.requests) / elapsed_s;
}

ThresholdOutcome outcome(const Threshold& t, std::optional<UrlKey> scope,
                         std::optional<double> value) {
  ThresholdOutcome result{t, std::move(scope), value, 0, false};
  if (value) {
    result.margin = margin_of(t.comparator, *value, t.limit);
    result.passed = holds(t.comparator, *value, t.limit);
  }
  return result;
}

}  // namespace

std::variant<Threshold, std::string> parse_threshold(std::string_view expression) {
  Threshold t;
  t.expression = std::string{trim(expression)};
  std::string_view left;
  std::string reason = parse_comparison(t.expression, left, t);
  if (reason.empty()) reason = parse_left(left, t);
  if (!reason.empty()) return fmt::format("threshold '{}': {}", t.expression, reason);
  return t;
}

std::string aggregation_text(const Threshold& t) {
  switch (t.aggregation) {
    case Aggregation::percentile:
      return fmt::format("p({})", t.percentile);
    case Aggregation::avg:
      return "avg";
    case Aggregation::med:
      return "med";
    case Aggregation::min:
      return "min";
    case Aggregation::max:
      return "max";
    case Aggregation::stddev:
      return "stddev";
    case Aggregation::count:
      return "count";
    case Aggregation::rate:
      return "rate";
    case Aggregation::none:
      break;
  }
  return "";
}

std::string_view to_string(Comparator comparator) noexcept {
  switch (comparator) {
    case Comparator::less:
      return "<";
    case Comparator::less_equal:
      return "<=";
    case Comparator::greater:
      return ">";
    case Comparator::greater_equal:
      return ">=";
    case Comparator::equal:
      return "==";
    case Comparator::not_equal:
      return "!=";
  }
  return "?";
}

std::vector<ThresholdOutcome> check_thresholds(std::span<const Threshold> thresholds,
                                               const RunStats& stats) {
  std::vector<ThresholdOutcome> outcomes;
  for (const Threshold& t : thresholds) {
    const std::optional<Metric> metric = metric_named(t.metric);
    if (!t.line && !t.url) {
      outcomes.push_back(outcome(t, std::nullopt,
                                 metric ? latency_value(t, stats.latency(*metric))
                                        : counts_value(t, stats.totals(), stats.elapsed_s())));
      continue;
    }
    bool matched = false;
    for (const UrlStats* url : stats.urls().by_line()) {
      if ((t.line && url->line != *t.line) || (t.url && url->url != *t.url)) continue;
      matched = true;
      outcomes.push_back(outcome(t, UrlKey{url->line, url->url},
                                 metric
                                     ? latency_value(t, url->histogram(*metric))
                                     : counts_value(t, url->summary().counts, stats.elapsed_s())));
    }
    if (!matched) outcomes.push_back(outcome(t, std::nullopt, std::nullopt));
  }
  return outcomes;
}

}  // namespace fetch::stats
