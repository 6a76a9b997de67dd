// The Benchmark options, parsed from vectors of arguments as a shell would pass them.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "fetch/app/options.hpp"

namespace fetch {
namespace {

Options parse(std::vector<std::string> args) {
  CLI::App app{"fetch"};
  Options options;
  add_options(app, options);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return options;
}

std::string rejection(std::vector<std::string> args) {
  try {
    (void)parse(std::move(args));
  } catch (const CLI::ParseError& error) {
    return error.what();
  }
  return "accepted";
}

// A file that exists, for --baseline and --merge.
const std::string& existing_file() {
  static const std::string path = [] {
    const std::string name = ::testing::TempDir() + "bench_options_summary.json";
    std::ofstream(name) << "{}";
    return name;
  }();
  return path;
}

TEST(BenchOptions, DefaultsKeepNoStatistics) {
  const Options o = parse({"urls.txt"});
  EXPECT_FALSE(o.bench.keeps_statistics());
  EXPECT_FALSE(o.bench.runs);
  EXPECT_EQ(o.bench.warmup, 0u);
  EXPECT_EQ(o.bench.alpha, 0.01);
  EXPECT_EQ(o.bench.max_regression_percent, 5);
  // --rate, --cold and --shard alone pace, cool and split a run; they keep no statistics.
  EXPECT_FALSE(parse({"--rate", "10/s", "--cold", "--shard", "1/2"}).bench.keeps_statistics());
  EXPECT_TRUE(parse({"--runs", "1"}).bench.keeps_statistics());
  EXPECT_TRUE(parse({"--export-json", "-"}).bench.keeps_statistics());
}

TEST(BenchOptions, PassesAndDurations) {
  const Options o = parse({"--runs", "10", "--warmup", "2", "-z", "1.5m", "urls.txt"});
  EXPECT_EQ(o.bench.runs, 10u);
  EXPECT_EQ(o.bench.warmup, 2u);
  EXPECT_DOUBLE_EQ(*o.bench.duration_s, 90);
  EXPECT_EQ(o.inputs, std::vector<std::string>{"urls.txt"});
  EXPECT_DOUBLE_EQ(*parse({"--duration", "500ms"}).bench.duration_s, 0.5);
  EXPECT_DOUBLE_EQ(*parse({"--duration=2h"}).bench.duration_s, 7200);
  EXPECT_DOUBLE_EQ(*parse({"--duration", "30"}).bench.duration_s, 30);
  for (const char* bad : {"0", "-1s", "1d", "s", "1.5.2s", "2000000s", ""}) {
    EXPECT_NE(rejection({"--duration", bad}), "accepted") << bad;
  }
  EXPECT_NE(rejection({"--runs", "0"}), "accepted");
  EXPECT_NE(rejection({"--warmup", "-1"}), "accepted");
}

TEST(BenchOptions, Rate) {
  EXPECT_DOUBLE_EQ(*parse({"--rate", "100/s"}).bench.rate_per_s, 100);
  EXPECT_DOUBLE_EQ(*parse({"--rate", "120/m"}).bench.rate_per_s, 2);
  EXPECT_NE(rejection({"--rate", "100"}).find("needs a unit"), std::string::npos);
  EXPECT_NE(rejection({"--rate", "fast"}), "accepted");
}

TEST(BenchOptions, ThresholdsAreRepeatableAndCheckedAtOnce) {
  const Options o =
      parse({"--threshold", "total_ms:p(99)<250", "urls.txt", "--threshold", "failed:rate<0.01"});
  EXPECT_EQ(o.bench.thresholds,
            (std::vector<std::string>{"total_ms:p(99)<250", "failed:rate<0.01"}));
  EXPECT_EQ(o.inputs, std::vector<std::string>{"urls.txt"}) << "one value per --threshold";
  EXPECT_NE(rejection({"--threshold", "elapsed:p(99)<1"}).find("unknown metric"),
            std::string::npos);
  EXPECT_NE(rejection({"--threshold", "total_ms<1"}).find("needs an aggregation"),
            std::string::npos);
}

TEST(BenchOptions, BaselineSettingsNeedABaseline) {
  const Options o = parse({"--baseline", existing_file(), "--max-regression", "10", "--alpha",
                           "0.05", "--fail-inconclusive"});
  EXPECT_EQ(o.bench.baseline, existing_file());
  EXPECT_EQ(o.bench.max_regression_percent, 10);
  EXPECT_EQ(o.bench.alpha, 0.05);
  EXPECT_TRUE(o.bench.fail_inconclusive);
  EXPECT_NE(rejection({"--alpha", "0.05"}), "accepted");
  EXPECT_NE(rejection({"--fail-inconclusive"}), "accepted");
  EXPECT_NE(rejection({"--baseline", existing_file(), "--alpha", "1"}), "accepted");
  EXPECT_NE(rejection({"--baseline", existing_file(), "--alpha", "0"}), "accepted");
  EXPECT_NE(rejection({"--baseline", "/nonexistent/summary.json"}), "accepted");
}

TEST(BenchOptions, ShardsAndMerge) {
  EXPECT_EQ(*parse({"--shard", "2/4"}).bench.shard, (Shard{2, 4}));
  EXPECT_NE(rejection({"--shard", "5/4"}), "accepted");
  const Options merged = parse({"--merge", existing_file(), existing_file()});
  EXPECT_EQ(merged.bench.merge.size(), 2u);
  EXPECT_TRUE(merged.bench.keeps_statistics());
  // --merge fetches nothing: options of a run cannot come with it.
  EXPECT_NE(rejection({"--merge", existing_file(), "--runs", "3"}), "accepted");
  EXPECT_NE(rejection({"--merge", existing_file(), "--shard", "1/2"}), "accepted");
  EXPECT_NE(rejection({"urls.txt", "--merge", existing_file()}), "accepted");
}

TEST(BenchOptions, HelpShowsTheBenchmarkGroup) {
  CLI::App app{"fetch"};
  Options options;
  add_options(app, options);
  const std::string help = app.help();
  EXPECT_NE(help.find("Benchmark:"), std::string::npos);
  for (const char* name :
       {"--runs", "--warmup", "--duration", "--rate", "--cold", "--export-json",
        "--export-markdown", "--export-junit", "--threshold", "--baseline", "--max-regression",
        "--alpha", "--fail-inconclusive", "--shard", "--merge"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace fetch
