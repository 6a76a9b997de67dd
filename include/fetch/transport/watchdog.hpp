#pragma once
// Bounds one fetch's operations by a deadline, with one timer per fetch.
//
// Beast's timed stream re-arms a timer for every read and write; the oldest fetch in flight
// holds the earliest timer, so the kernel's timerfd was reprogrammed about once per request.
// Here a fetch arms one timer (moved at most once more, from the connection-phase deadline
// to the whole-exchange deadline), and adding a later timer or cancelling one costs no
// system call.
//
// What happens at the deadline is the protocol's business: HTTP/1.1 closes its socket, which
// ends every pending operation on it; HTTP/2 will reset the one stream.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

namespace fetch {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;
  // Stops what the armed operation waits for; called at most once per arming, on the
  // io_context's thread.
  using Stop = void (*)(void* context) noexcept;

  explicit Watchdog(const boost::asio::any_io_executor& executor);
  ~Watchdog();  // disarms: a timer that fires later touches nothing
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // From now on, at `when`, calls `stop(context)` and marks the watchdog expired. Re-arming
  // replaces the previous action and time. Returns false when the watchdog has already
  // expired: start no operation then.
  [[nodiscard]] bool arm(Clock::time_point when, Stop stop, void* context);
  // The same, closing `socket` at `when` (pending operations complete with
  // operation_aborted; closing, not cancelling, also stops a connect that would try the next
  // address).
  [[nodiscard]] bool arm(boost::asio::ip::tcp::socket& socket, Clock::time_point when);
  // Stops watching (the connection goes back to the pool, or away); the time stays.
  void release() noexcept;
  // The deadline passed while armed: an operation_aborted now means "timed out".
  bool expired() const noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the pending timer handler
};

}  // namespace fetch
