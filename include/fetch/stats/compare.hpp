#pragma once
// Comparing a candidate build with a baseline from a few repeated passes each (3 to ~100
// per-pass statistics, such as each pass's median latency): is the candidate slower, by how
// much, and does that fail the check?
//
// Distribution-free methods, since pass timings are skewed and have outliers:
// - the Mann-Whitney U test (Mann and Whitney 1947; Hollander, Wolfe and Chicken,
//   "Nonparametric Statistical Methods", 3rd ed., section 4.1), as Google Benchmark's
//   tools/compare.py runs it through scipy.stats.mannwhitneyu, here one-sided;
// - the Hodges-Lehmann estimate of the shift, with the distribution-free confidence interval
//   from the order statistics of the pairwise differences (Hollander et al. sections 4.2 and
//   4.3; the rule of R's wilcox.test(conf.int = TRUE)).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace fetch::stats {

// The exact null distribution of U is used when there are no ties and both samples have at
// most this many values; otherwise the normal approximation. scipy's method="auto" stops at
// 8 values, R's wilcox.test at 50; beyond 30 the two differ by less than ~0.002 near p = 0.05,
// and 30 x 30 keeps the exact counts (C(60, 30) ~ 1.2e17) in 64-bit integers.
inline constexpr std::size_t kExactMaxSampleSize = 30;

// The Hodges-Lehmann estimates use every pairwise difference; larger inputs are refused.
inline constexpr std::size_t kMaxPairs = 1'000'000;

struct MannWhitney {
  // Pairs (base_i, candidate_j) with candidate_j > base_i, each tie counting 1/2 (scipy's
  // U1 for x = candidate). Between 0 and n_base * n_candidate; half that when neither is
  // stochastically greater.
  double u = 0;
  // P(U >= u) when the two samples come from one distribution: small means the candidate
  // tends to be greater.
  double p_value = 1;
  // The exact permutation distribution of U (no ties, both sizes <= kExactMaxSampleSize),
  // or the normal approximation with the tie correction of the variance and a continuity
  // correction of 1/2.
  bool exact = false;
};

// The one-sided test of "candidate is stochastically greater than base". Both samples must
// be non-empty and finite (compare() checks); otherwise returns u = 0, p_value = 1. A sample
// whose values are all equal to the other's gives p_value = 1.
MannWhitney mann_whitney_greater(std::span<const double> base, std::span<const double> candidate);

struct Interval {
  double estimate = 0;
  double lower = 0;
  double upper = 0;
};

struct HodgesLehmann {
  // candidate - base, in the samples' unit: the median of all n_base * n_candidate
  // differences candidate_j - base_i, and the interval between two of their order statistics.
  Interval shift;
  // candidate / base: the same on log values, exponentiated ("1.12" is 12% slower). Only when
  // every value is > 0.
  std::optional<Interval> ratio;
  // The intervals' coverage, at least the requested confidence: U takes discrete values, so
  // the interval is the narrowest pair of order statistics that reaches it. For tiny samples
  // that may be unreachable; the interval is then all the differences, with this below the
  // request (n = 3 + 3 reaches 0.90 at most).
  double confidence = 0;
};

// The shift and ratio of candidate over base with two-sided intervals at `confidence` (in
// (0, 1)). Exact order statistics under the same rule as mann_whitney_greater(), else the
// normal approximation. Requires non-empty finite samples with at most kMaxPairs pairs and
// a confidence in (0, 1) (compare() checks); otherwise every field is NaN.
HodgesLehmann hodges_lehmann(std::span<const double> base, std::span<const double> candidate,
                             double confidence);

enum class Verdict {
  no_change,     // neither a significant nor a large difference
  regression,    // significantly greater, and by more than the allowed percentage
  improvement,   // significantly smaller, and by more than the allowed percentage
  inconclusive,  // one of the two in either direction: significant but small, or large but noisy
};

// "no_change", "regression", "improvement", "inconclusive": stable names for reports.
std::string_view to_name(Verdict verdict) noexcept;

struct Thresholds {
  double alpha = 0.01;                // one-sided significance level of each direction
  double max_regression_percent = 5;  // a larger estimated change counts as large
  double confidence = 0.95;           // of the reported intervals
};

// Everything a report needs to say about one metric, as a plain value.
struct Comparison {
  Verdict verdict = Verdict::no_change;
  // The estimated change of candidate over base in percent, positive when the candidate is
  // greater (slower, for times): (ratio - 1) * 100, or, when some value is <= 0,
  // shift / |median of base| * 100 (0 if that median is 0).
  double change_percent = 0;
  MannWhitney greater;  // is the candidate greater?
  MannWhitney less;     // is it smaller? (U and p of the test with the samples swapped)
  HodgesLehmann estimate;
  std::size_t base_size = 0;
  std::size_t candidate_size = 0;
};

// Compares candidate with base: regression when greater.p_value < alpha and change_percent
// > max_regression_percent; improvement when less.p_value < alpha and -change_percent >
// max_regression_percent; inconclusive when only one of the two holds in either direction;
// no change otherwise. Fails, with a one-line reason, for an empty sample, a value that is
// not finite, more than kMaxPairs pairs, alpha or confidence outside (0, 1), or a negative
// or non-finite max_regression_percent.
std::variant<Comparison, std::string> compare(std::span<const double> base,
                                              std::span<const double> candidate,
                                              const Thresholds& thresholds);

}  // namespace fetch::stats
