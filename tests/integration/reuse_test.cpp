// Keep-alive: requests to one origin ride pooled connections, as nginx's access log shows
// ($connection is nginx's serial number of the connection that carried each request).

#include <gtest/gtest.h>

#include <algorithm>

#include "common.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

class Reuse : public ::testing::Test {
 protected:
  // `count` URLs "<base>?<tag>-<n>" fetched with -j `concurrency`.
  TsvRun fetch_many(std::string_view base, std::string_view tag, int count, int concurrency) {
    std::vector<std::string> args{"-j", std::to_string(concurrency), "--cacert", ca_file()};
    for (int n = 0; n < count; ++n) {
      args.push_back(std::string(base) + "?" + std::string(tag) + "-" + std::to_string(n));
    }
    TsvRun run = fetch_tsv(args);
    EXPECT_EQ(run.records.size(), static_cast<std::size_t>(count)) << describe(run.process);
    EXPECT_EQ(run.process.exit_code, 0) << describe(run.process);
    return run;
  }

  // A phase timing that says no time was spent: a reused connection's.
  static bool is_zero(std::string_view timing) { return timing == "0" || timing == "0.000"; }

  static std::size_t count_reused(const TsvRun& run, std::string_view value) {
    return static_cast<std::size_t>(
        std::count_if(run.records.begin(), run.records.end(),
                      [&](const TsvRecord& r) { return r["reused"] == value; }));
  }

  NginxServer nginx;
};

TEST_F(Reuse, OneWorkerUsesOneConnection) {
  const TsvRun run = fetch_many(nginx.http_url("/small.txt"), "j1", 20, 1);
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?j1-", 20));
  EXPECT_EQ(nginx.distinct_connections("/small.txt?j1-"), 1u);
  ASSERT_FALSE(run.records.empty());
  EXPECT_EQ(run.records.front()["reused"], "false") << run.records.front().text();
  EXPECT_EQ(count_reused(run, "true"), 19u) << run.process.out;
}

TEST_F(Reuse, OneWorkerUsesOneTlsConnection) {
  const TsvRun run = fetch_many(nginx.https_url("/small.txt"), "tls", 10, 1);
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?tls-", 10));
  EXPECT_EQ(nginx.distinct_connections("/small.txt?tls-"), 1u);
  EXPECT_EQ(count_reused(run, "true"), 9u) << run.process.out;
  for (const TsvRecord& record : run.records) {
    if (record["reused"] == "true") {
      EXPECT_TRUE(is_zero(record["tls_ms"]))
          << "a reused connection needs no TLS handshake: " << record.text();
    }
  }
}

TEST_F(Reuse, FourWorkersUseAtMostFourConnections) {
  const TsvRun run = fetch_many(nginx.http_url("/small.txt"), "j4", 40, 4);
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?j4-", 40));
  const std::size_t connections = nginx.distinct_connections("/small.txt?j4-");
  EXPECT_GE(connections, 1u);
  EXPECT_LE(connections, 4u);
  EXPECT_LE(count_reused(run, "false"), 4u) << run.process.out;
  EXPECT_EQ(count_reused(run, "true") + count_reused(run, "false"), 40u) << run.process.out;
}

// Late binding (connection_gate.hpp): to a near TLS origin, six connections carry the
// requests, which queue for whichever comes free first.
TEST_F(Reuse, ANearTlsOriginSharesAFewConnections) {
  const TsvRun run = fetch_many(nginx.https_url("/small.txt"), "near", 24, 24);
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?near-", 24));
  // Six, unless the machine stalled for longer than the queue's patience (10 ms) and a few
  // queued requests opened connections of their own; one per URL would mean nobody queued.
  EXPECT_LE(nginx.distinct_connections("/small.txt?near-"), 12u);
  EXPECT_GE(count_reused(run, "true"), 12u) << run.process.out;
  for (const TsvRecord& record : run.records) {
    EXPECT_EQ(record["status"], "200") << record.text();
    if (record["reused"] == "true") {
      // Some made TCP connects of their own before queueing; the phases still describe
      // the connection that carried the request.
      for (const char* phase : {"resolve_ms", "connect_ms", "tls_ms"}) {
        EXPECT_TRUE(is_zero(record[phase])) << phase << ": " << record.text();
      }
    }
  }
}

TEST_F(Reuse, ASlowNearOriginStillGetsEveryRequestInParallel) {
  // Each response takes about a second: no connection comes free in time, so the requests
  // queued behind the first six open connections of their own.
  const TsvRun run = fetch_many(nginx.https_url("/slow/small.txt"), "slow", 10, 10);
  ASSERT_TRUE(nginx.wait_for_requests("/slow/small.txt?slow-", 10));
  EXPECT_EQ(nginx.distinct_connections("/slow/small.txt?slow-"), 10u);
  for (const TsvRecord& record : run.records) {
    EXPECT_EQ(record["status"], "200") << record.text();
    EXPECT_EQ(record["bytes"], std::to_string(nginx.file_size("small.txt"))) << record.text();
  }
}

TEST_F(Reuse, AlternatingOriginsEachKeepTheirConnection) {
  // The pool keeps idle connections per origin (several per worker), so visiting another
  // origin in between must not cost the first one its connection.
  std::vector<std::string> args{"-j", "1", "--cacert", ca_file()};
  for (int n = 0; n < 10; ++n) {
    args.push_back(nginx.http_url("/small.txt?alt-plain-" + std::to_string(n)));
    args.push_back(nginx.https_url("/small.txt?alt-tls-" + std::to_string(n)));
  }
  const TsvRun run = fetch_tsv(args);
  ASSERT_EQ(run.records.size(), 20u) << describe(run.process);
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?alt-", 20));
  EXPECT_EQ(nginx.distinct_connections("/small.txt?alt-plain-"), 1u);
  EXPECT_EQ(nginx.distinct_connections("/small.txt?alt-tls-"), 1u);
  EXPECT_EQ(count_reused(run, "true"), 18u) << run.process.out;
}

TEST_F(Reuse, RedirectsOnOneOriginShareTheConnection) {
  const TsvRun run = fetch_tsv({nginx.http_url("/redirect/chain/5")});
  ASSERT_EQ(run.records.size(), 1u) << describe(run.process);
  EXPECT_EQ(run.records[0]["redirects"], "5") << run.records[0].text();
  ASSERT_TRUE(nginx.wait_for_requests("/", 6));
  EXPECT_EQ(nginx.distinct_connections("/"), 1u);
}

}  // namespace
}  // namespace fetch::test
