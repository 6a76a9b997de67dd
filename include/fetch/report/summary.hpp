#pragma once
// The run's counters, one set for the whole run: the scheduler adds each result as it
// completes, the progress line and the summary line read them (constant memory).

#include <cstdint>

#include "fetch/client/result.hpp"

namespace fetch {

struct Summary {
  std::uint64_t count = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;    // count - ok
  std::uint64_t bytes = 0;     // body bytes over all URLs
  unsigned in_flight = 0;      // URLs started and not yet finished
  std::uint64_t expected = 0;  // records the run will write, when known up front; 0: unknown
  double elapsed_s = 0;        // wall time of the whole run, once it ended
  bool interrupted = false;    // stopped by a signal before the input ended

  void add(const Result& result) noexcept;
  double requests_per_second() const noexcept;
};

}  // namespace fetch
