// The benchmark's words for people: the terminal table and histogram, verdict lines, and
// GitHub Actions annotations.
#include "fetch/report/bench_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

#include "fetch/report/escape.hpp"

namespace fetch {
namespace {

using stats::Metric;

constexpr double kTableQuantiles[] = {0.5, 0.9, 0.95, 0.99, 0.999};
constexpr std::size_t kHistogramRows = 10;
constexpr std::size_t kMaxAnnotations = 9;  // and one that counts the rest

double ms(double micros) { return micros / 1000.0; }

std::string table(const stats::RunStats& stats) {
  std::string out = fmt::format(
      "{:<12}{:>9}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "latency ms", "count",
      "min", "p50", "p90", "p95", "p99", "p99.9", "max", "mean", "stddev");
  for (Metric metric : stats::kMetrics) {
    const stats::Histogram& h = stats.latency(metric);
    if (h.count() == 0) continue;
    out += fmt::format("{:<12}{:>9}{:>10.3f}", stats::to_name(metric), h.count(),
                       ms(static_cast<double>(h.min())));
    for (double q : kTableQuantiles) {
      out += fmt::format("{:>10.3f}", ms(static_cast<double>(h.quantile(q))));
    }
    out += fmt::format("{:>10.3f}{:>10.3f}{:>10.3f}\n", ms(static_cast<double>(h.max())),
                       ms(h.mean()), ms(h.stddev()));
  }
  return out;
}

// How much the passes differ: the spread of their medians, what a baseline compares.
std::string pass_spread(const stats::RunStats& stats) {
  std::vector<double> medians;
  for (const auto& [index, pass] : stats.passes().entries()) {
    if (pass.complete && pass.total.count() > 0) {
      medians.push_back(ms(static_cast<double>(pass.total.quantile(0.5))));
    }
  }
  if (medians.size() < 2) return {};
  std::sort(medians.begin(), medians.end());
  return fmt::format("{} complete passes: median total_ms per pass from {:.3f} to {:.3f} ms\n",
                     medians.size(), medians.front(), medians.back());
}

// Rows of a histogram between min and max: geometric bins when the range spans more than a
// factor of 8 (latencies are skewed), equal ones otherwise.
std::string histogram(const stats::Histogram& h, std::size_t width) {
  if (h.count() == 0) return {};
  const double low = std::max<double>(static_cast<double>(h.min()), 1);
  const double high = std::max<double>(static_cast<double>(h.max()), low + 1);
  const bool geometric = high / low > 8;
  std::vector<double> edges;  // upper edges, in microseconds
  for (std::size_t i = 1; i <= kHistogramRows; ++i) {
    const double f = static_cast<double>(i) / kHistogramRows;
    edges.push_back(geometric ? low * std::pow(high / low, f) : low + (high - low) * f);
  }
  std::vector<std::uint64_t> counts;
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const std::uint64_t up_to =
        i + 1 == edges.size() ? h.count() : h.count_up_to(static_cast<std::uint64_t>(edges[i]));
    counts.push_back(up_to - std::min(up_to, below));
    below = std::max(below, up_to);
  }
  const std::uint64_t most = *std::max_element(counts.begin(), counts.end());
  std::string out = "total_ms distribution (ms, up to)\n";
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const auto bar = most == 0 ? 0
                               : static_cast<std::size_t>(std::llround(
                                     static_cast<double>(counts[i]) * static_cast<double>(width) /
                                     static_cast<double>(most)));
    out += fmt::format("{:>10.3f} | {:<{}} {}\n", ms(edges[i]), std::string(bar, '#'), width,
                       counts[i]);
  }
  return out;
}

std::string value_text(double value) { return fmt::format("{:.6g}", value); }

std::string ratio_text(const stats::Comparison& c) {
  if (!c.estimate.ratio) return fmt::format("change {:+.1f}%", c.change_percent);
  return fmt::format("ratio {:.3f} [{:.3f}, {:.3f}]", c.estimate.ratio->estimate,
                     c.estimate.ratio->lower, c.estimate.ratio->upper);
}

std::string verdict_word(const stats::BaselineComparison& c) {
  if (!c.comparison) return "not compared";
  if (c.regression()) return "REGRESSION";
  if (c.inconclusive_slowdown()) return "inconclusive";
  return std::string{stats::to_name(c.comparison->verdict)};
}

std::string comparison_line(const stats::BaselineComparison& c) {
  std::string line = fmt::format("  {:<13}{}: base {:.3f} ms (n {}), new {:.3f} ms (n {})",
                                 verdict_word(c), terminal_safe(scope_text(c.scope)),
                                 c.base_median_ms, c.base_n, c.candidate_median_ms, c.candidate_n);
  if (c.comparison) {
    line += fmt::format(", {}, p {:.2g}", ratio_text(*c.comparison), c.comparison->greater.p_value);
  } else {
    line += ": " + c.not_compared;
  }
  return line + "\n";
}

// The escapes of GitHub's workflow commands: data and properties.
std::string command_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string annotation(std::string_view level, std::string_view title, std::string_view text) {
  std::string escaped_title = command_data(title);
  std::string property;
  for (char c : escaped_title) {
    if (c == ':') {
      property += "%3A";
    } else if (c == ',') {
      property += "%2C";
    } else {
      property += c;
    }
  }
  return fmt::format("::{} title={}::{}\n", level, property, command_data(text));
}

std::string threshold_text(const stats::ThresholdOutcome& o) {
  std::string text = o.threshold.expression;
  if (o.scope) text += " (" + scope_text(o.scope) + ")";
  if (!o.value) return text + ": no data";
  return fmt::format("{}: value {}, margin {}", text, value_text(*o.value), value_text(o.margin));
}

}  // namespace

std::string scope_text(const std::optional<stats::UrlKey>& scope) {
  if (!scope) return "overall";
  return fmt::format("line {} {}", scope->first, scope->second);
}

std::string format_bench_table(const stats::RunStats& stats, std::size_t width) {
  if (stats.latency(Metric::total).count() == 0) return {};
  return table(stats) + pass_spread(stats) + histogram(stats.latency(Metric::total), width);
}

std::string format_threshold_lines(const std::vector<stats::ThresholdOutcome>& outcomes) {
  if (outcomes.empty()) return {};
  std::string out = "thresholds:\n";
  for (const stats::ThresholdOutcome& o : outcomes) {
    out +=
        fmt::format("  {:<9}{}\n", o.passed ? "ok" : "CROSSED", terminal_safe(threshold_text(o)));
  }
  return out;
}

std::string format_baseline_lines(const stats::BaselineReport& report, const std::string& file,
                                  std::size_t max_urls) {
  std::string out = fmt::format(
      "baseline {}: total_ms per pass, alpha {} (per URL: divided by the URLs compared), "
      "max regression {}%\n",
      terminal_safe(file), report.settings.alpha, report.settings.max_regression_percent);
  std::size_t shown = 0;
  std::size_t hidden = 0;
  std::map<std::string, std::size_t> verdicts;
  for (std::size_t i = 0; i < report.comparisons.size(); ++i) {
    const stats::BaselineComparison& c = report.comparisons[i];
    if (i > 0) ++verdicts[verdict_word(c)];
    const bool notable = i == 0 || c.regression();  // per URL, regressions are the verdicts
    if (!notable) continue;
    if (i > 0 && shown == max_urls) {
      ++hidden;
      continue;
    }
    if (i > 0) ++shown;
    out += comparison_line(c);
  }
  if (hidden > 0)
    out += fmt::format("  ... and {} more URLs like these (see --export-json)\n", hidden);
  if (!verdicts.empty()) {
    std::string counts;
    for (const auto& [word, count] : verdicts) {
      counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", count, word);
    }
    out += fmt::format("  per URL: {}\n", counts);
  }
  return out;
}

std::string github_annotations(const SummaryDocument& document) {
  std::string out;
  std::size_t written = 0;
  std::size_t more = 0;
  // GitHub shows at most 10 annotations of a kind per step: the rest are counted in one.
  const auto add = [&](std::string_view level, std::string_view title, std::string_view text) {
    if (written == kMaxAnnotations) {
      ++more;
      return;
    }
    ++written;
    out += annotation(level, title, text);
  };
  const Verdicts& verdicts = document.verdicts;
  for (const stats::ThresholdOutcome& o : verdicts.thresholds) {
    if (!o.passed) add("error", "fetch: threshold crossed", threshold_text(o));
  }
  if (verdicts.baseline) {
    for (const stats::BaselineComparison& c : verdicts.baseline->comparisons) {
      std::string line = comparison_line(c);
      line = line.substr(line.find_first_not_of(' '));
      line.pop_back();
      if (c.regression()) {
        add("error", "fetch: regression", line);
      } else if (c.inconclusive_slowdown() && !c.scope) {
        add(verdicts.fail_inconclusive ? "error" : "warning", "fetch: inconclusive comparison",
            line);
      }
    }
  }
  if (verdicts.exit_status == 1) {
    const stats::Counts& totals = document.stats.totals();
    add("error", "fetch: requests failed",
        fmt::format("{} of {} requests failed", totals.failed, totals.requests));
  }
  if (more > 0) {
    out += annotation("error", "fetch: more failures",
                      fmt::format("{} more (see the step summary or --export-json)", more));
  }
  return out;
}

}  // namespace fetch
