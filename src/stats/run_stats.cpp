#include "fetch/stats/run_stats.hpp"

#include <algorithm>

namespace fetch::stats {

void PassStats::merge(const PassStats& other) {
  complete = complete && other.complete;
  elapsed_s = std::max(elapsed_s, other.elapsed_s);
  requests += other.requests;
  ok += other.ok;
  failed += other.failed;
  dropped += other.dropped;
  total.merge(other.total);
}

RunStats::RunStats() = default;

const UrlStats* RunStats::find_url(std::uint64_t line, std::string_view url) const noexcept {
  return urls_.find(line, url);
}

RunStats::OpenPass& RunStats::open_pass(std::uint64_t pass) {
  auto at = open_passes_.find(pass);
  if (at == open_passes_.end()) {
    OpenPass fresh;
    fresh.stats.index = pass;
    if (free_dense_.empty() && dense_.size() < kDensePasses) {
      dense_.emplace_back();
      free_dense_.push_back(static_cast<int>(dense_.size() - 1));
    }
    if (!free_dense_.empty()) {
      fresh.dense = free_dense_.back();
      free_dense_.pop_back();
    }
    at = open_passes_.emplace(pass, std::move(fresh)).first;
  }
  return at->second;
}

void RunStats::add(const Observation& observation) {
  totals_.add(observation);
  for (std::size_t i = 0; i < kMetricCount; ++i) {
    if (observation.micros[i]) latency_[i].record(*observation.micros[i]);
  }
  urls_.entry(observation.line, observation.url).add(observation);
  const auto& total = observation.micros[static_cast<std::size_t>(Metric::total)];
  // A pass the samples will not keep is not worth a histogram.
  if (!passes_.wants(observation.pass)) return;
  OpenPass& open = open_pass(observation.pass);
  PassStats& pass = open.stats;
  ++pass.requests;
  ++(observation.ok ? pass.ok : pass.failed);
  if (!total) return;
  if (open.dense >= 0) {
    dense_[static_cast<std::size_t>(open.dense)].record(*total);
  } else {
    pass.total.record(*total);
  }
}

void RunStats::add_dropped(std::uint64_t line, std::string_view url, std::uint64_t pass) {
  ++totals_.dropped;
  urls_.entry(line, url).add_dropped();
  if (passes_.wants(pass)) ++open_pass(pass).stats.dropped;
}

void RunStats::end_pass(std::uint64_t pass, double elapsed_s, bool complete) {
  auto at = open_passes_.find(pass);
  PassStats ended;
  if (at != open_passes_.end()) {
    ended = std::move(at->second.stats);
    if (const int dense = at->second.dense; dense >= 0) {
      Histogram& histogram = dense_[static_cast<std::size_t>(dense)];
      ended.total.merge(SparseHistogram::of(histogram));
      histogram.clear();
      free_dense_.push_back(dense);
    }
    open_passes_.erase(at);
  }
  ended.index = pass;
  ended.elapsed_s = elapsed_s;
  ended.complete = complete;
  passes_.add(pass, std::move(ended));
}

void RunStats::finish(double elapsed_s) {
  while (!open_passes_.empty()) {
    const auto first = open_passes_.begin();
    end_pass(first->first, first->second.stats.elapsed_s, false);
  }
  elapsed_s_ = elapsed_s;
}

double RunStats::requests_per_second() const noexcept {
  return elapsed_s_ <= 0 ? 0 : static_cast<double>(totals_.requests) / elapsed_s_;
}

void RunStats::merge(const RunStats& other) {
  for (std::size_t i = 0; i < kMetricCount; ++i) latency_[i].merge(other.latency_[i]);
  totals_.merge(other.totals_);
  for (const UrlStats* theirs : other.urls_.by_line()) {
    if (UrlStats* mine = urls_.find(theirs->line, theirs->url)) {
      mine->merge(*theirs);
    } else {
      urls_.insert(*theirs);
    }
  }
  // Passes of the same index ran side by side (shards) or are the same pass of another run:
  // combined. One that only one side has is kept, but no longer a complete sample.
  std::map<std::uint64_t, PassStats> combined;
  for (const auto& [index, pass] : passes_.entries()) combined.emplace(index, pass);
  for (auto& [index, pass] : combined) {
    const auto& theirs = other.passes_.entries();
    const std::uint64_t wanted = index;  // clang 14 does not capture a structured binding
    const auto match = std::find_if(theirs.begin(), theirs.end(),
                                    [wanted](const auto& entry) { return entry.first == wanted; });
    if (match == theirs.end()) {
      pass.complete = false;
    } else {
      pass.merge(match->second);
    }
  }
  for (const auto& [index, pass] : other.passes_.entries()) {
    if (combined.emplace(index, pass).second) combined.at(index).complete = false;
  }
  StridedSamples<PassStats> passes{kMaxPasses};
  passes.set_stride(std::max(passes_.stride(), other.passes_.stride()));
  for (auto& [index, pass] : combined) passes.add(index, std::move(pass));
  passes_ = std::move(passes);
  elapsed_s_ = std::max(elapsed_s_, other.elapsed_s_);
}

}  // namespace fetch::stats
