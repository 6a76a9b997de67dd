#include "fetch/core/deadline.hpp"

#include <fmt/format.h>

namespace fetch {

Deadline Deadline::max_time(Clock::time_point start, std::chrono::milliseconds limit) noexcept {
  return Deadline{start + limit, limit, errc::timeout_max_time};
}

Deadline Deadline::connect_phase(Clock::time_point start, std::chrono::milliseconds limit,
                                 const Deadline& whole) noexcept {
  const Deadline phase{start + limit, limit, errc::timeout_connect};
  return phase.at_ < whole.at_ ? phase : whole;
}

FetchError Deadline::expired(std::string_view what) const {
  const double seconds = std::chrono::duration<double>(limit_).count();
  if (code_ == errc::timeout_connect) {
    return {Stage::timeout, code_,
            fmt::format("{} timed out after {:g} s (--connect-timeout)", what, seconds)};
  }
  return {Stage::timeout, code_,
          fmt::format("timed out after {:g} s (--max-time) {}", seconds, what)};
}

}  // namespace fetch
