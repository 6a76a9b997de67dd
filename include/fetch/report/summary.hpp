#pragma once
// The run's counters, one set for the whole run: the scheduler adds each result as it
// completes, the progress line and the summary line read them (constant memory). In a
// benchmark run (--runs, --export-json, ...) the run's statistics are attached and fed too.

#include <cstdint>
#include <string_view>

#include "fetch/client/result.hpp"

namespace fetch {

namespace stats {
class RunStats;
}

// How one counted request ran, beside its result.
struct RequestInfo {
  std::uint64_t pass = 0;  // counted pass, from 0
  // Open model: from the intended start to the actual one (the request's wait for the event
  // loop), added to total_ms for the statistics, which also keep total_ms as service_ms.
  double queued_ms = 0;
  bool open_model = false;
};

struct Summary {
  std::uint64_t count = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;    // count - ok
  std::uint64_t bytes = 0;     // body bytes over all URLs
  std::uint64_t dropped = 0;   // open model: starts that were due while -j were in flight
  unsigned in_flight = 0;      // URLs started and not yet finished
  std::uint64_t expected = 0;  // records the run will write, when known up front; 0: unknown
  double elapsed_s = 0;        // wall time of the whole run, once it ended
  bool interrupted = false;    // stopped by a signal before the input ended
  // The benchmark statistics, when the run keeps them (owned by the caller), else null.
  stats::RunStats* stats = nullptr;

  void add(const Result& result) noexcept;
  // The same, and into the statistics when attached.
  void add(const Result& result, const RequestInfo& info);
  // A request that could not start (open model), and the end of a counted pass.
  void add_dropped(std::uint64_t line, std::string_view url, std::uint64_t pass);
  void end_pass(std::uint64_t pass, double elapsed_s, bool complete);
  // The end of the counted passes, `elapsed_s` after the first began (warm-up excluded).
  void finish_counting(double elapsed_s);
  double requests_per_second() const noexcept;
};

}  // namespace fetch
