// The verdicts of a benchmark run as exit statuses: thresholds (99), baselines (98), their
// precedence over failed requests (1), usage errors (2); the Markdown and JUnit exports; and
// what happens under GitHub Actions.
#include "bench_common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

namespace json = boost::json;

class BenchVerdict : public ::testing::Test {
 protected:
  NginxServer nginx;
  ScratchDir dir;
};

TEST_F(BenchVerdict, ThresholdsThatHoldExitZeroWithALineEach) {
  const ProcessResult run =
      run_bench({"--runs", "2", "--threshold", "total_ms:p(99)<60000", "--threshold", "rps>0.001",
                 "--threshold", "failed:rate==0", nginx.http_url("/small.txt")});
  EXPECT_EQ(run.exit_code, 0) << describe(run);
  for (const char* line :
       {"  ok       total_ms:p(99)<60000: value ", "  ok       rps>0.001: value ",
        "  ok       failed:rate==0: value 0, margin 0"}) {
    EXPECT_NE(run.err.find(line), std::string::npos) << line << "\n" << run.err;
  }
  // -q keeps what held to itself.
  const ProcessResult quiet =
      run_bench({"-q", "--threshold", "total_ms:p(99)<60000", nginx.http_url("/small.txt")});
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.err, "");
}

TEST_F(BenchVerdict, ACrossedThresholdExits99NamingValueAndMargin) {
  const ProcessResult run =
      run_bench({"-q", "--threshold", "total_ms:p(50)<0.000001", "--threshold", "requests:count>=1",
                 "--export-json", dir.file("t.json"), nginx.http_url("/small.txt")});
  EXPECT_EQ(run.exit_code, 99) << describe(run);
  EXPECT_NE(run.err.find("CROSSED  total_ms:p(50)<0.000001: value "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("margin -"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("requests:count"), std::string::npos) << "-q: only what was crossed";
  const json::value doc = summary_file(dir.file("t.json"));
  EXPECT_EQ(doc.at("verdict").at("thresholds"), "crossed");
  EXPECT_EQ(number(doc.at("verdict").at("exit_status")), 99u);
  ASSERT_EQ(doc.at("thresholds").as_array().size(), 2u);
  EXPECT_FALSE(doc.at("thresholds").at(0).at("passed").as_bool());
  EXPECT_LT(real(doc.at("thresholds").at(0).at("margin")), 0);
}

TEST_F(BenchVerdict, PerUrlThresholdsAndSelectorsThatMatchNothing) {
  const std::string fast = nginx.http_url("/small.txt");
  const ProcessResult run =
      run_bench({"-q", "--threshold", "total_ms{url:" + fast + "}:max<60000", "--threshold",
                 "total_ms{line:2}:max<60000", fast, nginx.http_url("/status/404")});
  EXPECT_EQ(run.exit_code, 1) << describe(run) << "both hold; the 404 still fails the run";
  const ProcessResult typo =
      run_bench({"-q", "--threshold", "total_ms{url:http://typo/}:max<1", fast});
  EXPECT_EQ(typo.exit_code, 99) << describe(typo);
  EXPECT_NE(typo.err.find("no data"), std::string::npos) << typo.err;
}

TEST_F(BenchVerdict, AFailedThresholdDecidesAboutFailuresAndCrossingBeatsFailing) {
  const std::vector<std::string> urls{nginx.http_url("/small.txt"), nginx.http_url("/small.txt?b"),
                                      nginx.http_url("/small.txt?c"),
                                      nginx.http_url("/missing.txt")};
  std::vector<std::string> args{"-q", "--threshold", "failed:rate<0.5"};
  args.insert(args.end(), urls.begin(), urls.end());
  EXPECT_EQ(run_bench(args).exit_code, 0) << "1 of 4 failed, within the threshold";
  args[2] = "failed:rate<0.1";
  EXPECT_EQ(run_bench(args).exit_code, 99);
  args[2] = "total_ms:max<60000";
  EXPECT_EQ(run_bench(args).exit_code, 1) << "a latency threshold does not excuse failures";
}

TEST_F(BenchVerdict, ABadExpressionIsAUsageError) {
  for (const char* bad :
       {"elapsed_ms:p(99)<1", "total_ms<1", "total_ms:p(99)", "rps:rate>1", "total_ms:p(200)<1"}) {
    const ProcessResult run = run_bench({"--threshold", bad, nginx.http_url("/small.txt?bad")});
    EXPECT_EQ(run.exit_code, 2) << bad << "\n" << describe(run);
    EXPECT_NE(run.err.find("threshold"), std::string::npos) << run.err;
  }
  EXPECT_TRUE(nginx.requests("/small.txt?bad").empty()) << "nothing was fetched";
}

// Ten passes of each side: the same slow path twice is no regression; a path 3x slower is.
class BenchBaseline : public ::testing::Test {
 protected:
  ProcessResult measure(const std::string& path, const std::string& out,
                        std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"-q", "-j", "1", "--runs", "10", "--export-json", dir.file(out)};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(server.url(path));
    return run_bench(args);
  }
  MisbehavingServer server;
  ScratchDir dir;
};

TEST_F(BenchBaseline, TheSameConditionsAreNotFlaggedAndAClearSlowdownIs) {
  ASSERT_EQ(measure("/slow?ms=20", "base.json").exit_code, 0);
  const std::string base = dir.file("base.json");

  const ProcessResult same = measure("/slow?ms=20", "same.json", {"--baseline", base});
  EXPECT_EQ(same.exit_code, 0) << describe(same);
  const json::value same_doc = summary_file(dir.file("same.json"));
  const json::value& overall = same_doc.at("baseline").at("comparisons").at(0);
  EXPECT_TRUE(overall.at("url").is_null());
  EXPECT_NE(overall.at("verdict"), "regression");
  EXPECT_EQ(number(overall.at("base").at("n")), 10u);
  EXPECT_EQ(number(overall.at("new").at("n")), 10u);
  EXPECT_NEAR(real(overall.at("ratio")), 1.0, 0.25);

  const ProcessResult slow = measure("/slow?ms=60", "slow.json", {"--baseline", base});
  EXPECT_EQ(slow.exit_code, 98) << describe(slow);
  EXPECT_NE(slow.err.find("REGRESSION   overall: base "), std::string::npos) << slow.err;
  const json::value slow_doc = summary_file(dir.file("slow.json"));
  const json::value& regression = slow_doc.at("baseline").at("comparisons").at(0);
  EXPECT_EQ(regression.at("verdict"), "regression");
  EXPECT_GT(real(regression.at("ratio")), 2.0);
  EXPECT_LT(real(regression.at("p_value")), 0.01);
  EXPECT_GE(real(regression.at("ratio_ci").at(0)), 1.05);
  EXPECT_EQ(slow_doc.at("verdict").at("baseline"), "regression");
}

TEST_F(BenchBaseline, TooFewPassesAreInconclusiveAWarningUnlessAskedToFail) {
  ASSERT_EQ(measure("/slow?ms=10", "base.json").exit_code, 0);
  const std::string base = dir.file("base.json");
  const auto one_pass = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"--runs",         "1", "--baseline", base, "--export-junit",
                                  dir.file("j.xml")};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(server.url("/slow?ms=40"));
    return run_bench(args);
  };
  const ProcessResult warned = one_pass({});
  EXPECT_EQ(warned.exit_code, 0) << describe(warned);
  EXPECT_NE(warned.err.find("inconclusive "), std::string::npos) << warned.err;
  const std::string junit = read_text(dir.file("j.xml"));
  EXPECT_NE(junit.find("<testcase classname=\"fetch.baseline\" name=\"total_ms overall\""),
            std::string::npos)
      << junit;
  EXPECT_EQ(junit.find("<failure"), std::string::npos) << junit;
  const ProcessResult failed = one_pass({"--fail-inconclusive"});
  EXPECT_EQ(failed.exit_code, 98) << describe(failed);
  EXPECT_NE(read_text(dir.file("j.xml")).find("<failure message=\"inconclusive\""),
            std::string::npos);
}

TEST_F(BenchBaseline, AnUnreadableBaselineFailsBeforeAnythingIsFetched) {
  const std::string bad = dir.write("bad.json", "{\"schema_version\": 1}");
  const ProcessResult run = run_bench({"--baseline", bad, server.url("/slow?ms=1")});
  EXPECT_EQ(run.exit_code, 2) << describe(run);
  EXPECT_NE(run.err.find("--baseline " + bad + ": "), std::string::npos) << run.err;
  const ProcessResult not_json =
      run_bench({"--baseline", dir.write("x.json", "nope"), server.url("/slow?ms=1")});
  EXPECT_EQ(not_json.exit_code, 2);
  EXPECT_NE(not_json.err.find("not JSON"), std::string::npos) << not_json.err;
  EXPECT_EQ(server.connections_accepted(), 0);
}

TEST_F(BenchVerdict, MarkdownAndJunitExports) {
  const ProcessResult run =
      run_bench({"-q", "--runs", "2", "--threshold", "total_ms:p(99)<60000", "--threshold",
                 "ttfb_ms:max<0.000001", "--export-markdown", dir.file("s.md"), "--export-junit",
                 dir.file("j.xml"), nginx.http_url("/small.txt"), nginx.http_url("/missing.txt")});
  EXPECT_EQ(run.exit_code, 99);
  const std::string markdown = read_text(dir.file("s.md"));
  EXPECT_EQ(markdown.rfind("## fetch benchmark: ❌ thresholds crossed (exit status 99)", 0), 0u)
      << markdown;
  EXPECT_NE(markdown.find("| total_ms | 4 |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| ❌ | ttfb\\_ms:max\\<0.000001 |"), std::string::npos) << markdown;
  const std::string junit = read_text(dir.file("j.xml"));
  EXPECT_NE(junit.find("<testsuites name=\"fetch\" tests=\"2\" failures=\"1\">"), std::string::npos)
      << junit;
  EXPECT_NE(junit.find("name=\"ttfb_ms:max&lt;0.000001\""), std::string::npos) << junit;
}

TEST_F(BenchVerdict, UnderGithubActionsTheStepSummaryGrowsAndFailuresAreAnnotated) {
  const std::string summary = dir.write("step-summary.md", "earlier step\n");
  const ProcessResult run = run_bench(
      {"--threshold", "total_ms:max<0.000001", "--export-json", "-", nginx.http_url("/small.txt")},
      {}, {"GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY=" + summary});
  EXPECT_EQ(run.exit_code, 99) << describe(run);
  const std::string written = read_text(summary);
  EXPECT_EQ(written.rfind("earlier step\n## fetch benchmark: ❌ thresholds crossed", 0), 0u)
      << written;
  EXPECT_NE(run.err.find("::error title=fetch%3A threshold crossed::total_ms:max<0.000001: value "),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.out.find("::"), std::string::npos) << "annotations never mix with data on stdout";
  (void)valid_summary(run.out);
  // Outside GitHub Actions, neither.
  const ProcessResult outside =
      run_bench({"--threshold", "total_ms:max<0.000001", nginx.http_url("/small.txt")}, {},
                {"GITHUB_STEP_SUMMARY=" + summary});
  EXPECT_EQ(outside.err.find("::error"), std::string::npos);
  EXPECT_EQ(read_text(summary), written);
}

}  // namespace
}  // namespace fetch::test
