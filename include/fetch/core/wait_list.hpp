#pragma once
// Coroutines parked until a deadline of their own or until someone wakes them all: the
// condition variable of a single-threaded io_context. Each waiter sleeps on its own timer, so
// waiters with different deadlines share one list.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <vector>

namespace fetch {

class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;

  // Suspends the calling coroutine until `until` or the next wake_all(), whichever comes
  // first. The list must outlive the wait (hold it by shared_ptr across the co_await); a
  // waiter whose coroutine is destroyed while parked leaves the list.
  boost::asio::awaitable<void> wait_until(std::chrono::steady_clock::time_point until);

  // Wakes every coroutine parked now; they resume on later turns of the event loop.
  void wake_all();

  bool empty() const noexcept { return timers_.empty(); }

 private:
  std::vector<boost::asio::steady_timer*> timers_;
};

}  // namespace fetch
