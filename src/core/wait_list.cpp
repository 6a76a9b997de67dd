#include "fetch/core/wait_list.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace fetch {

namespace asio = boost::asio;

namespace {

// Lists a timer for as long as its coroutine waits, however that wait ends.
class Listed {
 public:
  Listed(std::vector<asio::steady_timer*>& timers, asio::steady_timer& timer)
      : timers_(timers), timer_(timer) {
    timers_.push_back(&timer_);
  }
  ~Listed() { std::erase(timers_, &timer_); }
  Listed(const Listed&) = delete;
  Listed& operator=(const Listed&) = delete;

 private:
  std::vector<asio::steady_timer*>& timers_;
  asio::steady_timer& timer_;
};

}  // namespace

asio::awaitable<void> WaitList::wait_until(std::chrono::steady_clock::time_point until) {
  asio::steady_timer timer{co_await asio::this_coro::executor, until};
  const Listed listed{timers_, timer};
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

void WaitList::wake_all() {
  for (asio::steady_timer* timer : timers_) {
    timer->cancel();
  }
  timers_.clear();
}

}  // namespace fetch
