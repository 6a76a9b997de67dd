// -w/--write-out from the command line: curl's variables against real servers (and against
// curl itself when it is installed), fetch's own fields, usage errors.

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "common.hpp"
#include "support/net.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

// What the tests ask both fetch and curl for, one tab-separated line per URL.
constexpr std::string_view kCurlTemplate =
    "%{http_code}\\t%{size_download}\\t%{num_redirects}\\t%{url_effective}\\t%{exitcode}\\n";

class WriteOut : public ::testing::Test {
 protected:
  // Runs fetch -j 1 (so lines come in input order) with `-w format` over `urls`.
  ProcessResult fetch_with(std::string_view format, const std::vector<std::string>& urls,
                           std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "-q", "-j", "1", "--cacert", ca_file(), "-w", std::string(format)};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), urls.begin(), urls.end());
    return run_fetch(args);
  }

  std::string refused_url() const {
    return "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  }

  NginxServer nginx;
};

TEST_F(WriteOut, CurlVariablesDescribeEachUrl) {
  const std::vector<std::string> urls = {nginx.http_url("/small.txt"),
                                         nginx.http_url("/redirect/chain/2"),
                                         nginx.http_url("/missing.txt"), refused_url()};
  const ProcessResult run = fetch_with(kCurlTemplate, urls);
  const std::vector<std::string> lines = split_lines(run.out);
  ASSERT_EQ(lines.size(), 4u) << describe(run);
  const std::string size = std::to_string(nginx.file_size("small.txt"));
  EXPECT_EQ(lines[0], "200\t" + size + "\t0\t" + urls[0] + "\t0");
  EXPECT_EQ(lines[1], "200\t" + size + "\t2\t" + nginx.http_url("/small.txt") + "\t0");
  EXPECT_EQ(split_tsv(lines[2])[0], "404");
  EXPECT_EQ(split_tsv(lines[2])[4], "22");
  EXPECT_EQ(lines[3], "000\t0\t0\t" + urls[3] + "\t7");
  EXPECT_EQ(run.exit_code, 1);
}

TEST_F(WriteOut, TimesAddUpFromTheStart) {
  const ProcessResult run = fetch_with(
      "%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} "
      "%{time_total}\\n",
      {nginx.https_url("/small.txt"), nginx.http_url("/page.html")});
  const std::vector<std::string> lines = split_lines(run.out);
  ASSERT_EQ(lines.size(), 2u) << describe(run);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    std::vector<double> times;
    std::string::size_type start = 0;
    while (start <= lines[i].size()) {
      const auto space = lines[i].find(' ', start);
      const std::string word = lines[i].substr(start, space - start);
      ASSERT_TRUE(is_number(word));
      ASSERT_EQ(word.size() - word.find('.'), 7u) << "six decimals: " << word;
      times.push_back(std::strtod(word.c_str(), nullptr));
      if (space == std::string::npos) break;
      start = space + 1;
    }
    ASSERT_EQ(times.size(), 5u);
    EXPECT_LE(times[0], times[1]);
    if (i == 0) {  // https: the handshake lies between the connect and the response
      EXPECT_GE(times[2], times[1]);
      EXPECT_GT(times[2], 0);
      EXPECT_GE(times[3], times[2]);
    } else {  // plain http: no handshake, appconnect 0 as in curl
      EXPECT_EQ(times[2], 0);
      EXPECT_GE(times[3], times[1]);
    }
    EXPECT_GT(times[3], 0);
    EXPECT_LE(times[3], times[4]);
    EXPECT_LT(times[4], 20);  // a generous bound, not a measurement
  }
}

TEST_F(WriteOut, FieldsByTheirTableNames) {
  const ProcessResult run = fetch_with("%{line}|%{status}|%{ok}|%{error_code}|%{content_length}\\n",
                                       {nginx.http_url("/small.txt"), refused_url()});
  const std::vector<std::string> lines = split_lines(run.out);
  ASSERT_EQ(lines.size(), 2u) << describe(run);
  EXPECT_EQ(lines[0], "1|200|true||" + std::to_string(nginx.file_size("small.txt")));
  EXPECT_EQ(lines[1], "2||false|connect_refused|");
}

TEST_F(WriteOut, JsonIsTheRecord) {
  const ProcessResult run = fetch_with("%{json}\\n", {nginx.http_url("/small.txt")});
  const std::vector<boost::json::value> values = parse_json_lines(run.out);
  ASSERT_EQ(values.size(), 1u) << describe(run);
  EXPECT_EQ(values[0].at("status"), boost::json::value(200));
  EXPECT_EQ(values[0].at("url"), boost::json::value(nginx.http_url("/small.txt")));
}

TEST_F(WriteOut, NothingElseGoesToStdoutAndNoNewlineIsAdded) {
  const ProcessResult run =
      fetch_with("[%{http_code}]", {nginx.http_url("/small.txt"), nginx.http_url("/page.html")});
  EXPECT_EQ(run.out, "[200][200]") << describe(run);
  EXPECT_EQ(run.exit_code, 0);
}

TEST_F(WriteOut, TheLastOfFormatAndWriteOutWins) {
  const ProcessResult run =
      run_fetch({"-q", "-w", "%{http_code}\\n", "-f", "tsv", nginx.http_url("/small.txt")});
  const std::vector<TsvRecord> records = parse_tsv(run.out);
  ASSERT_EQ(records.size(), 1u) << describe(run);
  EXPECT_EQ(records[0]["status"], "200");
  const ProcessResult write_out_last =
      run_fetch({"-q", "-f", "tsv", "-w", "%{http_code}\\n", nginx.http_url("/small.txt")});
  EXPECT_EQ(write_out_last.out, "200\n") << describe(write_out_last);
}

TEST_F(WriteOut, UnknownVariableIsAUsageError) {
  const ProcessResult run = run_fetch({"-w", "%{http_code} %{no_such_thing}\\n", "http://x/"});
  EXPECT_EQ(run.exit_code, 2) << describe(run);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("no_such_thing"), std::string::npos) << run.err;
}

// curl's meaning, checked against curl itself: the same servers, the same template. (Not a
// 404: curl --fail stops before its body, whose size fetch reports.)
TEST_F(WriteOut, AgreesWithCurl) {
  const std::string curl = "/usr/bin/curl";
  if (::access(curl.c_str(), X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  const std::vector<std::string> urls = {nginx.http_url("/small.txt"),
                                         nginx.https_url("/redirect/chain/3"),
                                         nginx.http_url("/chunked"), refused_url()};
  const ProcessResult ours = fetch_with(kCurlTemplate, urls, {"--no-compressed"});
  const std::vector<std::string> ours_lines = split_lines(ours.out);
  ASSERT_EQ(ours_lines.size(), urls.size()) << describe(ours);
  for (std::size_t i = 0; i < urls.size(); ++i) {
    ChildProcess child({curl, "-s", "-o", "/dev/null", "-L", "--fail", "--cacert", ca_file(), "-w",
                        std::string(kCurlTemplate), urls[i]});
    const ProcessResult theirs = child.wait(20s);
    EXPECT_EQ(ours_lines[i] + "\n", theirs.out) << urls[i] << "\n" << describe(theirs);
  }
}

}  // namespace
}  // namespace fetch::test
