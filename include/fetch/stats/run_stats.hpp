#pragma once
// The statistics of a benchmark run (--runs, --duration, --export-json, ...): what the
// requests of the counted passes add up to, overall, per pass and per URL. Pure: requests
// come in as plain Observations (report/summary.cpp makes them from results); the exports,
// thresholds and baselines read them out. Mergeable: the RunStats of the shards of a run,
// merged, are what one process would have counted (histograms bucket by bucket).
//
// Memory is constant in the number of requests. Overall: one Histogram per metric (6 x 188
// KiB). Per pass: a few counters and a SparseHistogram of total_ms, for at most kMaxPasses
// passes spread over the run (StridedSamples). Per URL: a UrlStats (url_stats.hpp), about
// 160 bytes for a URL requested once, 1 KiB for one of many passes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fetch/stats/histogram.hpp"
#include "fetch/stats/observation.hpp"
#include "fetch/stats/sparse_histogram.hpp"
#include "fetch/stats/strided_samples.hpp"
#include "fetch/stats/url_stats.hpp"
#include "fetch/stats/url_table.hpp"

namespace fetch::stats {

struct PassStats {
  std::uint64_t index = 0;  // counted pass, from 0
  // Every URL of the list was requested in it (no --duration cut, no signal) and, when
  // merged, every merged document had it complete: only these are samples for a baseline.
  bool complete = false;
  double elapsed_s = 0;  // wall time (merged: the longest)
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t dropped = 0;
  SparseHistogram total;  // total_ms of the timed requests

  void merge(const PassStats& other);
  friend bool operator==(const PassStats&, const PassStats&) = default;
};

// Names one per-URL block: its input line number and URL (for reports).
using UrlKey = std::pair<std::uint64_t, std::string>;

class RunStats {
 public:
  static constexpr std::size_t kMaxPasses = 1024;

  RunStats();

  // Counts one finished request of counted pass `observation.pass`.
  void add(const Observation& observation);
  // Counts a request that was due but could not start (open model: -j in flight).
  void add_dropped(std::uint64_t line, std::string_view url, std::uint64_t pass);
  // Ends counted pass `pass`: its wall time, and whether every URL was requested in it.
  void end_pass(std::uint64_t pass, double elapsed_s, bool complete);
  // Ends the run: passes not ended are ended incomplete; `elapsed_s` is the wall time of the
  // counted passes (warm-up excluded).
  void finish(double elapsed_s);

  // Adds another run's statistics (a shard of the same list, or another run of it): counts
  // and histograms added, passes of the same index combined (the longest wall time; complete
  // only when complete in both), per-URL blocks of the same key combined, the elapsed time
  // the longer of the two (shards run side by side). A pass that only one of the two has is
  // kept, incomplete. Throws std::overflow_error if a histogram's count would overflow.
  void merge(const RunStats& other);

  const Counts& totals() const noexcept { return totals_; }
  const Histogram& latency(Metric metric) const noexcept {
    return latency_[static_cast<std::size_t>(metric)];
  }
  // Ended passes, by index (at most kMaxPasses, spread over the run).
  const StridedSamples<PassStats>& passes() const noexcept { return passes_; }
  const UrlTable& urls() const noexcept { return urls_; }
  // The block of that line and URL, or null.
  const UrlStats* find_url(std::uint64_t line, std::string_view url) const noexcept;
  double elapsed_s() const noexcept { return elapsed_s_; }
  // requests / elapsed_s (0 before finish()).
  double requests_per_second() const noexcept;

  // For readers of an exported form (report/summary_json.cpp): set what add() would have.
  Counts& mutable_totals() noexcept { return totals_; }
  Histogram& mutable_latency(Metric metric) noexcept {
    return latency_[static_cast<std::size_t>(metric)];
  }
  StridedSamples<PassStats>& mutable_passes() noexcept { return passes_; }
  UrlTable& mutable_urls() noexcept { return urls_; }
  void set_elapsed(double elapsed_s) noexcept { elapsed_s_ = elapsed_s; }

 private:
  // A pass under way. Its total_ms goes into a dense histogram while one is free (O(1) per
  // request where a sparse one with thousands of buckets would move memory), and is made
  // sparse when the pass ends.
  struct OpenPass {
    PassStats stats;
    int dense = -1;  // index into dense_, or -1: straight into stats.total
  };
  // Dense histograms for the passes open at once: the closed model has one, the open model a
  // few; beyond kDensePasses, passes record sparsely.
  static constexpr std::size_t kDensePasses = 4;

  OpenPass& open_pass(std::uint64_t pass);

  Counts totals_;
  std::array<Histogram, kMetricCount> latency_;
  std::map<std::uint64_t, OpenPass> open_passes_;  // begun, not ended (the open model overlaps)
  std::vector<Histogram> dense_;                   // at most kDensePasses
  std::vector<int> free_dense_;                    // those not in use by a pass
  StridedSamples<PassStats> passes_{kMaxPasses};
  UrlTable urls_;
  double elapsed_s_ = 0;
};

}  // namespace fetch::stats
