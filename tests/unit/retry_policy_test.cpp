// When a URL is tried again, and how long fetch waits first.
#include "fetch/client/retry_policy.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace fetch {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

Result with_status(unsigned status) {
  Result result;
  result.status = status;
  return result;
}

Result with_error(Stage stage, errc code) {
  Result result;
  result.error = FetchError{stage, code, "failed"};
  return result;
}

RetrySettings retries(unsigned n, milliseconds delay = 0ms) {
  RetrySettings settings;
  settings.retries = n;
  settings.delay = delay;
  return settings;
}

AttemptFacts facts(std::string_view method, bool reached = false, std::string_view after = {}) {
  AttemptFacts out;
  out.method = method;
  out.may_have_reached = reached;
  out.retry_after = after;
  return out;
}

std::optional<milliseconds> wait_for(const RetrySettings& settings, const Result& result,
                                     const AttemptFacts& about = facts("GET"), unsigned done = 0,
                                     milliseconds elapsed = 0ms, std::uint64_t random = 0) {
  return retry_wait(settings, result, about, done, elapsed, 30s, random);
}

struct StatusCase {
  unsigned status;
  bool retried;
  friend void PrintTo(const StatusCase& c, std::ostream* out) { *out << c.status; }
};

class RetryStatus : public ::testing::TestWithParam<StatusCase> {};

TEST_P(RetryStatus, TransientOnesAsCurl) {
  EXPECT_EQ(is_retryable(with_status(GetParam().status), false), GetParam().retried);
  EXPECT_EQ(is_retryable(with_status(GetParam().status), true), GetParam().status >= 400)
      << "--retry-all-errors: every failure";
}

INSTANTIATE_TEST_SUITE_P(Statuses, RetryStatus,
                         ::testing::Values(StatusCase{200, false}, StatusCase{301, false},
                                           StatusCase{400, false}, StatusCase{404, false},
                                           StatusCase{408, true}, StatusCase{429, true},
                                           StatusCase{500, true}, StatusCase{501, false},
                                           StatusCase{502, true}, StatusCase{503, true},
                                           StatusCase{504, true}, StatusCase{505, false}),
                         [](const auto& info) { return std::to_string(info.param.status); });

TEST(RetryPolicy, ConnectErrorsAndTimeoutsAreTransientOthersAreNot) {
  EXPECT_TRUE(is_retryable(with_error(Stage::connect, errc::connect_refused), false));
  EXPECT_TRUE(is_retryable(with_error(Stage::connect, errc::connect_failed), false));
  EXPECT_TRUE(is_retryable(with_error(Stage::proxy, errc::proxy_connect_failed), false));
  EXPECT_TRUE(is_retryable(with_error(Stage::timeout, errc::timeout_connect), false));
  EXPECT_TRUE(is_retryable(with_error(Stage::timeout, errc::timeout_max_time), false));
  EXPECT_FALSE(is_retryable(with_error(Stage::resolve, errc::host_not_found), false));
  EXPECT_FALSE(is_retryable(with_error(Stage::tls, errc::tls_verify_failed), false));
  EXPECT_FALSE(is_retryable(with_error(Stage::read, errc::empty_reply), false));
  EXPECT_FALSE(is_retryable(with_error(Stage::proxy, errc::proxy_refused), false));
  EXPECT_TRUE(is_retryable(with_error(Stage::read, errc::empty_reply), true));
  EXPECT_FALSE(is_retryable(with_error(Stage::input, errc::bad_url), true))
      << "a bad line never gets better";
}

TEST(RetryPolicy, CountsItsRetries) {
  const Result busy = with_status(503);
  EXPECT_FALSE(wait_for(retries(0), busy)) << "no --retry, no retry";
  EXPECT_TRUE(wait_for(retries(2), busy, facts("GET"), 0));
  EXPECT_TRUE(wait_for(retries(2), busy, facts("GET"), 1));
  EXPECT_FALSE(wait_for(retries(2), busy, facts("GET"), 2));
  EXPECT_FALSE(wait_for(retries(2), with_status(200)));
}

TEST(RetryPolicy, NeverRepeatsAPostThatMayHaveReachedTheServer) {
  const Result busy = with_status(503);
  EXPECT_FALSE(wait_for(retries(3), busy, facts("POST", true)));
  EXPECT_FALSE(wait_for(retries(3), busy, facts("PATCH", true)));
  EXPECT_TRUE(wait_for(retries(3), busy, facts("PUT", true))) << "PUT is idempotent";
  EXPECT_TRUE(
      wait_for(retries(3), with_error(Stage::connect, errc::connect_refused), facts("POST", false)))
      << "a POST that never left may go again";
  RetrySettings all = retries(3);
  all.all_errors = true;
  EXPECT_TRUE(wait_for(all, busy, facts("POST", true))) << "--retry-all-errors";
}

TEST(RetryPolicy, FixedDelayAsCurlsRetryDelay) {
  EXPECT_EQ(wait_for(retries(5, 1500ms), with_status(503), facts("GET"), 3, 0ms, 12345), 1500ms);
}

TEST(RetryPolicy, BackOffIsExponentialWithFullJitter) {
  const Result busy = with_status(503);
  const std::uint64_t all_bits = ~std::uint64_t{0};
  for (unsigned done = 0; done < 14; ++done) {
    const milliseconds ceiling = std::min(kBackoffCap, milliseconds{kBackoffBase.count() << done});
    RetrySettings settings = retries(20);
    EXPECT_EQ(wait_for(settings, busy, facts("GET"), done, 0ms, 0), 0ms) << done;
    const auto longest = wait_for(settings, busy, facts("GET"), done, 0ms,
                                  static_cast<std::uint64_t>(ceiling.count()));
    EXPECT_EQ(longest, ceiling) << done;
    const auto some = wait_for(settings, busy, facts("GET"), done, 0ms, all_bits);
    ASSERT_TRUE(some);
    EXPECT_LE(*some, ceiling) << done;
  }
}

TEST(RetryPolicy, RetryAfterWinsWithinTheLimits) {
  const Result busy = with_status(429);
  EXPECT_EQ(wait_for(retries(3), busy, facts("GET", false, "7")), 7000ms);
  EXPECT_EQ(wait_for(retries(3, 100ms), busy, facts("GET", false, "0")), 0ms);
  EXPECT_EQ(wait_for(retries(3, 100ms), busy, facts("GET", false, "soon")), 100ms)
      << "an unreadable Retry-After is ignored";
  EXPECT_FALSE(wait_for(retries(3), busy, facts("GET", false, "31"))) << "longer than --max-time";
  RetrySettings capped = retries(3);
  capped.max_time = 10s;
  EXPECT_FALSE(wait_for(capped, busy, facts("GET", false, "5"), 0, 6s)) << "past --retry-max-time";
  EXPECT_EQ(wait_for(capped, busy, facts("GET", false, "5"), 0, 4s), 5000ms);
}

TEST(RetryPolicy, RetryMaxTimeStopsTheBackOffToo) {
  RetrySettings settings = retries(3, 2s);
  settings.max_time = 5s;
  EXPECT_TRUE(wait_for(settings, with_status(503), facts("GET"), 0, 2s));
  EXPECT_FALSE(wait_for(settings, with_status(503), facts("GET"), 1, 3500ms));
}

TEST(RetryAfter, SecondsAndTheThreeDateForms) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // 1994-11-06 08:49:37 UTC
  EXPECT_EQ(parse_retry_after("120", now), 120000ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), 10000ms);
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now), 60000ms);
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:38 1994", now), 1000ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now), 0ms) << "a past date";
  EXPECT_GT(*parse_retry_after("99999999999999", now), 1000000000ms);
  for (const char* bad : {"", "-1", "1.5", " 5", "tomorrow", "Sun, 06 Nov 1994 08:49:47"}) {
    EXPECT_FALSE(parse_retry_after(bad, now)) << bad;
  }
}

TEST(RetryPolicy, IdempotentMethods) {
  for (const char* method : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
    EXPECT_TRUE(is_idempotent(method)) << method;
  }
  for (const char* method : {"POST", "PATCH", "CONNECT", "get", "PROPFIND"}) {
    EXPECT_FALSE(is_idempotent(method)) << method;
  }
}

}  // namespace
}  // namespace fetch
