#pragma once
// Where results go: the chosen stdout format, the summary and the progress display.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>

#include "fetch/client/result.hpp"
#include "fetch/report/output_choice.hpp"
#include "fetch/report/summary.hpp"
#include "fetch/report/write_out.hpp"

namespace fetch {

class Sink {
 public:
  virtual ~Sink() = default;
  // Called once per input URL, as it completes (the run's summary already counts it).
  virtual void on_result(const Result& result) = 0;
  // Called whenever the run's summary changed otherwise (URLs started), for progress displays.
  virtual void on_progress() {}
  // Called once at the end of the run.
  virtual void on_finish() {}
  // True once stdout's reader is gone: the run should stop quietly.
  virtual bool closed() const { return false; }
};

// What the console sink is given beyond the output choice.
struct ConsoleExtras {
  std::optional<WriteOut> write_out{};  // -w: written for each result instead of its record
  // Where the progress line's timer runs (ten draws a second while it is shown); none: it is
  // drawn only as results come.
  boost::asio::any_io_executor executor{};
};

// The console sink: results on stdout in `choice.format` (or `extras.write_out`), summary
// (unless `quiet`) and progress on stderr, both read from `run`, the one summary of the run,
// which the scheduler keeps and which must outlive the sink. The descriptors stay open and
// owned by the caller. Results are written as they arrive unless nobody reads `out_fd` live
// (a file, /dev/null): then they are batched, and flushed by on_finish and on destruction.
std::unique_ptr<Sink> make_console_sink(const OutputChoice& choice, bool quiet, const Summary& run,
                                        ConsoleExtras extras, int out_fd = 1, int err_fd = 2);
// The same with no extras.
std::unique_ptr<Sink> make_console_sink(const OutputChoice& choice, bool quiet, const Summary& run,
                                        int out_fd, int err_fd);

}  // namespace fetch
