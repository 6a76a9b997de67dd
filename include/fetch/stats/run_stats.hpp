#pragma once
// The statistics of a benchmark run (--runs, --duration, --export-json, ...): what the
// requests of the counted passes add up to, overall, per pass and per URL. Pure: requests
// come in as plain Observations (report/summary.cpp makes them from results); the exports,
// thresholds and baselines read them out. Mergeable: the RunStats of the shards of a run,
// merged, are what one process would have counted (histograms bucket by bucket).
//
// Memory is constant in the number of requests. Overall: one Histogram per metric (6 x 188
// KiB). Per pass: a few counters and a SparseHistogram of total_ms, for at most kMaxPasses
// passes spread over the run (StridedSamples). Per URL: counters, a SparseHistogram per
// metric and at most kMaxUrlSamples per-pass values: about 1 KiB for ten passes.

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
#include "fetch/stats/sparse_histogram.hpp"
#include "fetch/stats/strided_samples.hpp"

namespace fetch::stats {

// What is timed. total: the whole exchange (in the open model from the request's intended
// start); service: from its actual start (open model only); the phases as in the records.
enum class Metric : std::uint8_t { total, ttfb, tls, connect, resolve, service };
inline constexpr std::size_t kMetricCount = 6;
inline constexpr std::array<Metric, kMetricCount> kMetrics{
    Metric::total, Metric::ttfb, Metric::tls, Metric::connect, Metric::resolve, Metric::service};

// "total_ms", "ttfb_ms", "tls_ms", "connect_ms", "resolve_ms", "service_ms".
std::string_view to_name(Metric metric) noexcept;
// The metric of that name, or nullopt.
std::optional<Metric> metric_named(std::string_view name) noexcept;

// One request as the statistics see it.
struct Observation {
  std::uint64_t line = 0;  // input line number
  std::string_view url;
  std::uint64_t pass = 0;  // counted pass, from 0
  bool ok = false;
  std::optional<unsigned> status;
  std::string_view error_stage;  // empty without an error
  std::string_view error_code;
  std::uint64_t bytes = 0;
  // Microseconds per metric (indexed by Metric); absent when not timed: a failed request,
  // the phases of a reused connection, tls of plain http, service outside the open model.
  std::array<std::optional<std::uint64_t>, kMetricCount> micros{};
};

using CountMap = std::map<std::string, std::uint64_t, std::less<>>;

struct Counts {
  std::uint64_t requests = 0;  // started and finished (dropped ones are not)
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;   // requests - ok
  std::uint64_t dropped = 0;  // open model: due while -j were in flight, never started
  std::uint64_t bytes = 0;
  std::map<unsigned, std::uint64_t> statuses;
  CountMap errors_by_stage;
  CountMap errors_by_code;

  void add(const Observation& observation);
  void merge(const Counts& other);
  // failed / requests (0 without requests), and dropped / (requests + dropped).
  double failed_rate() const noexcept;
  double dropped_rate() const noexcept;
  friend bool operator==(const Counts&, const Counts&) = default;
};

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

struct UrlStats {
  std::uint64_t line = 0;
  std::string url;
  Counts counts;
  std::array<SparseHistogram, kMetricCount> latency;  // indexed by Metric
  // total_ms of this URL in microseconds, per counted pass: its samples for a baseline.
  StridedSamples<std::uint64_t> samples{kMaxSamples};

  static constexpr std::size_t kMaxSamples = 128;
  void merge(const UrlStats& other);
  friend bool operator==(const UrlStats&, const UrlStats&) = default;
};

// Names one per-URL block: its input line number and URL (for reports).
using UrlKey = std::pair<std::uint64_t, std::string>;
// Per-URL blocks by input line number. Several input files can give the same number to
// different URLs: those are separate blocks, in the order they were first seen. (A map by
// number alone: the hot path compares integers, not URLs.)
using UrlMap = std::multimap<std::uint64_t, UrlStats>;

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
  const UrlMap& urls() const noexcept { return urls_; }
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
  UrlMap& mutable_urls() noexcept { return urls_; }
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

  UrlStats& url_entry(std::uint64_t line, std::string_view url);
  UrlStats* find(std::uint64_t line, std::string_view url) noexcept;
  OpenPass& open_pass(std::uint64_t pass);

  Counts totals_;
  std::array<Histogram, kMetricCount> latency_;
  std::map<std::uint64_t, OpenPass> open_passes_;  // begun, not ended (the open model overlaps)
  std::vector<Histogram> dense_;                   // at most kDensePasses
  std::vector<int> free_dense_;                    // those not in use by a pass
  StridedSamples<PassStats> passes_{kMaxPasses};
  UrlMap urls_;
  double elapsed_s_ = 0;
};

}  // namespace fetch::stats
