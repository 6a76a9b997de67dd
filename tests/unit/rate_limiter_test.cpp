// The token bucket's arithmetic (a schedule for the open model, a cap for the closed one), the
// rate option's syntax, and the limiter pacing coroutines on a real io_context.
#include "fetch/run/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <variant>
#include <vector>

namespace fetch {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, ParsesRatesWithTheirUnit) {
  EXPECT_DOUBLE_EQ(std::get<double>(parse_rate("100/s")), 100);
  EXPECT_DOUBLE_EQ(std::get<double>(parse_rate("30/m")), 0.5);
  EXPECT_DOUBLE_EQ(std::get<double>(parse_rate("36/h")), 0.01);
  EXPECT_DOUBLE_EQ(std::get<double>(parse_rate("2.5/s")), 2.5);
  EXPECT_NE(std::get<std::string>(parse_rate("100")).find("needs a unit"), std::string::npos);
  for (const char* bad : {"", "/s", "0/s", "-1/s", "x/s", "1/d", "1/", "inf/s", "2000000/s"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_rate(bad))) << bad;
  }
}

TEST(RateLimiter, AnUnlimitedBucketIsAScheduleWhateverTheLateness) {
  TokenBucket schedule(10, TokenBucket::kUnlimitedBurst);
  const Clock::time_point start{};
  EXPECT_EQ(schedule.take(start), start);
  // Asked for late (the event loop was busy): the tokens are still those of the schedule.
  const Clock::time_point late = start + 1s;
  for (int k = 1; k <= 5; ++k) EXPECT_EQ(schedule.take(late), start + k * 100ms) << k;
  // Asked for early: the next token is in the future, to be waited for.
  EXPECT_EQ(schedule.take(start + 550ms), start + 600ms);
}

TEST(RateLimiter, NoDriftOverAMillionTokens) {
  TokenBucket schedule(3, TokenBucket::kUnlimitedBurst);
  const Clock::time_point start{};
  Clock::time_point due{};
  for (int k = 0; k < 1'000'000; ++k) due = schedule.take(start);
  const auto expected = std::chrono::duration<double>(999'999.0 / 3);
  EXPECT_NEAR(std::chrono::duration<double>(due - start).count(), expected.count(), 1e-6);
}

TEST(RateLimiter, ABurstOfOneCapsStartsAndGivesNoCatchUp) {
  TokenBucket cap(10, 1);
  const Clock::time_point start{};
  EXPECT_EQ(cap.take(start), start);
  EXPECT_EQ(cap.take(start), start + 100ms);  // wait for the next
  // Nobody asked for 2 s: the tokens of that time are gone, the next is due now.
  EXPECT_EQ(cap.take(start + 2s), start + 2s);
  EXPECT_EQ(cap.take(start + 2s), start + 2100ms);
}

TEST(RateLimiter, ALargerBurstKeepsThatManyTokens) {
  TokenBucket bucket(10, 3);
  const Clock::time_point start{};
  (void)bucket.take(start);
  const Clock::time_point later = start + 5s;
  EXPECT_EQ(bucket.take(later), later - 200ms);  // three tokens were waiting
  EXPECT_EQ(bucket.take(later), later - 100ms);
  EXPECT_EQ(bucket.take(later), later);
  EXPECT_EQ(bucket.take(later), later + 100ms);
}

TEST(RateLimiter, PacesCoroutinesOnTheEventLoop) {
  boost::asio::io_context io;
  RateLimiter limiter(50, 1);  // every 20 ms
  std::vector<Clock::time_point> starts;
  const auto worker = [&]() -> boost::asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      const auto due = co_await limiter.acquire();
      if (due) starts.push_back(Clock::now());
    }
  };
  for (int w = 0; w < 2; ++w) boost::asio::co_spawn(io, worker(), boost::asio::detached);
  const Clock::time_point began = Clock::now();
  io.run();
  ASSERT_EQ(starts.size(), 6u);
  // Six starts at 50/s take at least five intervals, however the workers interleave.
  EXPECT_GE(Clock::now() - began, 100ms - 2ms);
}

}  // namespace
}  // namespace fetch
