#pragma once
// The benchmark summary as data (--export-json): one versioned JSON document with the run's
// configuration, totals, latency blocks, passes, per-URL blocks, the histograms that make
// summaries mergeable, and the verdicts of thresholds and baseline. Its JSON Schema is
// include/fetch/report/summary.schema.json; schema_version counts its revisions, and fields
// are only ever added (readers ignore what they do not know).
//
// Milliseconds are numbers rounded to microseconds (three decimals); latency blocks have the
// keys count, min, mean, stddev, p50, p90, p95, p99, p99_9, max, so that jq paths stay
// plain (.latency.total_ms.p99). Histograms are in microseconds (stats/histogram.hpp).

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fetch/run/shard.hpp"
#include "fetch/stats/baseline.hpp"
#include "fetch/stats/run_stats.hpp"
#include "fetch/stats/threshold.hpp"

namespace fetch {

inline constexpr std::int64_t kSummarySchemaVersion = 1;

// What the run was asked to do: written into the document, read back by --merge.
struct RunConfig {
  std::string version = FETCH_VERSION;  // of the fetch that wrote it
  std::vector<std::string> inputs;      // files, "-", URLs (credentials redacted)
  unsigned concurrency = 50;
  unsigned warmup = 0;
  std::optional<std::uint64_t> runs;
  std::optional<double> duration_s;
  std::optional<double> rate_per_s;
  bool open_model = false;
  bool cold = false;
  std::optional<Shard> shard;
  std::vector<std::string> merged_from;  // --merge: the documents combined
  bool interrupted = false;              // stopped by a signal: the counts are partial
};

// The verdicts, and the exit status they led to.
struct Verdicts {
  std::vector<stats::ThresholdOutcome> thresholds;
  std::optional<stats::BaselineReport> baseline;
  std::string baseline_file;
  bool fail_inconclusive = false;
  int exit_status = 0;
};

struct SummaryDocument {
  const RunConfig& config;
  const stats::RunStats& stats;
  const Verdicts& verdicts;
};

// The document as text (indented, one key per line, arrays of numbers on one line, ending in
// a newline), written in one pass, handed to `sink` in pieces of about 64 KiB: a 10 000-URL
// document is 10 MB, never held whole. summary_text() collects it, and summary_to_json()
// parses that, for tests and tools.
void write_summary(const SummaryDocument& document,
                   const std::function<void(std::string_view)>& sink);
std::string summary_text(const SummaryDocument& document);
boost::json::value summary_to_json(const SummaryDocument& document);

// Milliseconds from microseconds, rounded as the document writes them.
double to_ms(double micros) noexcept;

// A document read back: what --merge combines and --baseline compares with.
struct LoadedSummary {
  RunConfig config;
  stats::RunStats stats;
};

// Reads a document that summary_to_json() wrote (any schema_version from 1 on: later ones only
// add fields). Refuses, with a one-line reason naming the place, anything else: a missing or
// mistyped field, a histogram that does not check out (stats/histogram.hpp).
std::variant<LoadedSummary, std::string> summary_from_json(const boost::json::value& json);
// The same from a file ("-": standard input); the reason names the file.
std::variant<LoadedSummary, std::string> read_summary_file(const std::string& path);

}  // namespace fetch
