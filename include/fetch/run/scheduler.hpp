#pragma once
// Runs a bounded number of fetches at once over a stream of input lines, and joins them: once
// over the list, or in passes (--warmup, --runs, --duration), paced (--rate), or as an open
// model (--rate with --duration: requests start on a schedule, whether or not earlier ones
// finished).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fetch/core/asio.hpp"

namespace fetch {

class LineSource;
struct InputLine;
struct Result;
class RateLimiter;
class Sink;
struct Session;
struct Summary;

// How a run goes over its list. The default is one pass, as fast as -j allows.
struct RunPlan {
  unsigned warmup = 0;                      // passes first, neither printed nor counted
  std::optional<std::uint64_t> runs;        // counted passes: 1 by default, unbounded with duration
  std::optional<Clock::duration> duration;  // no counted request starts after this much time
  std::optional<double> rate;               // request starts per second (--rate)
  bool cold = false;  // idle connections are closed between passes (see on_between_passes)
  // --ordered (closed model, no --duration): the sink gets each pass's results in input
  // order, and at most this many lines are started or held beyond the oldest one not yet
  // reported (reorder_window.hpp); 0: as they complete.
  std::size_t order_window = 0;

  // --rate with --duration: requests start on a schedule, up to -j in flight, others dropped.
  bool open_model() const noexcept { return rate && duration; }
  // More than one pass over the list: the list must be replayable.
  bool repeats() const noexcept { return warmup > 0 || runs.value_or(1) > 1 || duration; }
};

class Scheduler {
 public:
  // Counts every result into `summary`, the one summary of the run, which the sink reads.
  // With a plan that repeats, `source` must rewind() (make_replay_source()).
  Scheduler(Session& session, LineSource& source, Sink& sink, Summary& summary,
            unsigned concurrency, RunPlan plan = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Called between two passes, with nothing in flight (--cold closes idle connections).
  void on_between_passes(std::function<void()> callback) { between_passes_ = std::move(callback); }

  // Fetches every line of the source with at most `concurrency` in flight, pass after pass,
  // and hands each counted result to the sink as it completes. Returns when all are done or
  // after stop().
  boost::asio::awaitable<void> run();

  // Stops taking input and abandons fetches in flight (on SIGINT/SIGTERM or closed stdout).
  void stop();
  // Why reading the input failed part-way, or empty. Lines read before it were fetched.
  const std::string& input_error() const noexcept { return input_error_; }

 private:
  struct State;

  // Closed model: passes until the plan's count or duration is reached.
  boost::asio::awaitable<void> run_passes();
  // One pass over the source; `counted` passes are numbered from 0. True when every line was
  // fetched (not cut by the duration nor stopped).
  boost::asio::awaitable<bool> run_pass(std::uint64_t pass, bool counted);
  // Reads the input; starts a worker for each of the first `concurrency` lines and queues
  // the rest for them.
  boost::asio::awaitable<void> produce();
  struct Job;
  // Fetches `first`, then lines from the queue until told to stop.
  boost::asio::awaitable<void> work(Job first);
  // Open model (open_model.cpp): the schedule, and one request on it.
  boost::asio::awaitable<void> run_open();
  boost::asio::awaitable<void> dispatch(State& state, const std::vector<InputLine>& lines);
  boost::asio::awaitable<void> request(InputLine line, std::uint64_t pass,
                                       Clock::time_point intended, unsigned slot);
  // Reads every line of the source into memory.
  boost::asio::awaitable<std::vector<InputLine>> read_all();
  // Runs `coroutine` on the session's executor, cancelled by `signal`, counted in running.
  void spawn(boost::asio::awaitable<void> coroutine, boost::asio::cancellation_signal& signal);
  // Counts and reports one finished request (with --ordered, once its turn has come: `ticket`
  // is its place in the pass, and `result` is moved from); false when the run should stop
  // (stdout closed).
  bool report(Result& result, std::uint64_t pass, double queued_ms, std::uint64_t ticket = 0);
  // After a pass stopped by a signal: what finished is still reported, in order, gaps skipped.
  void release_held();
  bool past_deadline() const noexcept;

  Session& session_;
  LineSource& source_;
  Sink& sink_;
  Summary& summary_;
  unsigned concurrency_;
  RunPlan plan_;
  std::unique_ptr<RateLimiter> limiter_;  // closed model with --rate: caps request starts
  std::function<void()> between_passes_;
  std::optional<Clock::time_point> deadline_;       // --duration, from the first counted pass
  std::optional<Clock::time_point> counted_since_;  // when the first counted pass began
  bool counting_ = false;                           // the pass under way is counted
  std::uint64_t pass_ = 0;                          // its number
  bool stopped_ = false;
  std::string input_error_;
  State* state_ = nullptr;  // lives in run_pass()'s (or run_open()'s) frame while it runs
};

}  // namespace fetch
