// The Benchmark options: passes over the list, pacing, statistics, exports, verdicts, shards.
#include "bench_options.hpp"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include "fetch/run/rate_limiter.hpp"
#include "fetch/stats/threshold.hpp"

namespace fetch {
namespace {

constexpr double kMaxSeconds = 1'000'000;

// "30", "30s", "1.5m", "2h", "500ms": a duration, rewritten as seconds.
CLI::Validator duration() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        static const std::map<std::string, double, std::less<>> units{
            {"", 1}, {"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}};
        const std::size_t end = input.find_first_not_of("0123456789.");
        const std::string number = input.substr(0, end);
        const auto unit = units.find(end == std::string::npos ? "" : input.substr(end));
        double value = 0;
        if (number.empty() || unit == units.end() || !CLI::detail::lexical_cast(number, value) ||
            !std::isfinite(value) || value * unit->second <= 0 ||
            value * unit->second > kMaxSeconds) {
          return "'" + input +
                 "' is not a duration such as 30s, 5m, 1h or 500ms (at most 1000000 s)";
        }
        input = std::to_string(value * unit->second);
        return {};
      },
      "");
}

// A check whose reason comes from a parser of ours.
template <class Parse>
CLI::Validator parsed_by(Parse parse) {
  return CLI::Validator(
      [parse](std::string& input) -> std::string {
        auto result = parse(input);
        if (auto* reason = std::get_if<std::string>(&result)) return *reason;
        return {};
      },
      "");
}

CLI::Validator open_unit_interval() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(input, value) || !(value > 0 && value < 1)) {
          return "'" + input + "' must be a number between 0 and 1 (such as 0.01)";
        }
        return {};
      },
      "");
}

// Benchmark: passes over the list, pacing, statistics, exports and verdicts.
void add_pass_options(CLI::App& app, BenchOptions& bench) {
  app.add_option("--runs", bench.runs,
                 "Fetch the whole list N times (passes); each pass is one sample for a baseline. "
                 "With --duration: at most N passes")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}).description(""))
      ->type_name("N");
  app.add_option("--warmup", bench.warmup,
                 "Fetch the list N times first, printing and counting nothing (connections, TLS "
                 "sessions and DNS answers warm up)")
      ->check(CLI::Range(0u, 1'000'000u).description(""))
      ->type_name("N");
  app.add_option("-z,--duration", bench.duration_s,
                 "Fetch the list over and over for this long (30s, 5m, 1h, 500ms); no request "
                 "starts after it, those in flight finish and count")
      ->transform(duration())
      ->type_name("DURATION");
  app.add_option_function<std::string>(
         "--rate",
         [&bench](const std::string& text) {
           bench.rate_per_s = std::get<double>(parse_rate(text));
         },
         "Start at most N requests per second (N/s), minute (N/m) or hour (N/h), with -j as "
         "the limit in flight. With --duration an open model: requests start on schedule "
         "whether or not earlier ones finished, latency counts from the scheduled start")
      ->check(parsed_by(parse_rate))
      ->type_name("N/s|N/m");
  app.add_flag("--cold", bench.cold,
               "Close idle connections between passes, so that every pass opens its own (TLS "
               "sessions are still resumed unless --no-sessionid)")
      ->disable_flag_override();
}

void add_export_options(CLI::App& app, BenchOptions& bench) {
  app.add_option("--export-json", bench.export_json,
                 "Write the benchmark summary (totals, percentiles, passes, per URL, histograms, "
                 "verdicts) as JSON to FILE, or '-' for standard output instead of the records")
      ->type_name("FILE|-");
  app.add_option("--export-markdown", bench.export_markdown,
                 "Write the summary as a Markdown report to FILE (or '-')")
      ->type_name("FILE|-");
  app.add_option("--export-junit", bench.export_junit,
                 "Write thresholds and baseline comparisons as JUnit XML test cases to FILE")
      ->type_name("FILE");
  app.add_option("--threshold", bench.thresholds,
                 "Fail (exit 99) unless EXPR holds, e.g. 'total_ms:p(99)<250', "
                 "'failed:rate<0.01', 'rps>=100', 'ttfb_ms{url:URL}:p(95)<80'; repeatable "
                 "(see the README for metrics and aggregations)")
      ->check(parsed_by(stats::parse_threshold))
      ->allow_extra_args(false)
      ->type_name("EXPR");
}

void add_baseline_options(CLI::App& app, BenchOptions& bench) {
  CLI::Option* baseline =
      app.add_option("--baseline", bench.baseline,
                     "Compare with an earlier --export-json summary: exit 98 on a regression "
                     "(significantly slower, and by more than --max-regression)")
          ->check(CLI::ExistingFile.description(""))
          ->type_name("FILE");
  app.add_option("--max-regression", bench.max_regression_percent,
                 "The slowdown in per cent that a significant difference must exceed to be a "
                 "regression")
      ->check(CLI::Range(0.0, 1'000'000.0).description(""))
      ->needs(baseline)
      ->type_name("PCT")
      ->capture_default_str();
  app.add_option("--alpha", bench.alpha,
                 "Significance level of the comparison with the baseline (one-sided Mann-Whitney)")
      ->check(open_unit_interval())
      ->needs(baseline)
      ->type_name("A")
      ->capture_default_str();
  app.add_flag("--fail-inconclusive", bench.fail_inconclusive,
               "Also exit 98 when a comparison points at a slowdown without proving it "
               "(significant but small, or large but not significant)")
      ->needs(baseline)
      ->disable_flag_override();
}

void add_scale_out_options(CLI::App& app, BenchOptions& bench) {
  CLI::Option* shard =
      app.add_option_function<std::string>(
             "--shard",
             [&bench](const std::string& text) {
               bench.shard = std::get<Shard>(parse_shard(text));
             },
             "Take only the URLs whose origin hashes to shard K of N (every URL of an origin "
             "in one shard); merge the shards' --export-json summaries with --merge")
          ->check(parsed_by(parse_shard))
          ->type_name("K/N");
  CLI::Option* merge =
      app.add_option("--merge", bench.merge,
                     "Fetch nothing: combine these --export-json summaries (shards) into one, "
                     "exactly, and apply --threshold and --baseline to it")
          ->check(CLI::ExistingFile.description(""))
          ->type_name("FILE...");
  merge->excludes(shard);
  for (const char* name : {"--runs", "--warmup", "--duration", "--rate", "--cold", "inputs"}) {
    merge->excludes(app.get_option(name));
  }
}

}  // namespace

void add_bench_options(CLI::App& app, BenchOptions& bench) {
  add_pass_options(app, bench);
  add_export_options(app, bench);
  add_baseline_options(app, bench);
  add_scale_out_options(app, bench);
}

}  // namespace fetch
