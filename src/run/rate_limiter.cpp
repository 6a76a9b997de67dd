#include "fetch/run/rate_limiter.hpp"

#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <cmath>
#include <cstdlib>

namespace fetch {

std::variant<double, std::string> parse_rate(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string number{text.substr(0, slash)};
  char* end = nullptr;
  const double count = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(count) ||
      count <= 0) {
    return fmt::format("'{}' is not a rate such as 100/s or 30/m", text);
  }
  if (slash == std::string_view::npos) {
    return fmt::format("'{}' needs a unit: {}/s (per second), {}/m or {}/h", text, number, number,
                       number);
  }
  const std::string_view unit = text.substr(slash + 1);
  const double seconds = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (seconds == 0) return fmt::format("'{}': the unit is s, m or h", text);
  const double per_second = count / seconds;
  if (per_second > 1e6 || per_second < 1e-3) {
    return fmt::format("'{}' is outside 1/1000 s to 1000000/s", text);
  }
  return per_second;
}

TokenBucket::TokenBucket(double per_second, double burst)
    : per_second_(per_second), burst_(std::max(burst, 1.0)) {}

Clock::duration TokenBucket::interval_of(std::uint64_t tokens) const {
  // From the anchor, not token by token: no rounding accumulates over a long run.
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(static_cast<double>(tokens) / per_second_));
}

Clock::time_point TokenBucket::take(Clock::time_point now) {
  if (!started_) {
    started_ = true;
    anchor_ = now;
    taken_ = 0;
  }
  Clock::time_point due = anchor_ + interval_of(taken_);
  if (std::isfinite(burst_)) {
    // Tokens not taken while nobody asked accumulate up to the burst, no more: start a new
    // stretch from the oldest token still in the bucket.
    const Clock::time_point oldest =
        now - std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>((burst_ - 1) / per_second_));
    if (due < oldest) {
      anchor_ = oldest;
      taken_ = 0;
      due = oldest;
    }
  }
  ++taken_;
  return due;
}

asio::awaitable<std::optional<Clock::time_point>> RateLimiter::acquire() {
  const Clock::time_point due = bucket_.take(Clock::now());
  if (due > Clock::now()) {
    // A timer per wait: with -j workers pacing their starts, many may wait at once.
    asio::steady_timer timer{co_await asio::this_coro::executor, due};
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return std::nullopt;
  }
  co_return due;
}

}  // namespace fetch
