#pragma once
// One URL's statistics in a benchmark run: its counters, a SparseHistogram per metric and its
// total_ms per counted pass (the samples a baseline compares).
//
// Made to be cheap where a run has many URLs and few passes (10 000 URLs run once is 10 000
// blocks of one request each): a URL's last requests are kept as they came, 48 bytes each
// (the first in the block itself, so a URL requested once allocates nothing), and only
// folded into histograms once kRecent of them are waiting, or when one does not fit that
// form (a failure, a value beyond 32 bits). Readers get the folded view, summary(), which is
// the same whatever was folded when: recording and folding are order-preserving.
//
// The URL's text is not owned: the UrlTable that holds the block keeps it (url_table.hpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/stats/observation.hpp"
#include "fetch/stats/sparse_histogram.hpp"
#include "fetch/stats/strided_samples.hpp"

namespace fetch::stats {

// What a URL's requests add up to.
struct UrlSummary {
  static constexpr std::size_t kMaxSamples = 128;

  Counts counts;
  std::array<SparseHistogram, kMetricCount> latency;  // indexed by Metric
  // total_ms of this URL in microseconds, per counted pass: its samples for a baseline.
  StridedSamples<std::uint64_t> samples{kMaxSamples};

  void add(const Observation& observation);
  void merge(const UrlSummary& other);
  const SparseHistogram& histogram(Metric metric) const noexcept {
    return latency[static_cast<std::size_t>(metric)];
  }
  friend bool operator==(const UrlSummary&, const UrlSummary&) = default;
};

class UrlStats {
 public:
  static constexpr std::size_t kRecent = 16;

  UrlStats() = default;
  UrlStats(std::uint64_t line, std::string_view url) : line(line), url(url) {}
  UrlStats(const UrlStats& other);
  UrlStats& operator=(const UrlStats& other);
  UrlStats(UrlStats&&) noexcept = default;
  UrlStats& operator=(UrlStats&&) noexcept = default;
  ~UrlStats() = default;

  std::uint64_t line = 0;
  std::string_view url;  // kept by the table

  // Counts one finished request of this URL (observation.line and .url are not read).
  void add(const Observation& observation);
  // Counts a request that was due but could not start.
  void add_dropped() noexcept { ++dropped_; }
  // Adds another block of the same URL (a shard's, another run's).
  void merge(const UrlStats& other);

  // Everything counted, folded: a copy, O(kRecent) on top of copying the folded histograms.
  UrlSummary summary() const;
  // One metric's histogram, folded, without copying the rest.
  SparseHistogram histogram(Metric metric) const;
  // Folds what is waiting and gives the folded block itself: for readers of an exported form,
  // which set what add() would have.
  UrlSummary& folded();

  friend bool operator==(const UrlStats& a, const UrlStats& b);

 private:
  // A request as it came, when it fits: ok or not, a status below 65 536, no error, every
  // timing below 2^32 microseconds (71 minutes). 48 bytes.
  struct Recent {
    std::uint64_t pass = 0;
    std::uint64_t bytes = 0;
    std::array<std::uint32_t, kMetricCount> micros{};
    std::uint16_t status = 0;  // 0: none
    std::uint8_t timed = 0;    // bit i: metric i was timed
    bool ok = false;
  };
  static bool fits(const Observation& observation) noexcept;
  static Observation observation_of(const Recent& recent) noexcept;
  // Adds what is waiting (and the drops) to folded_, in the order it came.
  void fold_into(UrlSummary& into) const;

  std::size_t waiting() const noexcept { return has_first_ ? 1 + more_.size() : 0; }
  template <class F>
  void for_each_waiting(F&& visit) const {
    if (!has_first_) return;
    visit(first_);
    for (const Recent& recent : more_) visit(recent);
  }

  Recent first_;                        // the oldest waiting request, when has_first_
  std::vector<Recent> more_;            // the others, at most kRecent - 1, oldest first
  std::unique_ptr<UrlSummary> folded_;  // null until the first fold
  std::uint64_t dropped_ = 0;           // not yet in folded_
  bool has_first_ = false;
};

}  // namespace fetch::stats
