#pragma once
// Comparing a run with a baseline run (--baseline, an earlier --export-json) without failing
// on noise: each side's samples are per-pass statistics, compared with compare() (compare.hpp:
// a one-sided Mann-Whitney test and the Hodges-Lehmann ratio). Overall, a sample is the median
// total_ms of one complete pass; per URL, its total_ms in one pass.
//
// A regression needs both a significant test and an estimated slowdown beyond the allowed
// percentage. Per URL, with many URLs, some would pass a test at alpha by chance alone: each is
// judged at alpha / (URLs compared) (Bonferroni), so that the chance of any false alarm among
// them stays below alpha. An inconclusive slowdown counts for the run only when it is the whole
// run's: per URL, a single request's time per pass is noisy enough that some URLs of every
// large list are slower by more than the limit without it being significant (about one in five
// in same-condition runs of 100 URLs on loopback), so those are reported, not verdicts.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fetch/stats/compare.hpp"
#include "fetch/stats/run_stats.hpp"

namespace fetch::stats {

struct BaselineSettings {
  double alpha = 0.01;
  double max_regression_percent = 5;
  double confidence = 0.95;  // of the reported intervals
};

struct BaselineComparison {
  std::optional<UrlKey> scope;  // nullopt: the whole run
  std::size_t base_n = 0;       // samples on each side
  std::size_t candidate_n = 0;
  double base_median_ms = 0;  // medians of the samples (0 without samples)
  double candidate_median_ms = 0;
  double alpha = 0;  // the level this comparison was judged at
  double max_regression_percent = 0;
  // The comparison, or why there is none (no sample on a side).
  std::optional<Comparison> comparison;
  std::string not_compared;

  bool regression() const noexcept;
  // Inconclusive, and pointing at a slowdown: significantly slower but within the limit, or
  // slower beyond it but not significantly. What --fail-inconclusive fails on.
  bool inconclusive_slowdown() const noexcept;
};

struct BaselineReport {
  BaselineSettings settings;
  std::vector<BaselineComparison> comparisons;  // the whole run first, then URLs by key
  std::size_t regressions = 0;                  // the whole run's and the URLs'
  bool inconclusive = false;     // the whole run's comparison is an inconclusive slowdown
  std::size_t url_warnings = 0;  // URLs whose comparison is an inconclusive slowdown
};

// Compares `candidate` with `base`: the whole run, then every URL block present in both.
BaselineReport compare_with_baseline(const RunStats& base, const RunStats& candidate,
                                     const BaselineSettings& settings);

// The samples compare_with_baseline() uses, in milliseconds: per complete pass, its median.
std::vector<double> pass_medians_ms(const RunStats& stats);
// Per pass, one URL's total_ms.
std::vector<double> url_samples_ms(const UrlStats& url);

}  // namespace fetch::stats
