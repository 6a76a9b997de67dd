// The benchmark's reports for people and CI pages: Markdown bounded whatever the run, JUnit
// XML with a test case per check, GitHub annotations escaped and capped, the terminal table.
#include "fetch/report/bench_export.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "fetch/report/bench_text.hpp"

namespace fetch {
namespace {

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// `urls` URLs over `passes` passes; URL i takes (1 + i % 7) * `micros`.
stats::RunStats run(std::size_t urls, std::size_t passes, std::uint64_t micros,
                    std::vector<std::string>& names) {
  names.clear();
  for (std::size_t i = 0; i < urls; ++i) {
    names.push_back("https://example.org/" + std::string(i == 0 ? 300 : 10, 'x') + "|" +
                    std::to_string(i));
  }
  stats::RunStats s;
  for (std::uint64_t pass = 0; pass < passes; ++pass) {
    for (std::size_t i = 0; i < urls; ++i) {
      stats::Observation o;
      o.line = i + 1;
      o.url = names[i];
      o.pass = pass;
      o.ok = true;
      o.status = 200;
      o.micros[0] = (1 + i % 7) * micros;
      s.add(o);
    }
    s.end_pass(pass, 0.1, true);
  }
  s.finish(0.1 * static_cast<double>(passes));
  return s;
}

std::vector<stats::ThresholdOutcome> thresholds(const stats::RunStats& s,
                                                std::vector<std::string> expressions) {
  std::vector<stats::Threshold> parsed;
  for (const auto& e : expressions) {
    parsed.push_back(std::get<stats::Threshold>(stats::parse_threshold(e)));
  }
  return stats::check_thresholds(parsed, s);
}

TEST(BenchMarkdown, StaysBoundedForTenThousandRegressedUrls) {
  std::vector<std::string> base_names, names;
  const stats::RunStats base = run(10000, 3, 1000, base_names);
  const stats::RunStats slow = run(10000, 3, 3000, names);
  const RunConfig config;
  Verdicts v;
  v.baseline = stats::compare_with_baseline(base, slow, {});
  v.thresholds = thresholds(slow, std::vector<std::string>(200, "total_ms:p(99)<1"));
  v.exit_status = 99;
  const std::string markdown = summary_markdown({config, slow, v});
  EXPECT_LT(markdown.size(), 64u * 1024) << "far below GitHub's 1 MiB step summary limit";
  EXPECT_NE(markdown.find("thresholds crossed"), std::string::npos);
  EXPECT_NE(markdown.find("| total_ms | 30000 |"), std::string::npos) << markdown.substr(0, 800);
  EXPECT_NE(markdown.find("more in the JSON summary"), std::string::npos);
  // A '|' in a URL cannot break the table, and the 300-character URL is cut.
  EXPECT_NE(markdown.find("\\|"), std::string::npos);
  EXPECT_EQ(markdown.find(std::string(200, 'x')), std::string::npos);
}

TEST(BenchMarkdown, SaysPassedWhenEverythingHolds) {
  std::vector<std::string> names;
  const stats::RunStats s = run(3, 2, 1000, names);
  const RunConfig config;
  Verdicts v;
  v.thresholds = thresholds(s, {"total_ms:p(99)<250"});
  const std::string markdown = summary_markdown({config, s, v});
  EXPECT_EQ(markdown.rfind("## fetch benchmark: ✅ passed (exit status 0)", 0), 0u) << markdown;
  EXPECT_NE(markdown.find("| ✅ | total\\_ms:p(99)\\<250 |"), std::string::npos) << markdown;
}

TEST(BenchJunit, OneTestCasePerThresholdAndComparison) {
  std::vector<std::string> base_names, names;
  const stats::RunStats base = run(2, 10, 1000, base_names);
  const stats::RunStats slow = run(2, 10, 2000, names);
  const RunConfig config;
  Verdicts v;
  v.thresholds = thresholds(slow, {"total_ms:p(99)<250", "failed:rate<0.01", "rps>1000000"});
  v.baseline = stats::compare_with_baseline(base, slow, {});
  const std::string xml = summary_junit({config, slow, v});
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u);
  EXPECT_EQ(count(xml, "<testcase "), 3u + 3u);
  EXPECT_NE(xml.find("<testsuites name=\"fetch\" tests=\"6\" failures=\"4\">"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"total_ms:p(99)&lt;250\""), std::string::npos);
  EXPECT_EQ(count(xml, "<failure "), 4u);  // rps, and three regressions
  EXPECT_EQ(count(xml, "<testsuite "), count(xml, "</testsuite>"));
  EXPECT_EQ(count(xml, "<testcase "), count(xml, "</testcase>"));
}

TEST(BenchJunit, ControlBytesAndBadUtf8CannotBreakTheXml) {
  stats::RunStats s;
  stats::Observation o;
  o.line = 1;
  o.url = "http://a/\x01\xff<&>";
  o.ok = true;
  o.status = 200;
  o.micros[0] = 10;
  s.add(o);
  s.finish(1);
  const RunConfig config;
  Verdicts v;
  v.thresholds = thresholds(s, {"total_ms{line:1}:max<1"});
  const std::string xml = summary_junit({config, s, v});
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find("\xff"), std::string::npos);
  EXPECT_NE(xml.find("&lt;&amp;&gt;"), std::string::npos) << xml;
}

TEST(GithubAnnotations, EscapedAndCapped) {
  std::vector<std::string> names;
  const stats::RunStats s = run(2, 2, 1000, names);
  const RunConfig config;
  Verdicts v;
  v.thresholds = thresholds(s, std::vector<std::string>(30, "total_ms:max<0.001"));
  v.thresholds.front().threshold.expression = "50%\nnew line";
  const std::string out = github_annotations({config, s, v});
  EXPECT_EQ(count(out, "::error title=fetch%3A threshold crossed::"), 9u);
  EXPECT_NE(out.find("50%25%0Anew line"), std::string::npos) << out;
  EXPECT_NE(out.find("21 more"), std::string::npos) << out;
  EXPECT_EQ(count(out, "\n"), 10u);
  v.thresholds.clear();
  EXPECT_EQ(github_annotations({config, s, v}), "");
}

TEST(BenchTable, PercentilesPassesAndAHistogram) {
  std::vector<std::string> names;
  const stats::RunStats s = run(7, 4, 1000, names);
  const std::string table = format_bench_table(s, 20);
  EXPECT_NE(table.find("latency ms"), std::string::npos);
  EXPECT_NE(table.find("p99.9"), std::string::npos);
  EXPECT_NE(table.find("total_ms"), std::string::npos);
  EXPECT_EQ(table.find("tls_ms"), std::string::npos) << "no row for what was never timed";
  EXPECT_NE(table.find("4 complete passes"), std::string::npos) << table;
  EXPECT_NE(table.find("total_ms distribution"), std::string::npos);
  EXPECT_NE(table.find(std::string(20, '#')), std::string::npos) << table;  // the tallest bar
  EXPECT_EQ(format_bench_table(stats::RunStats{}), "");
}

TEST(BenchText, ThresholdAndBaselineLines) {
  std::vector<std::string> base_names, names;
  const stats::RunStats base = run(2, 10, 1000, base_names);
  const stats::RunStats slow = run(2, 10, 2000, names);
  const std::string lines =
      format_threshold_lines(thresholds(slow, {"total_ms:p(99)<250", "tls_ms:p(99)<250"}));
  EXPECT_NE(lines.find("  ok       total_ms:p(99)<250: value "), std::string::npos) << lines;
  EXPECT_NE(lines.find("  CROSSED  tls_ms:p(99)<250: no data"), std::string::npos) << lines;
  const std::string baseline =
      format_baseline_lines(stats::compare_with_baseline(base, slow, {}), "base.json");
  EXPECT_NE(baseline.find("REGRESSION   overall: base "), std::string::npos) << baseline;
  EXPECT_NE(baseline.find("ratio 2.000"), std::string::npos) << baseline;
  EXPECT_NE(baseline.find("per URL: 2 REGRESSION"), std::string::npos) << baseline;
}

}  // namespace
}  // namespace fetch
