#pragma once
// Where results go: the chosen stdout format, the summary and the progress display.

#include <memory>

#include "fetch/app/options.hpp"
#include "fetch/client/result.hpp"
#include "fetch/report/summary.hpp"

namespace fetch {

class Sink {
 public:
  virtual ~Sink() = default;
  // Called once per input URL, as it completes.
  virtual void on_result(const Result& result) = 0;
  // Called whenever the number of URLs in flight changes (for progress displays).
  virtual void on_progress(unsigned /*in_flight*/) {}
  // Called once at the end of the run.
  virtual void on_finish(const Summary& /*summary*/) {}
  // True once stdout's reader is gone: the run should stop quietly.
  virtual bool closed() const { return false; }
};

// Resolves automatic format/colour against where stdout and stderr point.
//   format:   automatic -> text when stdout is a terminal, else tsv.
//   colour:   only ever for the text format; always -> on; never or NO_COLOR -> off;
//             automatic -> on when stdout is a terminal.
//   progress: stderr is a terminal, options.progress and not options.quiet.
struct OutputChoice {
  OutputFormat format;
  bool colour;
  bool progress;
};
OutputChoice choose_output(const Options& options, bool stdout_is_tty, bool stderr_is_tty,
                           bool no_colour_env);

// True when the NO_COLOR environment variable is set to a non-empty value (no-color.org).
bool no_colour_requested() noexcept;

// The console sink: results on stdout in `choice.format`, summary (unless `quiet`) and
// progress on stderr.
std::unique_ptr<Sink> make_console_sink(const OutputChoice& choice, bool quiet);
// The same on explicit descriptors, which stay open and owned by the caller. Results are
// written as they arrive unless nobody reads `out_fd` live (a file, /dev/null): then they are
// batched, and flushed by on_finish and on destruction.
std::unique_ptr<Sink> make_console_sink(const OutputChoice& choice, bool quiet, int out_fd,
                                        int err_fd);

}  // namespace fetch
