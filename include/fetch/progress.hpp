#pragma once
// A one-line progress display on a terminal (stderr), redrawn at most ten times a second.

#include "fetch/summary.hpp"

#include <chrono>

namespace fetch {

class Output;

class Progress {
 public:
  explicit Progress(Output& terminal);
  // Redraws when enough time passed since the last draw.
  void update(const Summary& so_far, unsigned in_flight);
  // Erases the line so that a result line can be printed over it.
  void clear();

 private:
  Output& terminal_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace fetch
