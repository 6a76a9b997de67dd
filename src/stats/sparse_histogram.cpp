#include "fetch/stats/sparse_histogram.hpp"

#include <algorithm>
#include <stdexcept>

#include "histogram_form.hpp"
#include "histogram_layout.hpp"

namespace fetch::stats {

SparseHistogram SparseHistogram::of(const Histogram& dense) {
  SparseHistogram sparse;
  if (dense.count_ == 0) return sparse;
  const std::size_t last = layout::index_of(dense.max_);
  for (std::size_t i = layout::index_of(dense.min_); i <= last; ++i) {
    if (dense.counts_[i] != 0) {
      sparse.buckets_.push_back({static_cast<std::uint32_t>(i), dense.counts_[i]});
    }
  }
  sparse.count_ = dense.count_;
  sparse.overflow_ = dense.overflow_;
  sparse.min_ = dense.min_;
  sparse.max_ = dense.max_;
  sparse.sum_ = dense.sum_;
  sparse.sum_of_squares_ = dense.sum_of_squares_;
  return sparse;
}

void SparseHistogram::record(std::uint64_t micros) {
  const std::uint64_t value = layout::clamp(micros);
  const auto index = static_cast<std::uint32_t>(layout::index_of(value));
  // Latencies cluster: most values land at or near the last bucket, so look there first.
  auto at = !buckets_.empty() && buckets_.back().index < index
                ? buckets_.end()
                : std::lower_bound(buckets_.begin(), buckets_.end(), index,
                                   [](const Bucket& b, std::uint32_t i) { return b.index < i; });
  if (at != buckets_.end() && at->index == index) {
    ++at->count;
  } else {
    buckets_.insert(at, Bucket{index, 1});
  }
  overflow_ += micros > Histogram::kMaxTrackable ? 1 : 0;
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ = layout::to_wide(layout::to_u128(sum_) + value);
  sum_of_squares_ = layout::to_wide(layout::to_u128(sum_of_squares_) + value * value);
}

void SparseHistogram::merge(const SparseHistogram& other) {
  if (other.count_ > UINT64_MAX - count_) {
    throw std::overflow_error("histogram merge: more than 2^64 values");
  }
  if (other.count_ == 0) return;
  std::vector<Bucket> merged;
  merged.reserve(buckets_.size() + other.buckets_.size());
  auto a = buckets_.begin();
  auto b = other.buckets_.begin();
  while (a != buckets_.end() || b != other.buckets_.end()) {
    if (b == other.buckets_.end() || (a != buckets_.end() && a->index < b->index)) {
      merged.push_back(*a++);
    } else if (a == buckets_.end() || b->index < a->index) {
      merged.push_back(*b++);
    } else {
      merged.push_back({a->index, a->count + b->count});
      ++a;
      ++b;
    }
  }
  buckets_ = std::move(merged);
  count_ += other.count_;
  overflow_ += other.overflow_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ = layout::to_wide(layout::to_u128(sum_) + layout::to_u128(other.sum_));
  sum_of_squares_ =
      layout::to_wide(layout::to_u128(sum_of_squares_) + layout::to_u128(other.sum_of_squares_));
}

double SparseHistogram::mean() const noexcept {
  return layout::mean_of(count_, layout::to_u128(sum_));
}

double SparseHistogram::stddev() const noexcept {
  return layout::stddev_of(count_, layout::to_u128(sum_), layout::to_u128(sum_of_squares_));
}

std::uint64_t SparseHistogram::quantile(double q) const {
  if (!(q >= 0 && q <= 1)) throw std::invalid_argument("quantile: q must be in [0, 1]");
  if (count_ == 0) return 0;
  if (q == 0) return min_;
  const std::uint64_t rank = layout::nearest_rank(q, count_);
  std::uint64_t seen = 0;
  for (const Bucket& bucket : buckets_) {
    seen += bucket.count;
    if (seen >= rank) return std::min(layout::highest_at(bucket.index), max_);
  }
  return max_;
}

boost::json::value SparseHistogram::to_json() const {
  std::vector<form::Bucket> buckets;
  buckets.reserve(buckets_.size());
  for (const Bucket& bucket : buckets_) buckets.push_back({bucket.index, bucket.count});
  return form::to_json(
      {count_, overflow_, min(), max_, layout::to_u128(sum_), layout::to_u128(sum_of_squares_)},
      buckets);
}

void SparseHistogram::append_json(std::string& out) const {
  // Bucket and form::Bucket have the same members; copied rather than aliased.
  std::vector<form::Bucket> buckets;
  buckets.reserve(buckets_.size());
  for (const Bucket& bucket : buckets_) buckets.push_back({bucket.index, bucket.count});
  form::append_text(
      {count_, overflow_, min(), max_, layout::to_u128(sum_), layout::to_u128(sum_of_squares_)},
      buckets.data(), buckets.data() + buckets.size(), out);
}

std::variant<SparseHistogram, std::string> SparseHistogram::from_json(
    const boost::json::value& json) {
  auto parsed = form::parse(json);
  if (auto* reason = std::get_if<std::string>(&parsed)) return std::move(*reason);
  const form::Parsed& read = std::get<form::Parsed>(parsed);
  SparseHistogram histogram;
  histogram.buckets_.reserve(read.buckets.size());
  for (const form::Bucket& bucket : read.buckets) {
    histogram.buckets_.push_back({bucket.index, bucket.count});
  }
  histogram.count_ = read.scalars.count;
  histogram.overflow_ = read.scalars.overflow;
  histogram.min_ = read.scalars.count == 0 ? UINT64_MAX : read.scalars.min;
  histogram.max_ = read.scalars.max;
  histogram.sum_ = layout::to_wide(read.scalars.sum);
  histogram.sum_of_squares_ = layout::to_wide(read.scalars.sum_of_squares);
  return histogram;
}

}  // namespace fetch::stats
