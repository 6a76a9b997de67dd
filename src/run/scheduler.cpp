#include "fetch/run/scheduler.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "fetch/client/client.hpp"
#include "fetch/input/line_source.hpp"
#include "fetch/report/sink.hpp"
#include "fetch/report/summary.hpp"
#include "fetch/run/reorder_window.hpp"

namespace fetch {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

// One line to fetch, with its place in the input order (--ordered; 0 otherwise).
struct Scheduler::Job {
  InputLine line;
  std::uint64_t ticket = 0;
};

// Everything the producer and the workers share while run() is in progress. Lives in
// run()'s coroutine frame, which outlives them all.
struct Scheduler::State {
  // Lines flow from the producer to the workers; an empty optional tells one worker to stop.
  // (Boost 1.81's channel::close() drops buffered items, so no close() here.)
  using Queue = asio::experimental::channel<void(error_code, std::optional<Job>)>;

  State(const asio::any_io_executor& executor, unsigned concurrency, std::size_t order_window)
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
  std::vector<asio::cancellation_signal> cancel_signals;  // one per worker, last: producer
  unsigned workers = 0;                                   // started so far, at most the concurrency
  unsigned running = 0;        // the producer and the workers not yet finished
  std::exception_ptr failure;  // a bug, rethrown from run()
  std::string input_error;     // why reading the input stopped early, if it did

  void finished_one() {
    if (--running == 0) {
      all_done.cancel();
    }
  }
};

Scheduler::Scheduler(Session& session, LineSource& source, Sink& sink, Summary& summary,
                     unsigned concurrency, std::size_t order_window)
    : session_(session),
      source_(source),
      sink_(sink),
      summary_(summary),
      concurrency_(concurrency),
      order_window_(order_window) {}

asio::awaitable<void> Scheduler::run() {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  State state{executor, concurrency_, order_window_};
  state_ = &state;
  state.running = 1;
  spawn(produce(), state.cancel_signals.back());
  co_await state.all_done.async_wait(use_tuple);
  // Stopped by a signal: what finished is still reported, in order, gaps skipped.
  while (state.window && !state.failure && !sink_.closed()) {
    const Result* held = state.window->held();
    if (!held) break;
    sink_.on_result(*held);
    state.window->pop();
  }
  state_ = nullptr;
  input_error_ = std::move(state.input_error);
  if (state.failure) {
    std::rethrow_exception(state.failure);
  }
}

void Scheduler::spawn(asio::awaitable<void> coroutine, asio::cancellation_signal& signal) {
  // A coroutine that throws has a bug; remember it, stop the rest, rethrow from run().
  auto on_exit = [this](std::exception_ptr error) {
    if (error && !stopped_ && state_ && !state_->failure) {
      state_->failure = error;
      stop();
    }
    state_->finished_one();
  };
  asio::co_spawn(state_->executor, std::move(coroutine),
                 asio::bind_cancellation_slot(signal.slot(), on_exit));
}

void Scheduler::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  // A read waiting on a terminal or pipe would otherwise keep the io_context alive.
  source_.cancel();
  if (state_) {
    // Each coroutine is suspended on exactly one operation (we are on the only thread);
    // terminal cancellation completes it with operation_aborted, or makes the next co_await
    // throw, and the coroutine ends without reporting.
    for (asio::cancellation_signal& signal : state_->cancel_signals) {
      signal.emit(asio::cancellation_type::terminal);
    }
  }
}

asio::awaitable<void> Scheduler::produce() {
  while (!stopped_) {
    // --ordered: no line starts while the window is full (a slow line holds back at most it).
    while (state_->window && state_->window->full() && !stopped_) {
      co_await state_->room.async_wait(use_tuple);
    }
    if (stopped_) {
      break;
    }
    std::optional<InputLine> line;
    try {
      line = co_await source_.next();
    } catch (const std::system_error& error) {
      // The input broke mid-way (EIO, a vanished file system): what was read still counts.
      if (!stopped_) {
        state_->input_error = error.what();
      }
    }
    if (!line || stopped_) {
      break;
    }
    Job job{std::move(*line), state_->window ? state_->window->take() : 0};
    // The first lines each start a worker of their own, at once: a file's first -j lines
    // are read without suspending, so that many fetches start together. Handed through the
    // channel instead, one would start per turn of the event loop, and a turn can hold a
    // millisecond of handshake crypto (15 URLs took 9 ms just to start).
    if (state_->workers < concurrency_) {
      ++state_->running;
      const unsigned index = state_->workers++;
      spawn(work(std::move(job)), state_->cancel_signals[index]);
      continue;
    }
    auto [ec] = co_await state_->queue.async_send(error_code{}, std::move(job), use_tuple);
    if (ec) {
      co_return;
    }
  }
  if (stopped_) {
    co_return;
  }
  for (unsigned i = 0; i < state_->workers; ++i) {
    auto [ec] = co_await state_->queue.async_send(error_code{}, std::nullopt, use_tuple);
    if (ec) {
      co_return;
    }
  }
}

asio::awaitable<void> Scheduler::work(Job first) {
  std::optional<Job> job{std::move(first)};
  while (!stopped_) {
    ++summary_.in_flight;
    sink_.on_progress();
    Result result = co_await fetch_url(session_, std::move(job->line));
    --summary_.in_flight;
    if (stopped_) {
      break;
    }
    summary_.add(result);
    if (!report(job->ticket, result)) {
      break;
    }
    auto [ec, next] = co_await state_->queue.async_receive(use_tuple);
    if (ec || !next || stopped_) {
      break;
    }
    job = std::move(next);
  }
}

bool Scheduler::report(std::uint64_t ticket, Result& result) {
  if (!state_->window) {
    sink_.on_result(result);
  } else {
    ReorderWindow& window = *state_->window;
    window.put(ticket, std::move(result));
    bool released = false;
    while (!sink_.closed()) {
      const Result* ready = window.ready();
      if (!ready) break;
      sink_.on_result(*ready);
      window.pop();
      released = true;
    }
    if (released) state_->room.cancel();  // the producer may start lines again
  }
  if (sink_.closed()) {
    stop();
    return false;
  }
  return true;
}

}  // namespace fetch
