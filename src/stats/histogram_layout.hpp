#pragma once
// The bucket arithmetic of Histogram (HdrHistogram's, with a unit magnitude of 0: the lowest
// discernible value is 1 us) and its 128-bit sums, shared by histogram.cpp and
// histogram_json.cpp. Private to src/stats/.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "fetch/stats/histogram.hpp"

namespace fetch::stats::layout {

// GCC and Clang have a 128-bit integer; __extension__ says we know ISO C++ does not.
__extension__ typedef unsigned __int128 U128;

constexpr U128 to_u128(detail::WideSum sum) noexcept {
  return (static_cast<U128>(sum.high) << 64) | sum.low;
}
constexpr detail::WideSum to_wide(U128 value) noexcept {
  return {static_cast<std::uint64_t>(value >> 64), static_cast<std::uint64_t>(value)};
}

constexpr int kMagnitude = Histogram::kSubBucketHalfCountMagnitude;  // 10
constexpr std::uint64_t kSubBucketMask = Histogram::kSubBucketCount - 1;
// 64 minus the bits of a value that fits the first bucket (11): a value's bucket is how many
// bits it has beyond those.
constexpr int kLeadingZeroCountBase = 64 - kMagnitude - 1;

constexpr std::uint64_t clamp(std::uint64_t value) noexcept {
  return std::min(value, Histogram::kMaxTrackable);
}

// Bucket b > 0 holds [1024 * 2^b, 2048 * 2^b) in 1024 steps of 2^b, at counts indices
// [(b + 1) * 1024, (b + 2) * 1024); bucket 0 holds [0, 2048) in steps of 1 at [0, 2048). So
// the index is b * 1024 + (value >> b). `value` must be <= kMaxTrackable.
constexpr std::size_t index_of(std::uint64_t value) noexcept {
  const int bucket = kLeadingZeroCountBase - std::countl_zero(value | kSubBucketMask);
  return (static_cast<std::size_t>(bucket) << kMagnitude) + (value >> bucket);
}

constexpr int bucket_of(std::size_t index) noexcept {
  const int bucket = static_cast<int>(index >> kMagnitude) - 1;
  return bucket < 0 ? 0 : bucket;
}

// The inverse of index_of: the lowest and highest value counted at `index`.
constexpr std::uint64_t lowest_at(std::size_t index) noexcept {
  const int bucket = bucket_of(index);
  return (static_cast<std::uint64_t>(index) - (static_cast<std::uint64_t>(bucket) << kMagnitude))
         << bucket;
}
constexpr std::uint64_t highest_at(std::size_t index) noexcept {
  return lowest_at(index) + ((std::uint64_t{1} << bucket_of(index)) - 1);
}

// The nearest rank ceil(q * n), in [1, n]. q * n carries the rounding of q's binary
// representation and of the product, a few units in the 16th digit; taking 1e-14 of it off
// first keeps 0.999 * 1000 (computed as 999.0000000000001) at rank 999, not 1000.
std::uint64_t nearest_rank(double q, std::uint64_t n) noexcept;

// The exact mean sum / n, and the population standard deviation from the exact sums; 0 when
// n is 0 (the deviation also when n is 1). Shared by Histogram and SparseHistogram, so that
// both describe the same values alike.
double mean_of(std::uint64_t n, U128 sum) noexcept;
double stddev_of(std::uint64_t n, U128 sum, U128 sum_of_squares) noexcept;

static_assert(index_of(Histogram::kMaxTrackable) == Histogram::kCountsLength - 1);
static_assert(highest_at(Histogram::kCountsLength - 1) == Histogram::kMaxTrackable);
static_assert(index_of(2047) == 2047 && index_of(2048) == 2048 && lowest_at(2048) == 2048);
static_assert(highest_at(2048) == 2049 && index_of(4095) == 3071 && index_of(4096) == 3072);

}  // namespace fetch::stats::layout
