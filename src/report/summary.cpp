#include "fetch/report/summary.hpp"

#include <cmath>

#include "fetch/stats/run_stats.hpp"

namespace fetch {
namespace {

std::uint64_t micros(double ms) {
  return ms <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(ms * 1000));
}

// What the statistics time: requests that got a response without an error (any status), and
// of their phases those that happened (a reused connection has no resolve, connect or TLS).
stats::Observation observation_of(const Result& result, const RequestInfo& info) {
  using stats::Metric;
  stats::Observation o;
  o.line = result.line;
  o.url = result.url;
  o.pass = info.pass;
  o.ok = result.ok();
  o.status = result.status;
  o.bytes = result.bytes;
  if (result.error) {
    o.error_stage = to_string(result.error->stage);
    o.error_code = to_name(result.error->code);
    return o;
  }
  if (!result.status) return o;
  const Timings& t = result.timings;
  const auto set = [&o](Metric metric, double ms) {
    o.micros[static_cast<std::size_t>(metric)] = micros(ms);
  };
  set(Metric::total, t.total_ms + info.queued_ms);
  set(Metric::ttfb, t.ttfb_ms);
  if (info.open_model) set(Metric::service, t.total_ms);
  if (!result.reused_connection) {
    set(Metric::resolve, t.resolve_ms);
    set(Metric::connect, t.connect_ms);
    if (t.tls_ms > 0) set(Metric::tls, t.tls_ms);
  }
  return o;
}

}  // namespace

void Summary::add(const Result& result) noexcept {
  ++count;
  if (result.ok()) {
    ++ok;
  } else {
    ++failed;
  }
  bytes += result.bytes;
}

void Summary::add(const Result& result, const RequestInfo& info) {
  add(result);
  if (stats) stats->add(observation_of(result, info));
}

void Summary::add_dropped(std::uint64_t line, std::string_view url, std::uint64_t pass) {
  ++dropped;
  if (stats) stats->add_dropped(line, url, pass);
}

void Summary::end_pass(std::uint64_t pass, double elapsed_s, bool complete) {
  if (stats) stats->end_pass(pass, elapsed_s, complete);
}

void Summary::finish_counting(double elapsed_s) {
  if (stats) stats->finish(elapsed_s);
}

double Summary::requests_per_second() const noexcept {
  if (elapsed_s <= 0) return 0;
  return static_cast<double>(count) / elapsed_s;
}

}  // namespace fetch
