// Comparing a run with a baseline from per-pass samples: no alarm on the same distribution, a
// regression on a clear slowdown, inconclusive when only one of the two conditions holds, and
// per-URL comparisons judged at alpha / URLs.
#include "fetch/stats/baseline.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace fetch::stats {
namespace {

// `passes` complete passes over `urls` URLs, each request's total drawn around `median_us`.
RunStats run(std::size_t passes, std::size_t urls, double median_us, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> noise(0, 0.05);
  RunStats stats;
  std::vector<std::string> names;
  for (std::size_t u = 0; u < urls; ++u) names.push_back("http://a/" + std::to_string(u));
  for (std::uint64_t pass = 0; pass < passes; ++pass) {
    for (std::size_t u = 0; u < urls; ++u) {
      Observation o;
      o.line = u + 1;
      o.url = names[u];
      o.pass = pass;
      o.ok = true;
      o.status = 200;
      o.micros[0] = static_cast<std::uint64_t>(median_us * noise(rng));
      stats.add(o);
    }
    stats.end_pass(pass, 0.1, true);
  }
  stats.finish(0.1 * static_cast<double>(passes));
  return stats;
}

TEST(StatsBaseline, SamplesAreCompletePassMedians) {
  RunStats stats = run(5, 3, 1000, 1);
  EXPECT_EQ(pass_medians_ms(stats).size(), 5u);
  EXPECT_EQ(url_samples_ms(*stats.urls().by_line().front()).size(), 5u);
  Observation late;
  late.line = 1;
  late.url = "http://a/0";
  late.pass = 5;
  late.micros[0] = 5;
  stats.add(late);
  stats.end_pass(5, 0.1, false);
  EXPECT_EQ(pass_medians_ms(stats).size(), 5u);  // the incomplete pass is no sample
}

TEST(StatsBaseline, TheSameConditionsAreNotFlagged) {
  int alarms = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    const BaselineReport report =
        compare_with_baseline(run(10, 20, 1000, seed), run(10, 20, 1000, seed + 1000), {});
    alarms += static_cast<int>(report.regressions);
  }
  EXPECT_EQ(alarms, 0);
}

TEST(StatsBaseline, AClearSlowdownIsARegressionOverallAndPerUrl) {
  const BaselineReport report = compare_with_baseline(run(10, 3, 1000, 1), run(10, 3, 1500, 2), {});
  ASSERT_EQ(report.comparisons.size(), 4u);
  const BaselineComparison& overall = report.comparisons[0];
  EXPECT_FALSE(overall.scope);
  EXPECT_TRUE(overall.regression());
  EXPECT_EQ(overall.base_n, 10u);
  EXPECT_NEAR(overall.candidate_median_ms / overall.base_median_ms, 1.5, 0.1);
  ASSERT_TRUE(overall.comparison);
  EXPECT_NEAR(overall.comparison->estimate.ratio->estimate, 1.5, 0.1);
  EXPECT_EQ(report.regressions, 4u);
  EXPECT_DOUBLE_EQ(report.comparisons[1].alpha, 0.01 / 3);
}

TEST(StatsBaseline, SignificantButSmallIsAnInconclusiveSlowdown) {
  BaselineSettings settings;
  settings.max_regression_percent = 50;
  const BaselineReport report =
      compare_with_baseline(run(10, 3, 1000, 1), run(10, 3, 1200, 2), settings);
  EXPECT_EQ(report.regressions, 0u);
  EXPECT_FALSE(report.comparisons[0].regression());
  EXPECT_TRUE(report.comparisons[0].inconclusive_slowdown());
}

TEST(StatsBaseline, LargeButUntestableIsInconclusiveAndMissingSamplesAreSaid) {
  // One pass against one: no test can be significant.
  const BaselineReport report = compare_with_baseline(run(1, 1, 1000, 1), run(1, 1, 3000, 2), {});
  EXPECT_EQ(report.regressions, 0u);
  EXPECT_TRUE(report.comparisons[0].inconclusive_slowdown());
  const BaselineReport empty = compare_with_baseline(RunStats{}, run(3, 1, 1000, 1), {});
  EXPECT_FALSE(empty.comparisons[0].comparison);
  EXPECT_EQ(empty.comparisons[0].not_compared, "no sample in the baseline");
}

TEST(StatsBaseline, AUrlSlowerWithoutSignificanceIsReportedNotAVerdict) {
  // Three passes: no URL can be significant, but line 1 is much slower; the run as a whole
  // is not.
  RunStats base = run(3, 21, 1000, 5);
  RunStats slow;
  const RunStats same = run(3, 21, 1000, 6);
  for (const UrlStats* url : same.urls().by_line()) {
    const std::uint64_t line = url->line;
    const UrlSummary summary = url->summary();
    for (const auto& [pass, micros] : summary.samples.entries()) {
      Observation o;
      o.line = line;
      o.url = url->url;
      o.pass = pass;
      o.ok = true;
      o.micros[0] = line == 1 ? micros * 2 : micros;
      slow.add(o);
    }
  }
  for (std::uint64_t pass = 0; pass < 3; ++pass) slow.end_pass(pass, 0.1, true);
  slow.finish(0.3);
  const BaselineReport report = compare_with_baseline(base, slow, {});
  EXPECT_EQ(report.regressions, 0u);
  EXPECT_GE(report.url_warnings, 1u);
  EXPECT_TRUE(report.comparisons[1].inconclusive_slowdown());
  EXPECT_FALSE(report.inconclusive) << "the whole run is not slower";
}

TEST(StatsBaseline, AFasterRunIsNoSlowdown) {
  const BaselineReport report = compare_with_baseline(run(10, 2, 1500, 1), run(10, 2, 1000, 2), {});
  EXPECT_EQ(report.regressions, 0u);
  EXPECT_FALSE(report.inconclusive);
  EXPECT_EQ(report.url_warnings, 0u);
  EXPECT_EQ(report.comparisons[0].comparison->verdict, Verdict::improvement);
}

}  // namespace
}  // namespace fetch::stats
