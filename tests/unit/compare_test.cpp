// Comparing a candidate with a baseline: the Mann-Whitney test and the Hodges-Lehmann
// intervals against values computed from first principles (compare_reference.py), the exact
// distribution against brute force, and the verdict's error rates on simulated passes.
#include "fetch/stats/compare.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <variant>
#include <vector>

namespace fetch::stats {
namespace {

using Sample = std::vector<double>;

// R's ?wilcox.test example (Hollander and Wolfe 1973, p. 69): R prints W = 35, p = 0.1272.
const Sample kRBase = {1.15, 0.88, 0.90, 0.74, 1.21};
const Sample kRCandidate = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};

Comparison compared(const Sample& base, const Sample& candidate, const Thresholds& t = {}) {
  auto result = compare(base, candidate, t);
  if (auto* reason = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *reason;
    return {};
  }
  return std::get<Comparison>(result);
}

TEST(StatsCompare, MannWhitneyMatchesTheReferenceValues) {
  const MannWhitney r = mann_whitney_greater(kRBase, kRCandidate);
  EXPECT_EQ(r.u, 35);
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.p_value, 0.1272061272061272, 1e-15);

  const MannWhitney separated = mann_whitney_greater(Sample{1, 2, 3}, Sample{4, 5, 6});
  EXPECT_EQ(separated.u, 9);
  EXPECT_NEAR(separated.p_value, 0.05, 1e-15);  // 1 of C(6, 3) = 20 orderings

  const MannWhitney ten =
      mann_whitney_greater(Sample{10.1, 10.4, 9.8, 10.0, 10.7, 9.9, 10.2, 10.3, 9.7, 10.5},
                           Sample{10.6, 10.9, 10.45, 11.2, 10.05, 10.8, 11.0, 10.35, 10.75, 11.4});
  EXPECT_EQ(ten.u, 88);
  EXPECT_NEAR(ten.p_value, 0.001439736733854381, 1e-15);
}

TEST(StatsCompare, TiesUseTheCorrectedNormalApproximation) {
  const Sample base = {5, 6, 6, 7, 7, 7, 8, 9, 9, 10, 11, 12};
  const Sample candidate = {6, 7, 8, 8, 9, 9, 10, 10, 11, 12, 12, 13};
  const MannWhitney result = mann_whitney_greater(base, candidate);
  EXPECT_FALSE(result.exact);
  EXPECT_EQ(result.u, 100);
  EXPECT_NEAR(result.p_value, 0.054728321638655195, 1e-12);  // the exact conditional: 0.05458

  const MannWhitney all_tied = mann_whitney_greater(Sample{3, 3, 3}, Sample{3, 3});
  EXPECT_EQ(all_tied.u, 3);
  EXPECT_EQ(all_tied.p_value, 1);
}

// Every split of the ranks 1..m+n into the two samples, against the tail counted directly.
TEST(StatsCompare, ExactDistributionMatchesBruteForce) {
  for (auto [m, n] : {std::pair{1, 1}, {1, 4}, {2, 3}, {4, 4}, {3, 7}, {6, 6}, {8, 9}}) {
    const int total = m + n;
    std::vector<std::uint64_t> masks;
    std::vector<int> u_of_mask;
    std::vector<double> u_counts(static_cast<std::size_t>(m * n + 1), 0);
    for (std::uint32_t mask = 0; mask < (1u << total); ++mask) {
      if (std::popcount(mask) != n) continue;
      int u = 0, base_below = 0;  // candidate ranks in `mask`; U counts base values below each
      for (int rank = 0; rank < total; ++rank) {
        if (mask & (1u << rank)) {
          u += base_below;
        } else {
          ++base_below;
        }
      }
      masks.push_back(mask);
      u_of_mask.push_back(u);
      ++u_counts[static_cast<std::size_t>(u)];
    }
    const double orderings = static_cast<double>(masks.size());
    for (std::size_t i = 0; i < masks.size(); ++i) {
      Sample base, candidate;
      for (int rank = 0; rank < total; ++rank) {
        ((masks[i] & (1u << rank)) ? candidate : base).push_back(rank);
      }
      double tail = 0;
      for (int u = u_of_mask[i]; u <= m * n; ++u) tail += u_counts[static_cast<std::size_t>(u)];
      const MannWhitney result = mann_whitney_greater(base, candidate);
      ASSERT_TRUE(result.exact);
      ASSERT_EQ(result.u, u_of_mask[i]);
      ASSERT_NEAR(result.p_value, tail / orderings, 1e-14) << m << "x" << n;
    }
  }
}

TEST(StatsCompare, ExactDistributionReachesThirtyByThirty) {
  Sample base, candidate;
  for (int i = 0; i < 30; ++i) {
    base.push_back(i);
    candidate.push_back(100 + i);
  }
  const MannWhitney result = mann_whitney_greater(base, candidate);
  EXPECT_TRUE(result.exact);
  EXPECT_NEAR(result.p_value * 118264581564861424.0, 1, 1e-12);  // 1 / C(60, 30)
  EXPECT_EQ(mann_whitney_greater(candidate, base).p_value, 1);
  candidate.push_back(200);
  EXPECT_FALSE(mann_whitney_greater(base, candidate).exact);  // 31 values: the approximation
}

TEST(StatsCompare, HodgesLehmannMatchesTheReferenceValues) {
  const HodgesLehmann r = hodges_lehmann(kRBase, kRCandidate, 0.95);
  EXPECT_NEAR(r.shift.estimate, 0.305, 1e-12);
  EXPECT_NEAR(r.shift.lower, -0.15, 1e-12);
  EXPECT_NEAR(r.shift.upper, 0.76, 1e-12);
  EXPECT_NEAR(r.confidence, 0.9600399600399601, 1e-12);
  ASSERT_TRUE(r.ratio);
  EXPECT_NEAR(r.ratio->estimate, 1.3117671370783737, 1e-12);
  EXPECT_NEAR(r.ratio->lower, 0.859504132231405, 1e-12);
  EXPECT_NEAR(r.ratio->upper, 1.9594594594594594, 1e-12);

  // Three against three cannot reach 95%: all nine differences, at 1 - 2/20.
  const HodgesLehmann tiny = hodges_lehmann(Sample{1, 2, 3}, Sample{4, 5, 6}, 0.95);
  EXPECT_EQ(tiny.shift.estimate, 3);
  EXPECT_EQ(tiny.shift.lower, 1);
  EXPECT_EQ(tiny.shift.upper, 5);
  EXPECT_NEAR(tiny.confidence, 0.9, 1e-15);
  EXPECT_NEAR(tiny.ratio->estimate, 2.5, 1e-12);
}

TEST(StatsCompare, RatioNeedsPositiveValues) {
  const HodgesLehmann result = hodges_lehmann(Sample{-1, 0, 1}, Sample{2, 3, 4}, 0.9);
  EXPECT_FALSE(result.ratio);
  EXPECT_EQ(result.shift.estimate, 3);
  const Comparison comparison = compared(Sample{-1, 0, 1}, Sample{2, 3, 4});
  EXPECT_EQ(comparison.change_percent, 0);  // the base's median is 0: no scale to relate to
  EXPECT_NEAR(compared(Sample{-4, 2, 4}, Sample{4, 5, 6}).change_percent, 150, 1e-12);
}

TEST(StatsCompare, Verdicts) {
  const Sample base = {100, 101, 99, 100.5, 99.5, 100.2, 99.8, 100.1, 99.9, 100.3};
  Sample slower, faster, slightly_slower;
  for (double v : base) {
    slower.push_back(v * 1.2);
    faster.push_back(v * 0.8);
    slightly_slower.push_back(v * 1.02);
  }
  const Comparison regression = compared(base, slower);
  EXPECT_EQ(regression.verdict, Verdict::regression);
  EXPECT_NEAR(regression.change_percent, 20, 0.5);
  EXPECT_LT(regression.estimate.ratio->lower, 1.2);
  EXPECT_GT(regression.estimate.ratio->upper, 1.2);
  EXPECT_EQ(regression.base_size, 10u);
  EXPECT_EQ(compared(base, faster).verdict, Verdict::improvement);
  // Significant, but within the allowed 5%.
  EXPECT_EQ(compared(base, slightly_slower).verdict, Verdict::inconclusive);
  EXPECT_EQ(compared(base, slightly_slower, {.max_regression_percent = 1}).verdict,
            Verdict::regression);
  // 50% slower, but three passes each cannot reach p < 0.01.
  EXPECT_EQ(compared(Sample{10, 11, 12}, Sample{15, 16.5, 18}).verdict, Verdict::inconclusive);
  EXPECT_EQ(compared(base, base).verdict, Verdict::no_change);
  EXPECT_EQ(to_name(Verdict::regression), "regression");
  EXPECT_EQ(to_name(Verdict::no_change), "no_change");
}

TEST(StatsCompare, RefusesUnusableInput) {
  const Sample ok = {1, 2, 3};
  const auto reason = [](const Sample& base, const Sample& candidate, Thresholds t = {}) {
    auto result = compare(base, candidate, t);
    return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : "";
  };
  EXPECT_EQ(reason({}, ok), "the base sample is empty");
  EXPECT_EQ(reason(ok, {}), "the candidate sample is empty");
  EXPECT_EQ(reason(ok, {1, std::nan("")}), "the candidate sample has a value that is not finite");
  EXPECT_EQ(reason({INFINITY}, ok), "the base sample has a value that is not finite");
  EXPECT_EQ(reason(Sample(1001, 1), Sample(1000, 2)),
            "the samples are too large (more than 1 000 000 pairs)");
  EXPECT_EQ(reason(ok, ok, {.alpha = 0}), "alpha must be in (0, 1)");
  EXPECT_EQ(reason(ok, ok, {.confidence = 1}), "the confidence level must be in (0, 1)");
  EXPECT_EQ(reason(ok, ok, {.max_regression_percent = -1}),
            "the maximum regression must be a percentage >= 0");
  EXPECT_EQ(mann_whitney_greater({}, ok).p_value, 1);
  EXPECT_TRUE(std::isnan(hodges_lehmann(ok, {}, 0.95).shift.estimate));
}

}  // namespace
}  // namespace fetch::stats
