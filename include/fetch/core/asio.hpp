#pragma once
// The Asio vocabulary every coroutine here uses, spelled once: the namespace alias, the clock,
// and the completion token that turns failures into values (auto [ec, n] = co_await ...).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

namespace fetch {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Boost 1.81 has no default completion tokens: pass this to every asynchronous operation.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Milliseconds between two instants, as the records show them.
inline double milliseconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace fetch
