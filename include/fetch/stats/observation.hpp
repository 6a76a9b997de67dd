#pragma once
// What the statistics count: one request as an Observation, and the counters every block
// (the run's totals, each URL's) keeps of them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace fetch::stats
