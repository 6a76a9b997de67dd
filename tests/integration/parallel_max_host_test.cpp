// --parallel-max-host: however many URLs -j lets run, one origin never gets more connections
// than the cap, and the others are not held up by it.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"

namespace fetch::test {
namespace {

class ParallelMaxHost : public MatrixTest {
 protected:
  // Six slow URLs to `server`, all started at once by -j 6.
  std::vector<std::string> slow_urls(const MisbehavingServer& server) {
    std::vector<std::string> urls;
    for (int n = 0; n < 6; ++n) urls.push_back(server.url("/slow?ms=300&n=" + std::to_string(n)));
    return urls;
  }
  void expect_all_ok(std::size_t count) {
    ASSERT_EQ(last_.records.size(), count) << describe(last_.process);
    for (const TsvRecord& record : last_.records) EXPECT_EQ(record["ok"], "true") << record.text();
  }
};

TEST_F(ParallelMaxHost, CapsTheConnectionsToAnOrigin) {
  MisbehavingServer server;
  std::vector<std::string> args{"-j", "6", "--parallel-max-host", "2"};
  for (const std::string& url : slow_urls(server)) args.push_back(url);
  last_ = fetch_tsv(args);
  expect_all_ok(6);
  EXPECT_EQ(server.connections_accepted(), 2);
  const std::size_t reused =
      std::count_if(last_.records.begin(), last_.records.end(),
                    [](const TsvRecord& r) { return r["reused"] == "true"; });
  EXPECT_EQ(reused, 4u) << "the queued four rode the two connections";
}

TEST_F(ParallelMaxHost, WithoutItEveryUrlGetsItsOwnConnection) {
  MisbehavingServer server;
  std::vector<std::string> args{"-j", "6"};
  for (const std::string& url : slow_urls(server)) args.push_back(url);
  last_ = fetch_tsv(args);
  expect_all_ok(6);
  EXPECT_EQ(server.connections_accepted(), 6);
}

TEST_F(ParallelMaxHost, OtherOriginsGoOnMeanwhile) {
  MisbehavingServer busy;
  MisbehavingServer other;
  std::vector<std::string> args{"-j", "7", "--parallel-max-host", "1"};
  for (const std::string& url : slow_urls(busy)) args.push_back(url);
  args.push_back(other.url("/ok"));
  last_ = fetch_tsv(args);
  expect_all_ok(7);
  EXPECT_EQ(busy.connections_accepted(), 1);
  EXPECT_EQ(last_.records.front()["url"], other.url("/ok"))
      << "the other origin's URL finished first, not behind the queue";
}

}  // namespace
}  // namespace fetch::test
