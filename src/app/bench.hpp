#pragma once
// The benchmark side of the program (app.cpp runs the fetches): the plan and configuration
// from the options, the baseline loaded before anything is fetched, the verdicts and exports
// after, and --merge. Private to src/app/.

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "fetch/app/options.hpp"
#include "fetch/report/summary_json.hpp"
#include "fetch/run/scheduler.hpp"

namespace fetch {

// Exit statuses of the verdicts (documented in the README beside the others).
inline constexpr int kExitThresholdsCrossed = 99;  // k6's code
inline constexpr int kExitRegression = 98;

RunPlan run_plan(const BenchOptions& bench);
RunConfig run_config(const Options& options);

// What a benchmark needs from before the run to after it: the baseline, read first, and the
// export files, opened first, so that a bad path fails before anything is fetched.
class BenchOutputs {
 public:
  // Opens the exports and reads --baseline; a one-line reason for a usage error otherwise.
  static std::variant<std::unique_ptr<BenchOutputs>, std::string> open(const BenchOptions& bench);
  ~BenchOutputs();
  BenchOutputs(const BenchOutputs&) = delete;
  BenchOutputs& operator=(const BenchOutputs&) = delete;

  // Whether the summary goes to standard output (then the records do not).
  bool uses_stdout() const noexcept;

  // After the run (or the merge): checks thresholds and the baseline against `stats`, writes
  // the exports (and, under GitHub Actions, the step summary and annotations), prints the
  // verdict lines on stderr (only what failed with `quiet`), and returns the exit status.
  // `run_status` is what the run itself ended with: 0, 1 (some request failed), or a status
  // that wins over every verdict (2, 70, 130, 141, 143), returned as it is.
  int finish(const Options& options, const RunConfig& config, const stats::RunStats& stats,
             int run_status);

  struct File;  // an export, opened

 private:
  BenchOutputs() = default;
  std::unique_ptr<File> json_, markdown_, junit_;
  std::optional<LoadedSummary> baseline_;
};

// --merge: reads the summaries, checks that shards fit together, merges them and finishes
// as a run would (verdicts, exports, the summary line and table on stderr).
int run_merge(const Options& options, BenchOutputs& outputs);

}  // namespace fetch
