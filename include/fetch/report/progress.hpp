#pragma once
// A one-line progress display on a terminal (stderr), redrawn at most ten times a second.

#include <chrono>
#include <string>

#include "fetch/report/summary.hpp"

namespace fetch {

class Output;

class Progress {
 public:
  explicit Progress(Output& terminal);
  // Shows "\r\x1b[2K  1234 done  (1200 ok, 34 failed)  50 in flight  812.3 req/s  4.2 s".
  // The figures are recomputed at most every 100 ms; in between, a call only restores the
  // last line if clear() erased it, so the line stays visible below scrolling results.
  void update(const Summary& so_far);
  // Erases the line ("\r\x1b[2K") so that a result line can be printed over it; does
  // nothing when no line is shown.
  void clear();

 private:
  Output& terminal_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  std::string line_;  // the last line drawn, escape sequence included
};

}  // namespace fetch
