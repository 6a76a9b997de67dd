// Broken networks: resets in the middle of a body, IPv6 endpoints that refuse or never
// answer, a dead pooled connection retried exactly once, and hundreds of URLs that never
// answer. (Refused, reset before the reply, empty reply, never answering, stalled headers, a
// dripping body and the retried pooled connection are in failure_test.cpp.)

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"
#include "support/net.hpp"

namespace fetch::test {
namespace {

class NetworkFaults : public MatrixTest {
 protected:
  MisbehavingServer server;
};

TEST_F(NetworkFaults, ResetInTheMiddleOfTheBodyFailsInReadStage) {
  const TsvRecord record = fetch_one(server.url("/reset-mid-body"));
  expect_failure(record, "read", {"truncated", "reset"});
  EXPECT_EQ(record["status"], "200") << record.text();
  EXPECT_EQ(record["content_length"], "100000") << record.text();
  ASSERT_TRUE(is_number(record["bytes"])) << record.text();
  EXPECT_LE(std::stoul(record["bytes"]), 1000u) << record.text();
}

TEST_F(NetworkFaults, ResetInTheMiddleOfATlsBodyFailsInReadStage) {
  MisbehavingServer tls({.tls = true});
  const TsvRecord record = fetch_one(tls.url("/reset-mid-body"), {"--cacert", ca_file()});
  expect_failure(record, "read", {"truncated", "reset"});
}

TEST_F(NetworkFaults, RefusedIpv6FailsInConnectStage) {
  const std::string url = "http://[::1]:" + std::to_string(free_port()) + "/";
  expect_failure(fetch_one(url), "connect", {"refused"});
}

TEST_F(NetworkFaults, NeverAnsweringIpv6ServerHitsMaxTime) {
  MisbehavingServer v6({.tls = false, .host = "::1"});
  const TsvRecord record = fetch_one(v6.url("/never"), {"-m", "1"});
  expect_failure(record, "timeout", {"max-time"});
  EXPECT_LT(last_.process.elapsed, kPromptly);
}

TEST_F(NetworkFaults, Ipv6ServerWithABrokenBodyFailsInReadStage) {
  MisbehavingServer v6({.tls = false, .host = "::1"});
  expect_failure(fetch_one(v6.url("/truncated")), "read", {"truncated"});
}

TEST_F(NetworkFaults, DeadPooledConnectionIsRetriedExactlyOnce) {
  // The first response promises keep-alive and closes; the second URL takes that dead
  // connection, retries once on a fresh one, and that one closes without a byte too: an
  // honest "empty reply", after exactly two connections (not a third attempt).
  const TsvRun run =
      fetch_tsv({"-j", "1", server.url("/close-after-response"), server.url("/empty")});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  EXPECT_EQ(run.records[0]["ok"], "true") << run.records[0].text();
  const TsvRecord& second = run.records[1];
  EXPECT_EQ(second["ok"], "false") << second.text();
  EXPECT_EQ(second["error_stage"], "read") << second.text();
  EXPECT_TRUE(contains_ci(second["error_message"], "empty reply")) << second.text();
  EXPECT_EQ(server.connections_accepted(), 2);
  EXPECT_EQ(run.process.exit_code, 1);
}

TEST_F(NetworkFaults, TwoHundredNeverAnsweringUrlsEndOnTime) {
  // 200 URLs, 50 at a time, each bounded by -m 1: four waves of one second. The bound is
  // twice that plus start-up slack, far below what a single stuck URL would cost.
  constexpr int kUrls = 200;
  constexpr int kConcurrency = 50;
  constexpr double kMaxTime = 1.0;
  std::vector<std::string> args{"-j", std::to_string(kConcurrency), "-m", "1"};
  for (int i = 0; i < kUrls; ++i) args.push_back(server.url("/never?n=" + std::to_string(i)));
  const TsvRun run = fetch_tsv(args, {}, 60s);
  ASSERT_EQ(run.records.size(), static_cast<std::size_t>(kUrls)) << describe(run.process);
  std::set<std::string> lines;
  for (const TsvRecord& record : run.records) {
    EXPECT_TRUE(lines.insert(record["line"]).second) << "line reported twice: " << record.text();
    EXPECT_EQ(record["error_stage"], "timeout") << record.text();
  }
  EXPECT_EQ(run.process.exit_code, 1);
  const auto waves = (kUrls + kConcurrency - 1) / kConcurrency;
  const auto bound = std::chrono::milliseconds(static_cast<int>(2 * waves * kMaxTime * 1000)) + 4s;
  EXPECT_LT(run.process.elapsed, bound);
}

TEST_F(NetworkFaults, EveryFaultAtOnceStillGivesOneLineEach) {
  // Every misbehaviour in one run, 8 at a time, twice over: each URL gets its own line with
  // its own stage, whatever its neighbours do.
  const std::map<std::string, std::string> expected_stage{
      {"/ok", ""},
      {"/truncated", "read"},
      {"/garbage-status", "read"},
      {"/reset", "read"},
      {"/empty", "read"},
      {"/bad-chunk", "read"},
      {"/never", "timeout"},
      {"/headers-then-stall", "timeout"},
      {"/cl-conflict", "read"},
      {"/chunked-cut", "read"},
      {"/reset-mid-body", "read"},
      {"/endless-headers", "read"},
      {"/chunked", ""},
      {"/interim-then-ok", ""},
      {"/header-no-colon", "read"},
  };
  std::vector<std::string> args{"-j", "8", "-m", "2"};
  std::map<std::string, std::string> stage_by_url;
  for (int round = 0; round < 2; ++round) {
    for (const auto& [path, stage] : expected_stage) {
      const std::string url = server.url(path + "?round=" + std::to_string(round));
      args.push_back(url);
      stage_by_url[url] = stage;
    }
  }
  const TsvRun run = fetch_tsv(args, {}, 30s);
  ASSERT_EQ(run.records.size(), stage_by_url.size()) << describe(run.process);
  std::set<std::string> seen;
  for (const TsvRecord& record : run.records) {
    SCOPED_TRACE(record.text());
    EXPECT_TRUE(seen.insert(record["url"]).second) << "URL reported twice";
    ASSERT_TRUE(stage_by_url.count(record["url"])) << "unknown URL";
    EXPECT_EQ(record["error_stage"], stage_by_url[record["url"]]);
    EXPECT_EQ(record["ok"], stage_by_url[record["url"]].empty() ? "true" : "false");
  }
  EXPECT_EQ(run.process.exit_code, 1);
  EXPECT_LT(run.process.elapsed, 20s);
}

}  // namespace
}  // namespace fetch::test
