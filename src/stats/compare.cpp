// Hodges-Lehmann estimates with their intervals, and the verdict that combines them with the
// Mann-Whitney test.
#include "fetch/stats/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "u_distribution.hpp"

namespace fetch::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool finite(std::span<const double> sample) {
  return std::all_of(sample.begin(), sample.end(), [](double v) { return std::isfinite(v); });
}

bool positive(std::span<const double> sample) {
  return std::all_of(sample.begin(), sample.end(), [](double v) { return v > 0; });
}

double median_of_sorted(const std::vector<double>& sorted) {
  const std::size_t middle = sorted.size() / 2;
  return sorted.size() % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

double median(std::span<const double> sample) {
  std::vector<double> sorted(sample.begin(), sample.end());
  std::sort(sorted.begin(), sorted.end());
  return median_of_sorted(sorted);
}

// Which order statistics bound the interval: the k-th smallest and the k-th largest pairwise
// difference, and the coverage that achieves (the rule of R's wilcox.test).
struct Bounds {
  std::size_t k = 1;
  double confidence = 0;
};

// P(lower <= shift <= upper) = 1 - 2 P(U <= k - 1), so k is the smallest with
// P(U <= k) >= (1 - confidence) / 2, or 1 when even P(U <= 0) is more than that.
Bounds exact_bounds(std::size_t m, std::size_t n, double confidence) {
  const std::vector<std::int64_t> counts = detail::exact_u_counts(m, n);
  const double total =
      static_cast<double>(std::accumulate(counts.begin(), counts.end(), std::int64_t{0}));
  const double tail = (1 - confidence) / 2;
  std::int64_t below = 0;  // orderings with U <= k - 1
  std::size_t k = 0;
  while (k + 1 < counts.size() && static_cast<double>(below + counts[k]) / total < tail) {
    below += counts[k];
    ++k;
  }
  if (k == 0) return {1, 1 - 2 * static_cast<double>(counts[0]) / total};
  return {k, 1 - 2 * static_cast<double>(below) / total};
}

// The same with U approximately normal (continuity-corrected): the largest k with
// P(U <= k - 1) ~ Phi((k - 1/2 - mn/2) / sigma) <= (1 - confidence) / 2.
Bounds normal_bounds(std::size_t m, std::size_t n, double tie_term, double confidence) {
  const double sigma = detail::u_sigma(m, n, tie_term);
  if (sigma == 0) return {1, 1};  // every value tied: every difference is the same
  const double mean = static_cast<double>(m) * static_cast<double>(n) / 2;
  const double z = detail::normal_quantile(1 - (1 - confidence) / 2);
  const double k = std::floor(mean + 0.5 - z * sigma);
  // Phi(x) as the upper tail at -x: no cancellation in 1 - (something near 1).
  if (k < 1) return {1, 1 - 2 * detail::normal_upper_tail((mean - 0.5) / sigma)};
  return {static_cast<std::size_t>(k), 1 - 2 * detail::normal_upper_tail((mean + 0.5 - k) / sigma)};
}

// The median of the differences candidate_j - base_i, and their k-th smallest and largest.
Interval shift_interval(std::span<const double> base, std::span<const double> candidate,
                        std::size_t k) {
  std::vector<double> differences;
  differences.reserve(base.size() * candidate.size());
  for (double b : base) {
    for (double c : candidate) differences.push_back(c - b);
  }
  std::sort(differences.begin(), differences.end());
  k = std::min(k, (differences.size() + 1) / 2);
  return {median_of_sorted(differences), differences[k - 1], differences[differences.size() - k]};
}

std::vector<double> logs_of(std::span<const double> sample) {
  std::vector<double> logs(sample.size());
  std::transform(sample.begin(), sample.end(), logs.begin(), [](double v) { return std::log(v); });
  return logs;
}

double change_percent(std::span<const double> base, const HodgesLehmann& estimate) {
  if (estimate.ratio) return (estimate.ratio->estimate - 1) * 100;
  const double reference = std::abs(median(base));
  return reference == 0 ? 0 : estimate.shift.estimate / reference * 100;
}

Verdict verdict_of(const Comparison& c, const Thresholds& thresholds) {
  const bool slower_significant = c.greater.p_value < thresholds.alpha;
  const bool slower_large = c.change_percent > thresholds.max_regression_percent;
  const bool faster_significant = c.less.p_value < thresholds.alpha;
  const bool faster_large = -c.change_percent > thresholds.max_regression_percent;
  if (slower_significant && slower_large) return Verdict::regression;
  if (faster_significant && faster_large) return Verdict::improvement;
  if (slower_significant || slower_large || faster_significant || faster_large) {
    return Verdict::inconclusive;
  }
  return Verdict::no_change;
}

std::string check_inputs(std::span<const double> base, std::span<const double> candidate,
                         const Thresholds& thresholds) {
  if (base.empty()) return "the base sample is empty";
  if (candidate.empty()) return "the candidate sample is empty";
  if (!finite(base)) return "the base sample has a value that is not finite";
  if (!finite(candidate)) return "the candidate sample has a value that is not finite";
  if (base.size() > kMaxPairs / candidate.size()) {
    return "the samples are too large (more than 1 000 000 pairs)";
  }
  if (!(thresholds.alpha > 0 && thresholds.alpha < 1)) return "alpha must be in (0, 1)";
  if (!(thresholds.confidence > 0 && thresholds.confidence < 1)) {
    return "the confidence level must be in (0, 1)";
  }
  if (!(thresholds.max_regression_percent >= 0) ||
      !std::isfinite(thresholds.max_regression_percent)) {
    return "the maximum regression must be a percentage >= 0";
  }
  return {};
}

}  // namespace

HodgesLehmann hodges_lehmann(std::span<const double> base, std::span<const double> candidate,
                             double confidence) {
  const Interval unknown{kNaN, kNaN, kNaN};
  if (base.empty() || candidate.empty() || !finite(base) || !finite(candidate) ||
      base.size() > kMaxPairs / candidate.size() || !(confidence > 0 && confidence < 1)) {
    return {unknown, unknown, kNaN};
  }
  const std::size_t m = base.size();
  const std::size_t n = candidate.size();
  const detail::RankSum ranks = detail::rank_sum(base, candidate);
  const Bounds bounds = detail::use_exact(m, n, ranks)
                            ? exact_bounds(m, n, confidence)
                            : normal_bounds(m, n, ranks.tie_term, confidence);
  HodgesLehmann result{shift_interval(base, candidate, bounds.k), std::nullopt, bounds.confidence};
  if (positive(base) && positive(candidate)) {
    // Logs keep the order, so the ranks, U, the ties and k are the same: only the scale changes.
    const std::vector<double> log_base = logs_of(base);
    const std::vector<double> log_candidate = logs_of(candidate);
    const Interval logs = shift_interval(log_base, log_candidate, bounds.k);
    result.ratio = Interval{std::exp(logs.estimate), std::exp(logs.lower), std::exp(logs.upper)};
  }
  return result;
}

std::string_view to_name(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::no_change:
      return "no_change";
    case Verdict::regression:
      return "regression";
    case Verdict::improvement:
      return "improvement";
    case Verdict::inconclusive:
      return "inconclusive";
  }
  return "unknown";
}

std::variant<Comparison, std::string> compare(std::span<const double> base,
                                              std::span<const double> candidate,
                                              const Thresholds& thresholds) {
  if (std::string reason = check_inputs(base, candidate, thresholds); !reason.empty()) {
    return reason;
  }
  Comparison result;
  result.greater = mann_whitney_greater(base, candidate);
  result.less = mann_whitney_greater(candidate, base);
  result.estimate = hodges_lehmann(base, candidate, thresholds.confidence);
  result.change_percent = change_percent(base, result.estimate);
  result.base_size = base.size();
  result.candidate_size = candidate.size();
  result.verdict = verdict_of(result, thresholds);
  return result;
}

}  // namespace fetch::stats
