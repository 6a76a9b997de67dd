#pragma once
// A latency histogram for the benchmark mode: HdrHistogram's log-linear layout with the
// parameters fixed, so that every histogram (in this process or read back from another
// one's JSON) has the same buckets and merging is adding counts bucket by bucket.
//
// Values are whole microseconds, 0 to kMaxTrackable (2^32 - 1 us, about 71.6 minutes).
// Values below 2048 us are kept exactly; above, each power-of-two range [2^k, 2^(k+1)) is
// split into 1024 equal buckets, so a bucket is never wider than 1/1024 of its lowest value:
// 3 significant decimal digits (relative error under 0.098%). Larger values are clamped to
// kMaxTrackable and counted in overflow_count(); min, max, mean and stddev then use the
// clamped value too, so that every statistic describes the same recorded data.
//
// Memory is constant: one array of kCountsLength 64-bit counts (kCountsBytes = 188 416
// bytes), allocated once by the constructor (zeroed by calloc: the kernel's zero pages until
// written, so a run whose latencies fall in a narrow range touches a few pages of it, not
// 46), plus a few scalars. count, min, max, the sum and
// the sum of squares are kept exactly (the sums in 128 bits), so mean and stddev do not depend
// on the bucket widths nor on the order in which shards are merged.

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace fetch::stats {

namespace detail {
// A 128-bit unsigned sum as two words, since ISO C++ has no 128-bit integer type.
struct WideSum {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend bool operator==(const WideSum&, const WideSum&) = default;
};
}  // namespace detail

class Histogram {
 public:
  static constexpr int kSignificantDigits = 3;
  static constexpr std::uint64_t kMaxTrackable = (std::uint64_t{1} << 32) - 1;  // microseconds
  static constexpr int kSubBucketHalfCountMagnitude = 10;                       // 1024 = 2^10
  static constexpr std::size_t kSubBucketHalfCount = std::size_t{1} << kSubBucketHalfCountMagnitude;
  static constexpr std::size_t kSubBucketCount = 2 * kSubBucketHalfCount;  // 2048 >= 2 * 10^3
  static constexpr std::size_t kBucketCount = 22;  // 2048 * 2^21 = 2^32 > kMaxTrackable
  static constexpr std::size_t kCountsLength = (kBucketCount + 1) * kSubBucketHalfCount;
  static constexpr std::size_t kCountsBytes = kCountsLength * sizeof(std::uint64_t);

  // An empty histogram; allocates the count array (kCountsBytes) once.
  Histogram();

  // Adds one value in microseconds, in O(1): clamped to kMaxTrackable (and counted in
  // overflow_count()) when larger. The total count must stay below 2^64.
  void record(std::uint64_t micros) noexcept;

  // Adds every value of `other`, as if each had been recorded here: afterwards every
  // statistic equals that of one histogram of both shards' values. Throws std::overflow_error,
  // changing nothing, if the combined count would not fit in 64 bits.
  void merge(const Histogram& other);

  // How many values were recorded (merged in), and how many of them were clamped.
  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t overflow_count() const noexcept { return overflow_; }

  // The exact smallest and largest recorded value; 0 when empty.
  std::uint64_t min() const noexcept;
  std::uint64_t max() const noexcept { return max_; }

  // The exact arithmetic mean, and the population standard deviation (divided by n, as
  // HdrHistogram's); 0 when empty.
  double mean() const noexcept;
  double stddev() const noexcept;

  // The value at quantile q in [0, 1] (0.5 is the median, 0.999 is p99.9), by the nearest-rank
  // rule as HdrHistogram rounds it: the highest value equivalent to (in the same bucket as)
  // the ceil(q * count)-th smallest value, capped at max(). quantile(0) is min(),
  // quantile(1) is max(), and the result never decreases as q grows. q * count is rounded to
  // about 14 significant digits first, so that 0.999 * 1000 is rank 999 whatever the binary
  // representation of 0.999. O(kCountsLength). 0 when empty; throws std::invalid_argument
  // when q is outside [0, 1] or NaN.
  std::uint64_t quantile(double q) const;

  // How many recorded values are equivalent to `micros` or below it (counted by bucket, so
  // values that share its bucket count too). O(kCountsLength); for drawing distributions.
  std::uint64_t count_up_to(std::uint64_t micros) const noexcept;

  // The smallest and the largest value that share `micros`'s bucket (clamped first): every
  // value in between is reported as highest_equivalent().
  static std::uint64_t lowest_equivalent(std::uint64_t micros) noexcept;
  static std::uint64_t highest_equivalent(std::uint64_t micros) noexcept;

  // A compact, stable JSON form for another process to read back and merge:
  //   {"format": "fetch.histogram", "version": 1, "unit": "us", "significant_digits": 3,
  //    "max_trackable": 4294967295, "count": N, "overflow": K, "min": .., "max": ..,
  //    "sum": "<decimal>", "sum_of_squares": "<decimal>",
  //    "buckets": [[index, count], ...]}
  // with only the non-empty buckets, indices strictly increasing. The sums are decimal
  // strings because they may exceed 64 bits (and JSON readers often keep only 53).
  boost::json::value to_json() const;
  // The same as compact text appended to `out` (what boost::json::serialize(to_json()) gives),
  // without building a JSON tree: for documents that hold thousands of histograms.
  void append_json(std::string& out) const;

  // Reads what to_json() wrote. Rejects, with a one-line reason, anything that is not exactly
  // such a histogram: other parameters or version, missing or mistyped members, bucket
  // indices out of range or out of order, empty buckets, counts that do not add up to
  // "count", min or max outside their buckets, sums that the buckets' values cannot make.
  // Ignores members it does not know. Never throws (but std::bad_alloc) whatever the input.
  static std::variant<Histogram, std::string> from_json(const boost::json::value& json);

  // Empties it, as if newly constructed, without allocating: O(buckets from min to max).
  void clear() noexcept;

  // Equal when the same values were recorded, in whatever order and shards.
  friend bool operator==(const Histogram& a, const Histogram& b) noexcept;

 private:
  friend class SparseHistogram;  // SparseHistogram::of reads the counts

  // kCountsLength counts from calloc. A moved-from one may only be destroyed or assigned.
  class CountArray {
   public:
    CountArray();
    CountArray(const CountArray& other);
    CountArray& operator=(const CountArray& other);
    CountArray(CountArray&&) noexcept = default;
    CountArray& operator=(CountArray&&) noexcept = default;
    ~CountArray() = default;
    std::uint64_t& operator[](std::size_t i) noexcept { return data_[i]; }
    std::uint64_t operator[](std::size_t i) const noexcept { return data_[i]; }

   private:
    struct Free {
      void operator()(std::uint64_t* p) const noexcept { std::free(p); }
    };
    std::unique_ptr<std::uint64_t[], Free> data_;
  };

  CountArray counts_;
  std::uint64_t count_ = 0;
  std::uint64_t overflow_ = 0;
  std::uint64_t min_ = UINT64_MAX;  // so that record() needs no branch for the first value
  std::uint64_t max_ = 0;
  detail::WideSum sum_;
  detail::WideSum sum_of_squares_;
};

}  // namespace fetch::stats
