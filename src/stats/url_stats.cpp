#include "fetch/stats/url_stats.hpp"

#include <limits>

namespace fetch::stats {

void UrlSummary::add(const Observation& observation) {
  counts.add(observation);
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    if (observation.micros[i]) latency[i].record(*observation.micros[i]);
  }
  if (const auto& total = observation.micros[static_cast<std::size_t>(Metric::total)]) {
    samples.add(observation.pass, *total);
  }
}

void UrlSummary::merge(const UrlSummary& other) {
  counts.merge(other.counts);
  for (std::size_t i = 0; i < kMetricCount; ++i) latency[i].merge(other.latency[i]);
  samples.merge(other.samples);
}

UrlStats::UrlStats(const UrlStats& other)
    : line(other.line),
      url(other.url),
      first_(other.first_),
      more_(other.more_),
      folded_(other.folded_ ? std::make_unique<UrlSummary>(*other.folded_) : nullptr),
      dropped_(other.dropped_),
      has_first_(other.has_first_) {}

UrlStats& UrlStats::operator=(const UrlStats& other) {
  if (this != &other) *this = UrlStats{other};
  return *this;
}

bool UrlStats::fits(const Observation& observation) noexcept {
  if (!observation.error_code.empty()) return false;
  if (observation.status && (*observation.status == 0 || *observation.status > UINT16_MAX)) {
    return false;
  }
  for (const auto& micros : observation.micros) {
    if (micros && *micros > std::numeric_limits<std::uint32_t>::max()) return false;
  }
  return true;
}

Observation UrlStats::observation_of(const Recent& recent) noexcept {
  Observation o;
  o.pass = recent.pass;
  o.ok = recent.ok;
  if (recent.status != 0) o.status = recent.status;
  o.bytes = recent.bytes;
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    if (recent.timed & (1u << i)) o.micros[i] = recent.micros[i];
  }
  return o;
}

void UrlStats::add(const Observation& observation) {
  if (!fits(observation)) {
    folded().add(observation);
    return;
  }
  if (waiting() == kRecent) folded();
  Recent* slot = &first_;
  if (has_first_) {
    // A URL requested again is likely to be requested in every pass: room for all at once.
    if (more_.capacity() == 0) more_.reserve(kRecent - 1);
    slot = &more_.emplace_back();
  } else {
    first_ = Recent{};
    has_first_ = true;
  }
  Recent& recent = *slot;
  recent.pass = observation.pass;
  recent.bytes = observation.bytes;
  recent.ok = observation.ok;
  if (observation.status) recent.status = static_cast<std::uint16_t>(*observation.status);
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    if (!observation.micros[i]) continue;
    recent.micros[i] = static_cast<std::uint32_t>(*observation.micros[i]);
    recent.timed = static_cast<std::uint8_t>(recent.timed | (1u << i));
  }
}

void UrlStats::fold_into(UrlSummary& into) const {
  for_each_waiting([&into](const Recent& recent) { into.add(observation_of(recent)); });
  into.counts.dropped += dropped_;
}

UrlSummary& UrlStats::folded() {
  if (!folded_) folded_ = std::make_unique<UrlSummary>();
  fold_into(*folded_);
  has_first_ = false;
  more_.clear();  // the capacity stays: the next kRecent requests reuse it
  dropped_ = 0;
  return *folded_;
}

UrlSummary UrlStats::summary() const {
  UrlSummary summary = folded_ ? *folded_ : UrlSummary{};
  fold_into(summary);
  return summary;
}

SparseHistogram UrlStats::histogram(Metric metric) const {
  const auto index = static_cast<std::size_t>(metric);
  SparseHistogram histogram = folded_ ? folded_->latency[index] : SparseHistogram{};
  for_each_waiting([&histogram, index](const Recent& recent) {
    if (recent.timed & (1u << index)) histogram.record(recent.micros[index]);
  });
  return histogram;
}

void UrlStats::merge(const UrlStats& other) { folded().merge(other.summary()); }

bool operator==(const UrlStats& a, const UrlStats& b) {
  return a.line == b.line && a.url == b.url && a.summary() == b.summary();
}

}  // namespace fetch::stats
