#pragma once
// A one-line progress display on a terminal (stderr): fresh figures whenever it is drawn, at
// most ten draws a second from results, and a timer's ten a second while nothing happens.

#include <chrono>
#include <cstdint>
#include <string>

#include "fetch/report/summary.hpp"

namespace fetch {

class Output;

// The progress line's text, without escape sequences, e.g.
//   "  1234 done  (1200 ok, 34 failed)  50 in flight  812.3 req/s  4.2 s"
// and, when the run knows how many records it will write (run.expected),
//   "  1234/10000 done  12%  (1200 ok, 34 failed)  50 in flight  812.3 req/s  4.2 s  ETA 11 s"
// The percentage is rounded down (100% only once all are done); the ETA is what is left at
// the rate so far.
std::string progress_text(const Summary& run, double elapsed_s);

class Progress {
 public:
  // Draws `run`, the one summary of the run (which outlives it), on `terminal`.
  Progress(Output& terminal, const Summary& run);

  // Something changed (a result was written, a URL started): draws the line at once when
  // clear() erased it, otherwise when the line shown is 100 ms old or more.
  void update();
  // The timer's tick: draws the line with the figures of now (the elapsed time moves on
  // even while no URL finishes).
  void tick();
  // Erases the line ("\r\x1b[2K") so that a result line can be printed over it; does
  // nothing when no line is shown.
  void clear();

 private:
  void draw(std::chrono::steady_clock::time_point now);

  Output& terminal_;
  const Summary& run_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  std::string line_;  // the line being drawn, escape sequence included
};

}  // namespace fetch
