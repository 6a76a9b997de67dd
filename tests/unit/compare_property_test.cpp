// The comparison's error rates on simulated benchmark passes (deterministic, seeded): how
// often two samples of one distribution are called significantly different, how often a real
// 20% slowdown is caught, and how often the intervals cover the true ratio.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "fetch/stats/compare.hpp"

namespace fetch::stats {
namespace {

using Sample = std::vector<double>;
constexpr int kRepetitions = 1000;

// Per-pass timings: log-normal around `scale` with a spread of `sigma` (0.1: about 10%).
// Box-Muller over mt19937_64's raw output, whose sequence the standard fixes, unlike
// std::normal_distribution's: the same numbers with every standard library.
class Passes {
 public:
  explicit Passes(std::uint64_t seed) : rng_(seed) {}

  Sample draw(std::size_t n, double scale, double sigma, double rounding = 0) {
    Sample sample(n);
    for (double& value : sample) {
      value = scale * std::exp(sigma * normal());
      if (rounding > 0) value = std::round(value / rounding) * rounding;
    }
    return sample;
  }

 private:
  double uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1p-53; }  // (0, 1)
  double normal() {
    return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * 3.14159265358979323846 * uniform());
  }
  std::mt19937_64 rng_;
};

struct Rates {
  double significant = 0;  // greater.p_value < alpha
  double regression = 0;   // the verdict said so
  double covered = 0;      // the ratio's interval holds the true ratio
  double exact = 0;        // the exact distribution applied (no ties)
};

Rates simulate(std::uint64_t seed, std::size_t n, double true_ratio, double sigma = 0.1,
               double rounding = 0) {
  Passes passes(seed);
  const Thresholds thresholds{.alpha = 0.01, .max_regression_percent = 5, .confidence = 0.95};
  int significant = 0, regression = 0, covered = 0, exact = 0;
  for (int i = 0; i < kRepetitions; ++i) {
    const Sample base = passes.draw(n, 1000, sigma, rounding);
    const Sample candidate = passes.draw(n, 1000 * true_ratio, sigma, rounding);
    auto result = compare(base, candidate, thresholds);
    if (!std::holds_alternative<Comparison>(result)) {
      ADD_FAILURE() << std::get<std::string>(result);
      return {};
    }
    const Comparison& c = std::get<Comparison>(result);
    significant += c.greater.p_value < thresholds.alpha;
    regression += c.verdict == Verdict::regression;
    covered += c.estimate.ratio->lower <= true_ratio && true_ratio <= c.estimate.ratio->upper;
    exact += c.greater.exact;
  }
  return {significant / double{kRepetitions}, regression / double{kRepetitions},
          covered / double{kRepetitions}, exact / double{kRepetitions}};
}

TEST(StatsCompareProperty, SameDistributionIsSignificantAboutAlphaOfTheTime) {
  for (std::size_t n : {10, 40}) {  // the exact test, then the normal approximation
    const Rates rates = simulate(n, n, 1.0);
    RecordProperty("false_positive_rate_n" + std::to_string(n), std::to_string(rates.significant));
    EXPECT_LT(rates.significant, 0.03) << "n = " << n;
    EXPECT_LE(rates.regression, rates.significant);
  }
}

TEST(StatsCompareProperty, TiedValuesKeepTheFalsePositiveRate) {
  // Rounded to 10 (about 1% of the values): many ties, so the tie-corrected approximation.
  const Rates rates = simulate(99, 10, 1.0, 0.1, 10);
  RecordProperty("false_positive_rate_ties", std::to_string(rates.significant));
  EXPECT_LT(rates.exact, 0.2);
  EXPECT_LT(rates.significant, 0.03);
}

TEST(StatsCompareProperty, TwentyPercentSlowerIsDetectedWithTenPasses) {
  // With 10% noise per pass the shift is 1.8 standard deviations of log time: the test's
  // power at one-sided alpha 0.01 is about 0.9 there, and all but certain at 5% noise.
  const Rates noisy = simulate(7, 10, 1.2, 0.1);
  const Rates quiet = simulate(8, 10, 1.2, 0.05);
  RecordProperty("power_n10_20pct_noise10", std::to_string(noisy.regression));
  RecordProperty("power_n10_20pct_noise5", std::to_string(quiet.regression));
  EXPECT_GT(noisy.significant, 0.85);
  EXPECT_GT(noisy.regression, 0.85);
  EXPECT_GT(quiet.regression, 0.99);
}

TEST(StatsCompareProperty, IntervalsCoverTheTrueRatio) {
  for (std::size_t n : {10, 40}) {
    const Rates rates = simulate(1000 + n, n, 1.1);
    RecordProperty("coverage_n" + std::to_string(n), std::to_string(rates.covered));
    EXPECT_GT(rates.covered, 0.93) << "n = " << n;  // asked for 0.95
    EXPECT_LT(rates.covered, 0.98) << "n = " << n;
  }
}

}  // namespace
}  // namespace fetch::stats
