#include "fetch/stats/observation.hpp"

namespace fetch::stats {
namespace {

constexpr std::array<std::string_view, kMetricCount> kMetricNames{
    "total_ms", "ttfb_ms", "tls_ms", "connect_ms", "resolve_ms", "service_ms"};

void add_counts(CountMap& into, const CountMap& from) {
  for (const auto& [name, count] : from) into[name] += count;
}

void count_name(CountMap& counts, std::string_view name) {
  auto at = counts.find(name);
  if (at == counts.end()) at = counts.emplace(std::string{name}, 0).first;
  ++at->second;
}

}  // namespace

std::string_view to_name(Metric metric) noexcept {
  return kMetricNames[static_cast<std::size_t>(metric)];
}

std::optional<Metric> metric_named(std::string_view name) noexcept {
  for (Metric metric : kMetrics) {
    if (to_name(metric) == name) return metric;
  }
  return std::nullopt;
}

void Counts::add(const Observation& observation) {
  ++requests;
  if (observation.ok) {
    ++ok;
  } else {
    ++failed;
  }
  bytes += observation.bytes;
  if (observation.status) ++statuses[*observation.status];
  // Only failures look the names up: a run without errors never touches these maps.
  if (!observation.error_code.empty()) {
    count_name(errors_by_stage, observation.error_stage);
    count_name(errors_by_code, observation.error_code);
  }
}

void Counts::merge(const Counts& other) {
  requests += other.requests;
  ok += other.ok;
  failed += other.failed;
  dropped += other.dropped;
  bytes += other.bytes;
  for (const auto& [status, count] : other.statuses) statuses[status] += count;
  add_counts(errors_by_stage, other.errors_by_stage);
  add_counts(errors_by_code, other.errors_by_code);
}

double Counts::failed_rate() const noexcept {
  return requests == 0 ? 0 : static_cast<double>(failed) / static_cast<double>(requests);
}

double Counts::dropped_rate() const noexcept {
  const std::uint64_t due = requests + dropped;
  return due == 0 ? 0 : static_cast<double>(dropped) / static_cast<double>(due);
}

}  // namespace fetch::stats
