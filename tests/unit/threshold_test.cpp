// Threshold expressions: what parses, the reasons for what does not, and the values, margins
// and verdicts checked against a run's statistics.
#include "fetch/stats/threshold.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace fetch::stats {
namespace {

Threshold parsed(std::string_view expression) {
  auto result = parse_threshold(expression);
  if (auto* reason = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *reason;
    return {};
  }
  return std::get<Threshold>(result);
}

std::string refusal(std::string_view expression) {
  auto result = parse_threshold(expression);
  if (std::holds_alternative<Threshold>(result)) return "accepted";
  return std::get<std::string>(result);
}

TEST(StatsThreshold, ParsesTheK6Forms) {
  const Threshold p99 = parsed("total_ms:p(99)<250");
  EXPECT_EQ(p99.metric, "total_ms");
  EXPECT_EQ(p99.aggregation, Aggregation::percentile);
  EXPECT_EQ(p99.percentile, 99);
  EXPECT_EQ(p99.comparator, Comparator::less);
  EXPECT_EQ(p99.limit, 250);
  EXPECT_EQ(parsed("ttfb_ms:p(99.9) <= 80").percentile, 99.9);
  EXPECT_EQ(parsed("failed:rate<0.01").aggregation, Aggregation::rate);
  const Threshold rps = parsed("rps>=100");
  EXPECT_EQ(rps.aggregation, Aggregation::none);
  EXPECT_EQ(rps.comparator, Comparator::greater_equal);
  EXPECT_EQ(parsed(" tls_ms:avg != 3 ").comparator, Comparator::not_equal);
  EXPECT_EQ(parsed("requests:count==10").comparator, Comparator::equal);
  EXPECT_EQ(parsed("dropped:count>0").comparator, Comparator::greater);
}

TEST(StatsThreshold, ParsesSelectors) {
  const Threshold by_url = parsed("total_ms{url:http://a/?x=1&y=<2>}:p(95)<80");
  EXPECT_EQ(by_url.url, "http://a/?x=1&y=<2>");
  EXPECT_EQ(by_url.limit, 80);
  const Threshold by_line = parsed("failed{line:12}:rate<0.1");
  EXPECT_EQ(by_line.line, 12u);
  EXPECT_EQ(by_line.metric, "failed");
}

TEST(StatsThreshold, RefusesWithAReason) {
  EXPECT_NE(refusal("elapsed_ms:p(99)<3").find("unknown metric 'elapsed_ms'"), std::string::npos);
  EXPECT_NE(refusal("total_ms<3").find("needs an aggregation"), std::string::npos);
  EXPECT_NE(refusal("total_ms:p(101)<3").find("from 0 to 100"), std::string::npos);
  EXPECT_NE(refusal("total_ms:p(x)<3").find("from 0 to 100"), std::string::npos);
  EXPECT_NE(refusal("total_ms:p99<3").find("unknown aggregation"), std::string::npos);
  EXPECT_NE(refusal("total_ms:p(99)").find("no comparison"), std::string::npos);
  EXPECT_NE(refusal("total_ms:p(99)<fast").find("not a number"), std::string::npos);
  EXPECT_NE(refusal("total_ms:p(99)<inf").find("not a number"), std::string::npos);
  EXPECT_NE(refusal("total_ms:p(99)=<3").find("not a comparison"), std::string::npos);
  EXPECT_NE(refusal("failed:p(99)<3").find("takes :rate or :count"), std::string::npos);
  EXPECT_NE(refusal("rps:rate>3").find("no aggregation"), std::string::npos);
  EXPECT_NE(refusal("total_ms{host:a}:p(99)<3").find("selector"), std::string::npos);
  EXPECT_NE(refusal("total_ms{line:0}:p(99)<3").find("selector"), std::string::npos);
  EXPECT_NE(refusal("total_ms{url:a:p(99)<3").find("'}'"), std::string::npos);
  EXPECT_NE(refusal("<3").find("no metric"), std::string::npos);
  EXPECT_EQ(refusal("total_ms:p(99)<3").find("threshold"), std::string::npos);  // accepted
  EXPECT_EQ(refusal("x<3").rfind("threshold 'x<3': ", 0), 0u);
}

Observation timed(std::uint64_t line, std::string_view url, std::uint64_t micros) {
  Observation o;
  o.line = line;
  o.url = url;
  o.ok = true;
  o.status = 200;
  o.micros[static_cast<std::size_t>(Metric::total)] = micros;
  return o;
}

RunStats sample_run() {
  RunStats stats;
  for (std::uint64_t i = 1; i <= 100; ++i) stats.add(timed(1, "http://a/", i * 10));  // 0.01..1 ms
  Observation failed;
  failed.line = 2;
  failed.url = "http://b/";
  failed.error_stage = "connect";
  failed.error_code = "connect_refused";
  stats.add(failed);
  stats.end_pass(0, 2.0, true);
  stats.finish(2.0);
  return stats;
}

std::vector<ThresholdOutcome> check(std::vector<std::string> expressions, const RunStats& stats) {
  std::vector<Threshold> thresholds;
  for (const auto& e : expressions) thresholds.push_back(parsed(e));
  return check_thresholds(thresholds, stats);
}

TEST(StatsThreshold, ValuesMarginsAndVerdicts) {
  const RunStats stats = sample_run();
  const auto outcomes = check({"total_ms:p(99)<250", "total_ms:p(50)<0.4", "failed:rate<0.005",
                               "rps>=50", "requests:count==101", "total_ms:max<=1"},
                              stats);
  ASSERT_EQ(outcomes.size(), 6u);
  EXPECT_TRUE(outcomes[0].passed);
  EXPECT_DOUBLE_EQ(*outcomes[0].value, 0.99);
  EXPECT_DOUBLE_EQ(outcomes[0].margin, 249.01);
  EXPECT_FALSE(outcomes[1].passed);
  EXPECT_DOUBLE_EQ(*outcomes[1].value, 0.5);
  EXPECT_NEAR(outcomes[1].margin, -0.1, 1e-12);
  EXPECT_FALSE(outcomes[2].passed);
  EXPECT_NEAR(*outcomes[2].value, 1.0 / 101, 1e-12);
  EXPECT_TRUE(outcomes[3].passed);
  EXPECT_DOUBLE_EQ(*outcomes[3].value, 50.5);
  EXPECT_TRUE(outcomes[4].passed);
  EXPECT_TRUE(outcomes[5].passed);
  EXPECT_DOUBLE_EQ(outcomes[5].margin, 0);
}

TEST(StatsThreshold, SelectorsCheckEachMatchingUrlAndNoDataIsCrossed) {
  const RunStats stats = sample_run();
  const auto outcomes =
      check({"total_ms{url:http://a/}:p(90)<0.95", "failed{line:2}:count<1",
             "total_ms{url:http://typo/}:p(90)<95", "total_ms{line:2}:p(90)<95", "tls_ms:p(90)<95"},
            stats);
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_TRUE(outcomes[0].passed);
  ASSERT_TRUE(outcomes[0].scope);
  EXPECT_EQ(outcomes[0].scope->first, 1u);
  EXPECT_DOUBLE_EQ(*outcomes[0].value, 0.9);
  EXPECT_FALSE(outcomes[1].passed);
  EXPECT_DOUBLE_EQ(*outcomes[1].value, 1);
  EXPECT_FALSE(outcomes[2].passed);  // matched nothing
  EXPECT_FALSE(outcomes[2].value);
  EXPECT_FALSE(outcomes[3].passed);  // line 2 was never timed
  EXPECT_FALSE(outcomes[4].passed);  // nothing used TLS
  EXPECT_FALSE(outcomes[4].value);
}

TEST(StatsThreshold, AggregationTextRoundTrips) {
  for (std::string_view e : {"total_ms:p(99.9)<1", "total_ms:avg<1", "failed:rate<1", "rps>1"}) {
    const Threshold t = parsed(e);
    std::string again = t.metric;
    const std::string aggregation = aggregation_text(t);
    if (!aggregation.empty()) again += ":" + aggregation;
    again += std::string{to_string(t.comparator)} + "1";
    EXPECT_EQ(again, e);
  }
}

}  // namespace
}  // namespace fetch::stats
