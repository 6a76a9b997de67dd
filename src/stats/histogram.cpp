#include "fetch/stats/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <stdexcept>

#include "histogram_layout.hpp"

namespace fetch::stats {
namespace layout {

std::uint64_t nearest_rank(double q, std::uint64_t n) noexcept {
  const double x = q * static_cast<double>(n);
  const double rank = std::ceil(x - x * 1e-14);
  if (rank <= 1) return 1;
  if (rank >= static_cast<double>(n)) return n;
  return static_cast<std::uint64_t>(rank);
}

double mean_of(std::uint64_t n, U128 sum) noexcept {
  if (n == 0) return 0;
  return static_cast<double>(static_cast<long double>(sum) / static_cast<long double>(n));
}

double stddev_of(std::uint64_t count, U128 s1, U128 s2) noexcept {
  if (count < 2) return 0;
  // n * variance = S2 - S1^2 / n. With S1 = q n + r (0 <= r < n) that is
  // (S2 - q^2 n - 2 q r) - r^2 / n: the first part exact in 128 bits (q <= max < 2^32), so
  // nothing cancels in floating point however small the spread is next to the mean.
  const U128 n = count;
  const U128 q = s1 / n;
  const U128 r = s1 % n;
  const U128 integral = q * q * n + 2 * q * r;
  if (s2 < integral) return 0;  // cannot happen for recorded data; from_json checks it too
  const long double fraction =
      static_cast<long double>(r) * static_cast<long double>(r) / static_cast<long double>(count);
  const long double spread = static_cast<long double>(s2 - integral) - fraction;
  if (spread <= 0) return 0;
  return static_cast<double>(std::sqrt(spread / static_cast<long double>(count)));
}

}  // namespace layout

Histogram::CountArray::CountArray()
    : data_(static_cast<std::uint64_t*>(std::calloc(kCountsLength, sizeof(std::uint64_t)))) {
  if (!data_) throw std::bad_alloc{};
}

Histogram::CountArray::CountArray(const CountArray& other) : CountArray() {
  std::copy(other.data_.get(), other.data_.get() + kCountsLength, data_.get());
}

Histogram::CountArray& Histogram::CountArray::operator=(const CountArray& other) {
  if (this == &other) return *this;
  if (!data_) *this = CountArray{};  // moved from: its array went with the move
  std::copy(other.data_.get(), other.data_.get() + kCountsLength, data_.get());
  return *this;
}

Histogram::Histogram() = default;

bool operator==(const Histogram& a, const Histogram& b) noexcept {
  if (a.count_ != b.count_ || a.overflow_ != b.overflow_ || a.min_ != b.min_ || a.max_ != b.max_ ||
      a.sum_ != b.sum_ || a.sum_of_squares_ != b.sum_of_squares_) {
    return false;
  }
  if (a.count_ == 0) return true;
  // Outside [min, max] every count is 0 in both.
  const std::size_t last = layout::index_of(a.max_);
  for (std::size_t i = layout::index_of(a.min_); i <= last; ++i) {
    if (a.counts_[i] != b.counts_[i]) return false;
  }
  return true;
}

void Histogram::record(std::uint64_t micros) noexcept {
  const std::uint64_t value = layout::clamp(micros);
  overflow_ += micros > kMaxTrackable ? 1 : 0;
  ++counts_[layout::index_of(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  // value < 2^32, so its square fits 64 bits; the sums need 128 bits over 2^64 values.
  sum_ = layout::to_wide(layout::to_u128(sum_) + value);
  sum_of_squares_ = layout::to_wide(layout::to_u128(sum_of_squares_) + value * value);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ > UINT64_MAX - count_) {
    throw std::overflow_error("histogram merge: more than 2^64 values");
  }
  if (other.count_ == 0) return;
  // Every bucket count is at most the total, so none of these additions overflows either.
  const std::size_t last = layout::index_of(other.max_);
  for (std::size_t i = layout::index_of(other.min_); i <= last; ++i) {
    counts_[i] += other.counts_[i];
  }
  count_ += other.count_;
  overflow_ += other.overflow_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ = layout::to_wide(layout::to_u128(sum_) + layout::to_u128(other.sum_));
  sum_of_squares_ =
      layout::to_wide(layout::to_u128(sum_of_squares_) + layout::to_u128(other.sum_of_squares_));
}

void Histogram::clear() noexcept {
  if (count_ > 0) {
    const std::size_t last = layout::index_of(max_);
    for (std::size_t i = layout::index_of(min_); i <= last; ++i) counts_[i] = 0;
  }
  count_ = 0;
  overflow_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = {};
  sum_of_squares_ = {};
}

std::uint64_t Histogram::min() const noexcept { return count_ == 0 ? 0 : min_; }

double Histogram::mean() const noexcept { return layout::mean_of(count_, layout::to_u128(sum_)); }

double Histogram::stddev() const noexcept {
  return layout::stddev_of(count_, layout::to_u128(sum_), layout::to_u128(sum_of_squares_));
}

std::uint64_t Histogram::quantile(double q) const {
  if (!(q >= 0 && q <= 1)) throw std::invalid_argument("quantile: q must be in [0, 1]");
  if (count_ == 0) return 0;
  if (q == 0) return min_;
  const std::uint64_t rank = layout::nearest_rank(q, count_);
  std::uint64_t seen = 0;
  const std::size_t last = layout::index_of(max_);
  for (std::size_t i = layout::index_of(min_); i <= last; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(layout::highest_at(i), max_);
  }
  return max_;
}

std::uint64_t Histogram::count_up_to(std::uint64_t micros) const noexcept {
  if (count_ == 0) return 0;
  const std::size_t last =
      std::min(layout::index_of(layout::clamp(micros)), layout::index_of(max_));
  std::uint64_t seen = 0;
  for (std::size_t i = layout::index_of(min_); i <= last; ++i) seen += counts_[i];
  return seen;
}

std::uint64_t Histogram::lowest_equivalent(std::uint64_t micros) noexcept {
  return layout::lowest_at(layout::index_of(layout::clamp(micros)));
}

std::uint64_t Histogram::highest_equivalent(std::uint64_t micros) noexcept {
  return layout::highest_at(layout::index_of(layout::clamp(micros)));
}

}  // namespace fetch::stats
