// The closed model: -j workers over the list, pass after pass.
#include "fetch/run/scheduler.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "fetch/client/client.hpp"
#include "fetch/input/line_source.hpp"
#include "fetch/report/sink.hpp"
#include "fetch/report/summary.hpp"
#include "fetch/run/rate_limiter.hpp"
#include "scheduler_state.hpp"

namespace fetch {

using boost::system::error_code;

Scheduler::Scheduler(Session& session, LineSource& source, Sink& sink, Summary& summary,
                     unsigned concurrency, RunPlan plan)
    : session_(session),
      source_(source),
      sink_(sink),
      summary_(summary),
      concurrency_(concurrency),
      plan_(plan) {
  if (plan_.rate && !plan_.open_model()) {
    limiter_ = std::make_unique<RateLimiter>(*plan_.rate, 1.0);
  }
}

Scheduler::~Scheduler() = default;

asio::awaitable<void> Scheduler::run() {
  if (plan_.open_model()) {
    co_await run_open();
  } else {
    co_await run_passes();
  }
  summary_.finish_counting(
      counted_since_ ? std::chrono::duration<double>(Clock::now() - *counted_since_).count() : 0);
}

bool Scheduler::past_deadline() const noexcept {
  return counting_ && deadline_ && Clock::now() >= *deadline_;
}

asio::awaitable<void> Scheduler::run_passes() {
  const std::uint64_t runs = plan_.runs.value_or(plan_.duration ? UINT64_MAX : 1);
  for (std::uint64_t pass = 0; !stopped_; ++pass) {
    const bool counted = pass >= plan_.warmup;
    if (counted && pass - plan_.warmup >= runs) break;
    if (pass > 0) {
      if (between_passes_) between_passes_();
      if (!source_.rewind()) break;
    }
    const Clock::time_point started = Clock::now();
    if (counted && !counted_since_) counted_since_ = started;
    if (counted && plan_.duration && !deadline_) deadline_ = started + *plan_.duration;
    const bool complete = co_await run_pass(pass - (counted ? plan_.warmup : 0), counted);
    if (counted && !stopped_) {
      summary_.end_pass(pass_, std::chrono::duration<double>(Clock::now() - started).count(),
                        complete);
    }
    if (!input_error_.empty() || (counted && past_deadline())) break;
  }
}

asio::awaitable<bool> Scheduler::run_pass(std::uint64_t pass, bool counted) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  // Warm-up passes report nothing, so they have nothing to order.
  State state{executor, concurrency_, counted ? plan_.order_window : 0};
  state_ = &state;
  counting_ = counted;
  pass_ = pass;
  state.running = 1;
  spawn(produce(), state.cancel_signals.back());
  co_await state.all_done.async_wait(use_tuple);
  release_held();
  state_ = nullptr;
  input_error_ = std::move(state.input_error);
  if (state.failure) {
    std::rethrow_exception(state.failure);
  }
  co_return !state.cut && !stopped_;
}

void Scheduler::spawn(asio::awaitable<void> coroutine, asio::cancellation_signal& signal) {
  // A coroutine that throws has a bug; remember it, stop the rest, rethrow from run().
  State* state = state_;
  auto on_exit = [this, state](std::exception_ptr error) {
    if (error && !stopped_ && !state->failure) {
      state->failure = error;
      stop();
    }
    state->finished_one();
  };
  asio::co_spawn(state->executor, std::move(coroutine),
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

bool Scheduler::report(Result& result, std::uint64_t pass, double queued_ms, std::uint64_t ticket) {
  summary_.add(result, RequestInfo{pass, queued_ms, plan_.open_model()});
  if (!state_ || !state_->window) {
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

void Scheduler::release_held() {
  while (state_->window && !state_->failure && !sink_.closed()) {
    const Result* held = state_->window->held();
    if (!held) break;
    sink_.on_result(*held);
    state_->window->pop();
  }
}

asio::awaitable<void> Scheduler::produce() {
  while (!stopped_) {
    // --ordered: no line starts while the window is full (a slow line holds back at most it).
    while (state_->window && state_->window->full() && !stopped_) {
      co_await state_->room.async_wait(use_tuple);
    }
    if (stopped_) break;
    if (past_deadline()) {
      state_->cut = true;  // --duration is over: no more lines for this pass
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
    // Past --duration, lines still queued are passed over (the producer reads no more).
    const bool skip = past_deadline();
    if (skip) state_->cut = true;
    if (!skip && limiter_ && !co_await limiter_->acquire()) break;
    if (!skip) {
      ++summary_.in_flight;
      sink_.on_progress();
      Result result = co_await fetch_url(session_, std::move(job->line));
      --summary_.in_flight;
      if (stopped_) {
        break;
      }
      if (counting_ && !report(result, pass_, 0, job->ticket)) break;
    }
    auto [ec, next] = co_await state_->queue.async_receive(use_tuple);
    if (ec || !next || stopped_) {
      break;
    }
    job = std::move(next);
  }
}

}  // namespace fetch
