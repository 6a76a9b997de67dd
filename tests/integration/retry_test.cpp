// --retry against servers that fail a few times first (tests/servers/retry_cases.py): what is
// retried, how often, what is never repeated, and how Retry-After and the limits are kept.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"
#include "support/net.hpp"

namespace fetch::test {
namespace {

class Retry : public MatrixTest {
 protected:
  // How many requests for `path_and_query` the server received.
  std::size_t requests_for(const std::string& path_and_query) {
    return occurrences(server.requests_received().value_or(""), " " + path_and_query + " HTTP/1.1");
  }
  double elapsed_ms(const TsvRecord& record) { return std::atof(record["elapsed_ms"].c_str()); }

  MisbehavingServer server;
  const std::vector<std::string> quick{"--retry-delay", "0.05"};
};

TEST_F(Retry, ATransientStatusIsRetriedUntilItPasses) {
  std::vector<std::string> options{"--retry", "3"};
  options.insert(options.end(), quick.begin(), quick.end());
  const TsvRecord record = fetch_one(server.url("/flaky?id=a&fail=2"), options);
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["retries"], "2");
  EXPECT_EQ(requests_for("/flaky?id=a&fail=2"), 3u);
}

TEST_F(Retry, GivesUpAfterItsRetriesWithTheLastResponse) {
  const TsvRecord record =
      fetch_one(server.url("/flaky?id=b&fail=9"), {"--retry", "2", "--retry-delay", "0.05"});
  EXPECT_EQ(record["ok"], "false");
  EXPECT_EQ(record["status"], "503");
  EXPECT_EQ(record["retries"], "2");
  EXPECT_EQ(requests_for("/flaky?id=b&fail=9"), 3u);
  expect_exit(1);
}

TEST_F(Retry, NothingIsRetriedWithoutRetry) {
  const TsvRecord record = fetch_one(server.url("/flaky?id=c"));
  EXPECT_EQ(record["status"], "503");
  EXPECT_EQ(record["retries"], "0");
  EXPECT_EQ(requests_for("/flaky?id=c"), 1u);
}

TEST_F(Retry, APermanentStatusIsNotRetried) {
  const TsvRecord record =
      fetch_one(server.url("/flaky?id=d&status=404"), {"--retry", "3", "--retry-delay", "0.05"});
  EXPECT_EQ(record["status"], "404");
  EXPECT_EQ(record["retries"], "0");
  EXPECT_EQ(requests_for("/flaky?id=d&status=404"), 1u);
}

TEST_F(Retry, APostThatReachedTheServerIsRepeatedOnlyWithRetryAllErrors) {
  const TsvRecord once =
      fetch_one(server.url("/flaky?id=e"), {"-d", "x=1", "--retry", "3", "--retry-delay", "0.05"});
  EXPECT_EQ(once["status"], "503");
  EXPECT_EQ(once["retries"], "0");
  EXPECT_EQ(requests_for("/flaky?id=e"), 1u);
  const TsvRecord forced =
      fetch_one(server.url("/flaky?id=e2"),
                {"-d", "x=1", "--retry", "3", "--retry-delay", "0.05", "--retry-all-errors"});
  expect_ok(forced, "200", "3");
  EXPECT_EQ(forced["retries"], "1");
  EXPECT_EQ(requests_for("/flaky?id=e2"), 2u);
}

TEST_F(Retry, RetryAfterSecondsIsWaitedFor) {
  const TsvRecord record = fetch_one(server.url("/flaky?id=f&status=429&retry-after=1"),
                                     {"--retry", "1", "--retry-delay", "0.01"});
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["retries"], "1");
  EXPECT_GE(elapsed_ms(record), 900.0) << "the server asked for a second";
}

TEST_F(Retry, RetryAfterAsADate) {
  const TsvRecord record = fetch_one(server.url("/flaky?id=g&retry-after=date:1"),
                                     {"--retry", "1", "--retry-delay", "0.01"});
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["retries"], "1");
}

TEST_F(Retry, ARetryAfterLongerThanMaxTimeEndsTheRetries) {
  const TsvRecord record =
      fetch_one(server.url("/flaky?id=h&retry-after=120"), {"--retry", "3", "-m", "5"}, kPromptly);
  EXPECT_EQ(record["status"], "503");
  EXPECT_EQ(record["retries"], "0");
  EXPECT_LT(elapsed_ms(record), 5000.0) << "nobody waited two minutes";
}

TEST_F(Retry, RetryMaxTimeBoundsTheSeries) {
  const TsvRecord record =
      fetch_one(server.url("/flaky?id=i&fail=99"),
                {"--retry", "50", "--retry-delay", "0.3", "--retry-max-time", "1"}, kPromptly);
  EXPECT_EQ(record["status"], "503");
  EXPECT_LE(std::atoi(record["retries"].c_str()), 3) << record.text();
  EXPECT_GE(std::atoi(record["retries"].c_str()), 1) << record.text();
  EXPECT_LT(elapsed_ms(record), 5000.0);
}

TEST_F(Retry, ARefusedConnectionIsRetried) {
  const std::string url = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  const TsvRecord record = fetch_one(url, {"--retry", "2", "--retry-delay", "0.05"});
  EXPECT_EQ(record["error_code"], "connect_refused");
  EXPECT_EQ(record["retries"], "2");
}

TEST_F(Retry, ATimeoutIsRetried) {
  const TsvRecord record =
      fetch_one(server.url("/flaky-slow?id=j&ms=3000"),
                {"-m", "0.5", "--retry", "1", "--retry-delay", "0.05"}, kPromptly);
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["retries"], "1");
  EXPECT_EQ(requests_for("/flaky-slow?id=j&ms=3000"), 2u);
}

TEST_F(Retry, AnEmptyReplyOnlyWithRetryAllErrors) {
  const TsvRecord plain =
      fetch_one(server.url("/flaky-close?id=k"), {"--retry", "2", "--retry-delay", "0.05"});
  EXPECT_EQ(plain["error_code"], "empty_reply");
  EXPECT_EQ(plain["retries"], "0");
  const TsvRecord all = fetch_one(server.url("/flaky-close?id=k2"),
                                  {"--retry", "2", "--retry-delay", "0.05", "--retry-all-errors"});
  expect_ok(all, "200", "3");
  EXPECT_EQ(all["retries"], "1");
}

TEST_F(Retry, TheDefaultBackOffIsShortAtFirst) {
  const TsvRecord record = fetch_one(server.url("/flaky?id=l"), {"--retry", "1"}, kPromptly);
  expect_ok(record, "200", "3");
  EXPECT_LT(elapsed_ms(record), 5000.0) << "the first back-off waits at most a second";
}

TEST_F(Retry, JsonRecordsCarryRetries) {
  const ProcessResult result =
      run_fetch({"-f", "json", "--retry", "1", "--retry-delay", "0.05", server.url("/flaky?id=m")});
  const auto lines = parse_json_lines(result.out);
  ASSERT_EQ(lines.size(), 1u) << describe(result);
  EXPECT_EQ(lines[0].as_object().at("retries").as_int64(), 1);
}

}  // namespace
}  // namespace fetch::test
