// The benchmark's verdicts, exports and --merge.
#include "bench.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "fetch/app/app.hpp"
#include "fetch/input/url.hpp"
#include "fetch/report/bench_export.hpp"
#include "fetch/report/bench_text.hpp"
#include "fetch/report/fd_output.hpp"
#include "fetch/report/formats.hpp"
#include "fetch/report/summary.hpp"

namespace fetch {

struct BenchOutputs::File {
  int fd = -1;
  std::string path;
  ~File() {
    if (fd > STDERR_FILENO) ::close(fd);
  }
};

namespace {

void print(std::string_view text) {
  if (text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

std::string errno_text(int error) { return std::strerror(error); }

// Opens an export for writing ("-": standard output), truncating it, before the run.
std::variant<std::unique_ptr<BenchOutputs::File>, std::string> open_export(
    const std::string& option, const std::string& path) {
  auto file = std::make_unique<BenchOutputs::File>();
  file->path = path;
  file->fd = path == "-" ? STDOUT_FILENO
                         : ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (file->fd < 0) return fmt::format("{} {}: {}", option, path, errno_text(errno));
  return file;
}

// Writes all of `text`; the reason when it could not.
std::string write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_text(errno);
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

bool governs_failures(const std::vector<stats::Threshold>& thresholds) {
  return std::any_of(thresholds.begin(), thresholds.end(), [](const stats::Threshold& t) {
    return t.metric == "failed" && !t.line && !t.url;
  });
}

// 99 before 98 before 1: a crossed threshold is an absolute limit the user set; a regression
// is relative to the baseline; a failed request matters unless a `failed` threshold (without
// a selector) decides how many may fail.
int verdict_status(int run_status, const Verdicts& v, bool failures_governed) {
  if (run_status != kExitOk && run_status != kExitSomeFailed) return run_status;
  if (std::any_of(v.thresholds.begin(), v.thresholds.end(),
                  [](const auto& o) { return !o.passed; })) {
    return kExitThresholdsCrossed;
  }
  if (v.baseline &&
      (v.baseline->regressions > 0 || (v.fail_inconclusive && v.baseline->inconclusive))) {
    return kExitRegression;
  }
  if (run_status == kExitSomeFailed && failures_governed) return kExitOk;
  return run_status;
}

std::string verdict_lines(const Verdicts& v, bool quiet) {
  std::string out;
  std::vector<stats::ThresholdOutcome> shown;
  for (const auto& o : v.thresholds) {
    if (!quiet || !o.passed) shown.push_back(o);
  }
  out += format_threshold_lines(shown);
  if (v.baseline && (!quiet || v.baseline->regressions > 0 || v.baseline->inconclusive)) {
    out += format_baseline_lines(*v.baseline, v.baseline_file);
  }
  return out;
}

// Under GitHub Actions: the Markdown appended to the step summary, failures as annotations on
// stderr, where they cannot mix with data on stdout.
void report_to_github(const SummaryDocument& document, const std::string& markdown) {
  if (const char* path = std::getenv("GITHUB_STEP_SUMMARY"); path && *path) {
    const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    const std::string reason = fd < 0 ? errno_text(errno) : write_all(fd, markdown + "\n");
    if (fd >= 0) ::close(fd);
    if (!reason.empty())
      print(fmt::format("fetch: warning: GITHUB_STEP_SUMMARY {}: {}\n", path, reason));
  }
  print(github_annotations(document));
}

// Shards of one run must all be there, each once: a missing artifact must not pass as a
// complete result. The reason when they do not fit together.
std::string check_shards(const std::vector<LoadedSummary>& summaries) {
  std::set<unsigned> shards;
  std::optional<unsigned> count;
  for (const LoadedSummary& summary : summaries) {
    if (!summary.config.shard) continue;
    if (count && *count != summary.config.shard->count) {
      return "the summaries are shards of different counts (K/N with other N)";
    }
    count = summary.config.shard->count;
    if (!shards.insert(summary.config.shard->index).second) {
      return fmt::format("shard {}/{} is given twice", summary.config.shard->index, *count);
    }
  }
  if (!count) return {};
  std::string missing;
  for (unsigned k = 1; k <= *count; ++k) {
    if (!shards.contains(k))
      missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", k, *count);
  }
  if (!missing.empty()) return "missing shard " + missing;
  if (shards.size() != summaries.size()) return "shard summaries mixed with other summaries";
  return {};
}

}  // namespace

RunPlan run_plan(const BenchOptions& bench) {
  RunPlan plan;
  plan.warmup = bench.warmup;
  plan.runs = bench.runs;
  if (bench.duration_s) {
    plan.duration = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(*bench.duration_s));
  }
  plan.rate = bench.rate_per_s;
  plan.cold = bench.cold;
  return plan;
}

RunConfig run_config(const Options& options) {
  RunConfig config;
  for (const std::string& input : options.inputs)
    config.inputs.push_back(redact_credentials(input));
  config.concurrency = options.concurrency;
  config.warmup = options.bench.warmup;
  config.runs = options.bench.runs;
  config.duration_s = options.bench.duration_s;
  config.rate_per_s = options.bench.rate_per_s;
  config.open_model = run_plan(options.bench).open_model();
  config.cold = options.bench.cold;
  config.shard = options.bench.shard;
  return config;
}

BenchOutputs::~BenchOutputs() = default;

std::variant<std::unique_ptr<BenchOutputs>, std::string> BenchOutputs::open(
    const BenchOptions& bench) {
  const int to_stdout =
      (bench.export_json == "-") + (bench.export_markdown == "-") + (bench.export_junit == "-");
  if (to_stdout > 1) return std::string{"only one export can go to standard output ('-')"};
  std::unique_ptr<BenchOutputs> outputs{new BenchOutputs};
  for (auto [option, path, file] :
       {std::tuple{"--export-json", &bench.export_json, &outputs->json_},
        std::tuple{"--export-markdown", &bench.export_markdown, &outputs->markdown_},
        std::tuple{"--export-junit", &bench.export_junit, &outputs->junit_}}) {
    if (path->empty()) continue;
    auto opened = open_export(option, *path);
    if (auto* reason = std::get_if<std::string>(&opened)) return std::move(*reason);
    *file = std::move(std::get<std::unique_ptr<File>>(opened));
  }
  if (!bench.baseline.empty()) {
    auto loaded = read_summary_file(bench.baseline);
    if (auto* reason = std::get_if<std::string>(&loaded)) return "--baseline " + *reason;
    outputs->baseline_ = std::move(std::get<LoadedSummary>(loaded));
  }
  return outputs;
}

bool BenchOutputs::uses_stdout() const noexcept {
  for (const auto* file : {&json_, &markdown_, &junit_}) {
    if (*file && (*file)->fd == STDOUT_FILENO) return true;
  }
  return false;
}

int BenchOutputs::finish(const Options& options, const RunConfig& config,
                         const stats::RunStats& stats, int run_status) {
  std::vector<stats::Threshold> thresholds;
  for (const std::string& expression : options.bench.thresholds) {
    thresholds.push_back(std::get<stats::Threshold>(stats::parse_threshold(expression)));
  }
  Verdicts verdicts;
  verdicts.thresholds = stats::check_thresholds(thresholds, stats);
  if (baseline_) {
    verdicts.baseline = stats::compare_with_baseline(
        baseline_->stats, stats,
        stats::BaselineSettings{options.bench.alpha, options.bench.max_regression_percent, 0.95});
    verdicts.baseline_file = options.bench.baseline;
  }
  verdicts.fail_inconclusive = options.bench.fail_inconclusive;
  verdicts.exit_status = verdict_status(run_status, verdicts, governs_failures(thresholds));
  const SummaryDocument document{config, stats, verdicts};

  const char* actions = std::getenv("GITHUB_ACTIONS");
  const bool github = actions && std::string_view{actions} == "true";
  const std::string markdown = markdown_ || github ? summary_markdown(document) : "";
  int status = verdicts.exit_status;
  const auto failed_to_write = [&status](const File& file, const std::string& reason) {
    print(fmt::format("fetch: cannot write {}: {}\n", file.path, reason));
    if (status == kExitOk || status == kExitSomeFailed) status = kExitSoftware;
  };
  if (json_) {
    std::string reason;
    write_summary(document, [&](std::string_view piece) {
      if (reason.empty()) reason = write_all(json_->fd, piece);
    });
    if (!reason.empty()) failed_to_write(*json_, reason);
  }
  for (auto [file, text] : {std::pair{markdown_.get(), markdown_ ? markdown : ""},
                            std::pair{junit_.get(), junit_ ? summary_junit(document) : ""}}) {
    if (!file) continue;
    if (std::string reason = write_all(file->fd, text); !reason.empty()) {
      failed_to_write(*file, reason);
    }
  }
  print(verdict_lines(verdicts, options.quiet));
  if (github) report_to_github(document, markdown);
  return status;
}

int run_merge(const Options& options, BenchOutputs& outputs) {
  std::vector<LoadedSummary> summaries;
  for (const std::string& file : options.bench.merge) {
    auto loaded = read_summary_file(file);
    if (auto* reason = std::get_if<std::string>(&loaded)) {
      print(fmt::format("fetch: --merge {}\n", *reason));
      return kExitUsage;
    }
    summaries.push_back(std::move(std::get<LoadedSummary>(loaded)));
  }
  if (std::string reason = check_shards(summaries); !reason.empty()) {
    print(fmt::format("fetch: --merge: {}\n", reason));
    return kExitUsage;
  }
  LoadedSummary merged = std::move(summaries.front());
  for (std::size_t i = 1; i < summaries.size(); ++i) {
    try {
      merged.stats.merge(summaries[i].stats);
    } catch (const std::overflow_error& error) {
      print(fmt::format("fetch: --merge: {}\n", error.what()));
      return kExitUsage;
    }
    merged.config.interrupted = merged.config.interrupted || summaries[i].config.interrupted;
  }
  merged.config.shard.reset();
  merged.config.merged_from = options.bench.merge;
  merged.config.version = FETCH_VERSION;
  const stats::Counts& totals = merged.stats.totals();
  if (!options.quiet) {
    Summary line;
    line.count = totals.requests;
    line.ok = totals.ok;
    line.failed = totals.failed;
    line.bytes = totals.bytes;
    line.elapsed_s = merged.stats.elapsed_s();
    line.interrupted = merged.config.interrupted;
    print(format_summary(line));
    if (is_terminal(STDERR_FILENO)) print(format_bench_table(merged.stats));
  }
  return outputs.finish(options, merged.config, merged.stats,
                        totals.failed > 0 ? kExitSomeFailed : kExitOk);
}

}  // namespace fetch
