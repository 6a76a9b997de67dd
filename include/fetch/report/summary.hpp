#pragma once
// Run-wide counters accumulated from results as they complete (constant memory).

#include <cstdint>

#include "fetch/client/result.hpp"

namespace fetch {

struct Summary {
  std::uint64_t count = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;  // count - ok
  std::uint64_t bytes = 0;   // body bytes over all URLs
  double elapsed_s = 0;      // wall time of the whole run
  bool interrupted = false;  // stopped by a signal before the input ended

  void add(const Result& result) noexcept;
  double requests_per_second() const noexcept;
};

}  // namespace fetch
