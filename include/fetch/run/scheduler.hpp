#pragma once
// Runs a bounded number of fetches at once over a stream of input lines, and joins them.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <string>

namespace fetch {

class LineSource;
struct InputLine;
class Sink;
struct Session;
struct Summary;

class Scheduler {
 public:
  // Counts every result into `summary`, the one summary of the run, which the sink reads.
  Scheduler(Session& session, LineSource& source, Sink& sink, Summary& summary,
            unsigned concurrency);

  // Fetches every line of the source with at most `concurrency` in flight and hands each
  // result to the sink as it completes. Returns when all are done or after stop().
  boost::asio::awaitable<void> run();

  // Stops taking input and abandons fetches in flight (on SIGINT/SIGTERM or closed stdout).
  void stop();
  // Why reading the input failed part-way, or empty. Lines read before it were fetched.
  const std::string& input_error() const noexcept { return input_error_; }

 private:
  // Reads the input; starts a worker for each of the first `concurrency` lines and queues
  // the rest for them.
  boost::asio::awaitable<void> produce();
  // Fetches `first`, then lines from the queue until told to stop.
  boost::asio::awaitable<void> work(InputLine first);
  // Runs `coroutine` on the session's executor, cancelled by `signal`, counted in running.
  void spawn(boost::asio::awaitable<void> coroutine, boost::asio::cancellation_signal& signal);

  Session& session_;
  LineSource& source_;
  Sink& sink_;
  Summary& summary_;
  unsigned concurrency_;
  bool stopped_ = false;
  std::string input_error_;
  struct State;
  State* state_ = nullptr;  // lives in run()'s frame while it runs
};

}  // namespace fetch
