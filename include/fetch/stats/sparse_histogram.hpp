#pragma once
// A latency histogram with Histogram's buckets (histogram.hpp: log-linear, 3 significant
// digits, microseconds up to 2^32 - 1) that keeps only its non-empty buckets: for the many
// small histograms of a benchmark (one per URL and metric, one per pass), where Histogram's
// fixed 188 KiB each would not do.
//
// Memory: 12 bytes per distinct bucket (a URL fetched in ten passes has at most ten) plus
// about 100 bytes, bounded by kCountsLength buckets however many values are recorded.
// record() is O(log b) for a bucket already present, O(b) when it adds the b-th. Every
// statistic, and the JSON form, equals that of a Histogram recording the same values.

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "fetch/stats/histogram.hpp"

namespace fetch::stats {

class SparseHistogram {
 public:
  // The same values as `dense` holds, in O(buckets from its min to its max).
  static SparseHistogram of(const Histogram& dense);

  // Adds one value in microseconds, clamped to Histogram::kMaxTrackable (and counted in
  // overflow_count()) when larger.
  void record(std::uint64_t micros);

  // Adds every value of `other`; throws std::overflow_error, changing nothing, if the
  // combined count would not fit in 64 bits.
  void merge(const SparseHistogram& other);

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t overflow_count() const noexcept { return overflow_; }
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;
  double stddev() const noexcept;
  // As Histogram::quantile (the same rank rule, the same value); O(b).
  std::uint64_t quantile(double q) const;
  // Distinct buckets in use: what the memory grows with.
  std::size_t bucket_count() const noexcept { return buckets_.size(); }

  // The JSON form of histogram.hpp, exactly as Histogram::to_json writes it.
  boost::json::value to_json() const;
  // The same as compact text appended to `out`, as Histogram::append_json.
  void append_json(std::string& out) const;
  // Reads it with every check of Histogram::from_json (the same reasons), without ever
  // allocating the dense array.
  static std::variant<SparseHistogram, std::string> from_json(const boost::json::value& json);

  friend bool operator==(const SparseHistogram&, const SparseHistogram&) = default;

 private:
  struct Bucket {
    std::uint32_t index = 0;
    std::uint64_t count = 0;
    friend bool operator==(const Bucket&, const Bucket&) = default;
  };

  std::vector<Bucket> buckets_;  // non-empty, by increasing index
  std::uint64_t count_ = 0;
  std::uint64_t overflow_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  detail::WideSum sum_;
  detail::WideSum sum_of_squares_;
};

}  // namespace fetch::stats
