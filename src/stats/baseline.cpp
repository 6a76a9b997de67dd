#include "fetch/stats/baseline.hpp"

#include <algorithm>
#include <variant>

namespace fetch::stats {
namespace {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

BaselineComparison compare_samples(const std::vector<double>& base,
                                   const std::vector<double>& candidate, double alpha,
                                   const BaselineSettings& settings) {
  BaselineComparison result;
  result.base_n = base.size();
  result.candidate_n = candidate.size();
  result.base_median_ms = median_of(base);
  result.candidate_median_ms = median_of(candidate);
  result.alpha = alpha;
  result.max_regression_percent = settings.max_regression_percent;
  if (base.empty() || candidate.empty()) {
    result.not_compared = base.empty() ? "no sample in the baseline" : "no sample in this run";
    return result;
  }
  auto compared = compare(base, candidate,
                          Thresholds{alpha, settings.max_regression_percent, settings.confidence});
  if (auto* reason = std::get_if<std::string>(&compared)) {
    result.not_compared = *reason;
  } else {
    result.comparison = std::get<Comparison>(compared);
  }
  return result;
}

}  // namespace

bool BaselineComparison::regression() const noexcept {
  return comparison && comparison->verdict == Verdict::regression;
}

bool BaselineComparison::inconclusive_slowdown() const noexcept {
  if (!comparison || comparison->verdict != Verdict::inconclusive) return false;
  // The test says slower (but not by enough), or the estimate says much slower (but the test
  // does not confirm it).
  return comparison->greater.p_value < alpha || comparison->change_percent > max_regression_percent;
}

std::vector<double> pass_medians_ms(const RunStats& stats) {
  std::vector<double> medians;
  for (const auto& [index, pass] : stats.passes().entries()) {
    if (pass.complete && pass.total.count() > 0) {
      medians.push_back(static_cast<double>(pass.total.quantile(0.5)) / 1000.0);
    }
  }
  return medians;
}

std::vector<double> url_samples_ms(const UrlStats& url) {
  std::vector<double> samples;
  const UrlSummary summary = url.summary();
  samples.reserve(summary.samples.entries().size());
  for (const auto& [pass, micros] : summary.samples.entries()) {
    samples.push_back(static_cast<double>(micros) / 1000.0);
  }
  return samples;
}

BaselineReport compare_with_baseline(const RunStats& base, const RunStats& candidate,
                                     const BaselineSettings& settings) {
  BaselineReport report;
  report.settings = settings;
  report.comparisons.push_back(
      compare_samples(pass_medians_ms(base), pass_medians_ms(candidate), settings.alpha, settings));
  std::vector<std::pair<const UrlStats*, const UrlStats*>> pairs;
  for (const UrlStats* url : candidate.urls().by_line()) {
    if (const UrlStats* match = base.find_url(url->line, url->url)) pairs.emplace_back(match, url);
  }
  const double per_url_alpha =
      settings.alpha / static_cast<double>(std::max<std::size_t>(pairs.size(), 1));
  for (const auto& [base_url, candidate_url] : pairs) {
    BaselineComparison comparison = compare_samples(
        url_samples_ms(*base_url), url_samples_ms(*candidate_url), per_url_alpha, settings);
    comparison.scope = UrlKey{candidate_url->line, candidate_url->url};
    report.comparisons.push_back(std::move(comparison));
  }
  for (const BaselineComparison& comparison : report.comparisons) {
    if (comparison.regression()) ++report.regressions;
    if (comparison.inconclusive_slowdown() && comparison.scope) ++report.url_warnings;
  }
  report.inconclusive = report.comparisons.front().inconclusive_slowdown();
  return report;
}

}  // namespace fetch::stats
