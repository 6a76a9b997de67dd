#pragma once
// Request starts at a rate (--rate N/s): a token bucket on the io_context, one per run.
//
// Two uses, one bucket. A closed-model run (--rate without --duration) caps its starts:
// burst 1, so a start that comes late (every worker was busy) gets no catch-up, and no
// second passes within 1/rate of another. The open model (--rate with --duration) is a
// schedule: unlimited burst, so the k-th token is due at exactly start + k / rate, whenever
// it is taken, and a request's latency can be measured from that intended start.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "fetch/core/asio.hpp"

namespace fetch {

// "N/s", "N/m" or "N/h" (N a number > 0, fractions allowed) as starts per second; fails with a
// one-line reason otherwise, such as for a bare "N" (curl reads that per hour: say which).
std::variant<double, std::string> parse_rate(std::string_view text);

// The arithmetic of the bucket, without a clock of its own: pure, for tests.
class TokenBucket {
 public:
  static constexpr double kUnlimitedBurst = std::numeric_limits<double>::infinity();

  // `per_second` > 0; `burst` >= 1 tokens may accumulate while nobody takes them.
  TokenBucket(double per_second, double burst);

  // Takes the next token, asked for at `now`: returns when it is (or was) due. A token due in
  // the future must be waited for; one due in the past is the start the schedule intended.
  // The first token is due at the first call's `now`.
  Clock::time_point take(Clock::time_point now);

  double per_second() const noexcept { return per_second_; }

 private:
  Clock::duration interval_of(std::uint64_t tokens) const;

  double per_second_;
  double burst_;
  bool started_ = false;
  Clock::time_point anchor_{};  // when token 0 of the current stretch was due
  std::uint64_t taken_ = 0;     // tokens taken since the anchor
};

// The bucket with a timer: a coroutine waits for its token.
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : bucket_(per_second, burst) {}

  // Waits until the next token is due and returns when it was due (the intended start).
  // nullopt when the wait was cancelled (the run is stopping).
  boost::asio::awaitable<std::optional<Clock::time_point>> acquire();

 private:
  TokenBucket bucket_;
};

}  // namespace fetch
