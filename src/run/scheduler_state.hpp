#pragma once
// What the producer (or the open model's dispatcher) and the fetches of one pass share while
// it runs. Lives in the frame of Scheduler::run_pass() or run_open(), which outlives them all.
// Private to src/run/.

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fetch/input/line_source.hpp"
#include "fetch/run/reorder_window.hpp"
#include "fetch/run/scheduler.hpp"

namespace fetch {

// The open model's passes: one cycle through the list is one pass; it ends when every one of
// its requests was dispatched (started or dropped) and has finished.
struct OpenPasses {
  struct Pass {
    std::uint64_t dispatched = 0;
    std::uint64_t outstanding = 0;
    Clock::time_point first_due{};
  };
  std::map<std::uint64_t, Pass> passes;  // begun, not ended
  std::uint64_t list_size = 0;
  bool dispatch_over = false;  // no more starts: passes not fully dispatched end incomplete
};

// One line to fetch, with its place in the pass (--ordered; 0 otherwise).
struct Scheduler::Job {
  InputLine line;
  std::uint64_t ticket = 0;
};

struct Scheduler::State {
  // Lines flow from the producer to the workers; an empty optional tells one worker to stop.
  // (Boost 1.81's channel::close() drops buffered items, so no close() here.)
  using Queue = asio::experimental::channel<void(boost::system::error_code, std::optional<Job>)>;

  // `order_window` above 0: results are released in input order (--ordered).
  State(const asio::any_io_executor& executor, unsigned concurrency, std::size_t order_window = 0)
      : executor(executor),
        queue(executor, concurrency),
        all_done(executor, asio::steady_timer::time_point::max()),
        room(executor, asio::steady_timer::time_point::max()),
        cancel_signals(concurrency + 1) {
    if (order_window > 0) window.emplace(order_window);
  }

  asio::any_io_executor executor;
  Queue queue;
  asio::steady_timer all_done;          // cancelled by the last coroutine to finish
  std::optional<ReorderWindow> window;  // --ordered
  asio::steady_timer room;              // cancelled when the window makes room: wakes the producer
  // One per worker (open model: per request slot); the last: the producer or dispatcher.
  std::vector<asio::cancellation_signal> cancel_signals;
  unsigned workers = 0;              // started so far, at most the concurrency
  unsigned running = 0;              // the producer and the workers not yet finished
  bool cut = false;                  // --duration ended the pass before every line was fetched
  std::exception_ptr failure;        // a bug, rethrown from run()
  std::string input_error;           // why reading the input stopped early, if it did
  std::vector<unsigned> free_slots;  // open model: cancel_signals not in use
  OpenPasses open;                   // open model: the passes under way

  void finished_one() {
    if (--running == 0) {
      all_done.cancel();
    }
  }
};

}  // namespace fetch
