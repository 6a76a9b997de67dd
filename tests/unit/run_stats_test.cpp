// A run's statistics: counts by status, stage and code, what is timed and what is not, passes,
// per-URL blocks, and merging shards into what one run would have counted.
#include "fetch/stats/run_stats.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fetch::stats {
namespace {

Observation ok(std::uint64_t line, std::string_view url, std::uint64_t pass, std::uint64_t micros,
               bool new_connection = false) {
  Observation o;
  o.line = line;
  o.url = url;
  o.pass = pass;
  o.ok = true;
  o.status = 200;
  o.bytes = 100;
  o.micros[static_cast<std::size_t>(Metric::total)] = micros;
  o.micros[static_cast<std::size_t>(Metric::ttfb)] = micros / 2;
  if (new_connection) {
    o.micros[static_cast<std::size_t>(Metric::connect)] = 50;
    o.micros[static_cast<std::size_t>(Metric::tls)] = 300;
    o.micros[static_cast<std::size_t>(Metric::resolve)] = 5;
  }
  return o;
}

Observation failure(std::uint64_t line, std::string_view url, std::uint64_t pass) {
  Observation o;
  o.line = line;
  o.url = url;
  o.pass = pass;
  o.error_stage = "connect";
  o.error_code = "connect_refused";
  return o;
}

TEST(StatsMetrics, NamesRoundTrip) {
  for (Metric metric : kMetrics) EXPECT_EQ(metric_named(to_name(metric)), metric);
  EXPECT_EQ(to_name(Metric::total), "total_ms");
  EXPECT_FALSE(metric_named("elapsed_ms"));
}

TEST(StatsRunStats, CountsStatusesErrorsAndWhatIsTimed) {
  RunStats stats;
  stats.add(ok(1, "http://a/", 0, 1000, true));
  stats.add(ok(2, "http://a/x", 0, 3000));
  Observation not_found = ok(3, "http://a/y", 0, 2000);
  not_found.ok = false;
  not_found.status = 404;
  stats.add(not_found);
  stats.add(failure(4, "http://b/", 0));
  stats.end_pass(0, 0.5, true);
  stats.finish(0.5);

  const Counts& totals = stats.totals();
  EXPECT_EQ(totals.requests, 4u);
  EXPECT_EQ(totals.ok, 2u);
  EXPECT_EQ(totals.failed, 2u);
  EXPECT_EQ(totals.bytes, 300u);
  EXPECT_EQ(totals.statuses.at(200), 2u);
  EXPECT_EQ(totals.statuses.at(404), 1u);
  EXPECT_EQ(totals.errors_by_stage.at("connect"), 1u);
  EXPECT_EQ(totals.errors_by_code.at("connect_refused"), 1u);
  EXPECT_DOUBLE_EQ(totals.failed_rate(), 0.5);
  // A 404 is a response: timed. A refused connection is not.
  EXPECT_EQ(stats.latency(Metric::total).count(), 3u);
  EXPECT_EQ(stats.latency(Metric::total).max(), 3000u);
  // Phases only where a connection was opened.
  EXPECT_EQ(stats.latency(Metric::tls).count(), 1u);
  EXPECT_EQ(stats.latency(Metric::service).count(), 0u);
  EXPECT_DOUBLE_EQ(stats.requests_per_second(), 8.0);

  ASSERT_EQ(stats.urls().size(), 4u);
  const UrlStats& b = *stats.urls().by_line().front();
  EXPECT_EQ(b.line, 1u);
  EXPECT_EQ(b.histogram(Metric::total).count(), 1u);
}

TEST(StatsRunStats, PassesKeepTheirOwnHistogramAndCompleteness) {
  RunStats stats;
  for (std::uint64_t pass = 0; pass < 3; ++pass) {
    for (std::uint64_t line = 1; line <= 4; ++line)
      stats.add(ok(line, "http://a/", pass, 1000 * (pass + 1)));
    stats.end_pass(pass, 0.1, pass < 2);
  }
  stats.finish(0.3);
  const auto& passes = stats.passes().entries();
  ASSERT_EQ(passes.size(), 3u);
  EXPECT_EQ(passes[1].second.total.quantile(0.5), 2000u);
  EXPECT_EQ(passes[1].second.requests, 4u);
  EXPECT_TRUE(passes[1].second.complete);
  EXPECT_FALSE(passes[2].second.complete);
  // Per URL, one sample per pass.
  const UrlSummary url = stats.urls().by_line().front()->summary();
  ASSERT_EQ(url.samples.entries().size(), 3u);
  EXPECT_EQ(url.samples.entries()[2].second, 3000u);
}

TEST(StatsRunStats, OverlappingPassesOfTheOpenModelAndDrops) {
  RunStats stats;
  stats.add(ok(1, "http://a/", 0, 1000));
  stats.add(ok(1, "http://a/", 1, 1000));  // pass 1 began before pass 0 ended
  stats.add_dropped(1, "http://a/", 1);
  stats.end_pass(0, 0.2, true);
  stats.finish(0.4);  // pass 1 never ended: incomplete
  ASSERT_EQ(stats.passes().entries().size(), 2u);
  EXPECT_FALSE(stats.passes().entries()[1].second.complete);
  EXPECT_EQ(stats.passes().entries()[1].second.dropped, 1u);
  EXPECT_EQ(stats.totals().dropped, 1u);
  EXPECT_DOUBLE_EQ(stats.totals().dropped_rate(), 1.0 / 3.0);
  EXPECT_EQ(stats.urls().by_line().front()->summary().counts.dropped, 1u);
}

TEST(StatsRunStats, MergedShardsEqualOneRun) {
  RunStats one, shard_a, shard_b;
  for (std::uint64_t pass = 0; pass < 4; ++pass) {
    for (std::uint64_t line = 1; line <= 10; ++line) {
      const std::string url = "http://host" + std::to_string(line % 3) + "/";
      const Observation o = line == 7
                                ? failure(line, url, pass)
                                : ok(line, url, pass, 900 + 37 * line * (pass + 1), pass == 0);
      one.add(o);
      (line % 2 == 0 ? shard_a : shard_b).add(o);
    }
    one.end_pass(pass, 0.25, true);
    shard_a.end_pass(pass, 0.20, true);
    shard_b.end_pass(pass, 0.25, true);
  }
  one.finish(1.0);
  shard_a.finish(0.9);
  shard_b.finish(1.0);
  RunStats merged = shard_a;
  merged.merge(shard_b);
  EXPECT_EQ(merged.totals(), one.totals());
  for (Metric metric : kMetrics) EXPECT_EQ(merged.latency(metric), one.latency(metric));
  EXPECT_EQ(merged.urls(), one.urls());
  EXPECT_EQ(merged.passes(), one.passes());
  EXPECT_DOUBLE_EQ(merged.elapsed_s(), 1.0);
}

TEST(StatsRunStats, APassOnlyOneSideHasIsNoLongerComplete) {
  RunStats a, b;
  a.add(ok(1, "http://a/", 0, 1000));
  a.end_pass(0, 0.1, true);
  a.add(ok(1, "http://a/", 1, 1000));
  a.end_pass(1, 0.1, true);
  b.add(ok(2, "http://b/", 0, 1000));
  b.end_pass(0, 0.1, true);
  a.merge(b);
  ASSERT_EQ(a.passes().entries().size(), 2u);
  EXPECT_TRUE(a.passes().entries()[0].second.complete);
  EXPECT_EQ(a.passes().entries()[0].second.requests, 2u);
  EXPECT_FALSE(a.passes().entries()[1].second.complete);
}

}  // namespace
}  // namespace fetch::stats
