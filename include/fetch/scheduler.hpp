#pragma once
// Runs a bounded number of fetches at once over a stream of input lines, and joins them.

#include <boost/asio/awaitable.hpp>
#include <string>

namespace fetch {

class LineSource;
class Sink;
struct Session;
struct Summary;

class Scheduler {
 public:
  Scheduler(Session& session, LineSource& source, Sink& sink, unsigned concurrency);

  // Fetches every line of the source with at most `concurrency` in flight and hands each
  // result to the sink as it completes. Returns when all are done or after stop().
  boost::asio::awaitable<void> run(Summary& summary);

  // Stops taking input and abandons fetches in flight (on SIGINT/SIGTERM or closed stdout).
  void stop();
  // Why reading the input failed part-way, or empty. Lines read before it were fetched.
  const std::string& input_error() const noexcept { return input_error_; }

 private:
  boost::asio::awaitable<void> produce();
  boost::asio::awaitable<void> work(Summary& summary);

  Session& session_;
  LineSource& source_;
  Sink& sink_;
  unsigned concurrency_;
  bool stopped_ = false;
  std::string input_error_;
  struct State;
  State* state_ = nullptr;  // lives in run()'s frame while it runs
};

}  // namespace fetch
