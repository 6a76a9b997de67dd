#pragma once
// Runs a bounded number of fetches at once over a stream of input lines, and joins them.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fetch/client/result.hpp"

namespace fetch {

class LineSource;
struct InputLine;
class Sink;
struct Session;
struct Summary;

class Scheduler {
 public:
  // Counts every result into `summary`, the one summary of the run, which the sink reads.
  // `order_window` (--ordered) above 0: the sink gets results in input order, and at most that
  // many lines are started or held beyond the oldest one not yet reported (reorder_window.hpp).
  Scheduler(Session& session, LineSource& source, Sink& sink, Summary& summary,
            unsigned concurrency, std::size_t order_window = 0);

  // Fetches every line of the source with at most `concurrency` in flight and hands each
  // result to the sink as it completes (or, ordered, once every earlier line's has gone).
  // Returns when all are done or after stop(); results held for order when a signal stopped
  // the run are handed over then, in order.
  boost::asio::awaitable<void> run();

  // Stops taking input and abandons fetches in flight (on SIGINT/SIGTERM or closed stdout).
  void stop();
  // Why reading the input failed part-way, or empty. Lines read before it were fetched.
  const std::string& input_error() const noexcept { return input_error_; }

 private:
  // Reads the input; starts a worker for each of the first `concurrency` lines and queues
  // the rest for them.
  boost::asio::awaitable<void> produce();
  struct Job;
  // Fetches `first`, then lines from the queue until told to stop.
  boost::asio::awaitable<void> work(Job first);
  // Hands a finished line's result to the sink (when its turn has come, if ordered: then it
  // is moved from). False once stdout's reader has gone and the run stops.
  bool report(std::uint64_t ticket, Result& result);
  // Runs `coroutine` on the session's executor, cancelled by `signal`, counted in running.
  void spawn(boost::asio::awaitable<void> coroutine, boost::asio::cancellation_signal& signal);

  Session& session_;
  LineSource& source_;
  Sink& sink_;
  Summary& summary_;
  unsigned concurrency_;
  std::size_t order_window_;
  bool stopped_ = false;
  std::string input_error_;
  struct State;
  State* state_ = nullptr;  // lives in run()'s frame while it runs
};

}  // namespace fetch
