// fetch under process-level pressure: interrupted after some URLs finished, a stdout pipe
// nobody reads for a while, and too few file descriptors for -j. (Signals while nothing has
// finished, and a reader that goes away, are in process_test.cpp.)

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <set>
#include <thread>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

namespace json = boost::json;

// Five URLs that finish at once and twenty that never answer; the signal comes once the five
// lines are out. Those five must each appear exactly once, every other line (if any) must
// be a failed never-answering URL, and the summary must count the five.
void expect_finished_lines_survive(int signal, int status) {
  MisbehavingServer server;
  std::vector<std::string> args{"--format", "tsv", "--no-progress", "-j", "25"};
  std::set<std::string> fast;
  for (int i = 0; i < 5; ++i) {
    args.push_back(server.url("/ok?fast=" + std::to_string(i)));
    fast.insert(args.back());
  }
  for (int i = 0; i < 20; ++i) args.push_back(server.url("/never?slow=" + std::to_string(i)));
  ChildProcess child = start_fetch(args);
  child.close_stdin();

  const auto first = child.wait_for_lines(5, 10s);
  ASSERT_TRUE(first) << "the five fast URLs did not finish";
  // Every slow URL is waiting on the server (some on connections the fast ones left).
  auto slow_requests = [&] {
    const std::string log = server.requests_received().value_or("");
    std::size_t count = 0;
    for (std::size_t at = log.find("GET /never"); at != std::string::npos;
         at = log.find("GET /never", at + 1))
      ++count;
    return count;
  };
  EXPECT_TRUE(eventually([&] { return slow_requests() == 20; }, 5s))
      << "only " << slow_requests() << " slow requests arrived";
  child.send_signal(signal);
  const ProcessResult result = child.wait(10s);

  EXPECT_FALSE(result.timed_out) << describe(result);
  EXPECT_EQ(result.term_signal, 0) << describe(result);
  EXPECT_EQ(result.exit_code, status) << describe(result);
  std::vector<TsvRecord> records;
  for (const std::string& line : *first) records.emplace_back(line);
  for (TsvRecord& record : parse_tsv(result.out)) records.push_back(std::move(record));
  std::set<std::string> lines;
  std::size_t fast_seen = 0;
  for (const TsvRecord& record : records) {
    SCOPED_TRACE(record.text());
    EXPECT_TRUE(record.has_all_columns());
    EXPECT_TRUE(lines.insert(record["line"]).second) << "line printed twice";
    if (fast.count(record["url"])) {
      ++fast_seen;
      EXPECT_EQ(record["ok"], "true");
    } else {
      EXPECT_EQ(record["ok"], "false");
    }
  }
  EXPECT_EQ(fast_seen, 5u);
  EXPECT_LE(records.size(), 25u);
  EXPECT_TRUE(contains_ci(result.err, " 5 ok")) << "the summary must count the finished URLs:\n"
                                                << result.err;
}

TEST(ProcessLimits, SigintKeepsTheLinesAlreadyFinishedAndCountsThem) {
  expect_finished_lines_survive(SIGINT, 130);
}

TEST(ProcessLimits, SigtermKeepsTheLinesAlreadyFinishedAndCountsThem) {
  expect_finished_lines_survive(SIGTERM, 143);
}

TEST(ProcessLimits, StdoutFullForAWhileLosesAndCorruptsNoLine) {
  // 3000 JSON lines (~1 MB) against a pipe of 64 KiB that nobody reads for two seconds:
  // fetch must wait (or buffer), then deliver every line whole.
  constexpr int kUrls = 3000;
  NginxServer nginx;
  std::vector<std::string> args{"--format", "json", "--no-progress", "-j", "16"};
  for (int i = 0; i < kUrls; ++i)
    args.push_back(nginx.http_url("/small.txt?n=" + std::to_string(i)));
  ChildProcess child = start_fetch(args);
  child.close_stdin();
  std::this_thread::sleep_for(2s);  // stdout fills up and stays full
  const ProcessResult result = child.wait(60s);

  EXPECT_FALSE(result.timed_out) << describe(result);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto values = parse_json_lines(result.out);
  ASSERT_EQ(values.size(), static_cast<std::size_t>(kUrls)) << result.err;
  std::set<std::int64_t> lines;
  for (const json::value& value : values) {
    ASSERT_TRUE(value.is_object());
    EXPECT_TRUE(lines.insert(value.at("line").to_number<std::int64_t>()).second)
        << "line printed twice: " << json::serialize(value);
    EXPECT_EQ(value.at("ok"), json::value(true)) << json::serialize(value);
  }
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(kUrls));
}

TEST(ProcessLimits, TooFewFileDescriptorsStillGiveOneLinePerUrl) {
  // 64 descriptors (soft = hard, so fetch cannot raise them) for -j 200 over 300 URLs: some
  // connections cannot even get a socket. Each URL still ends in one line, ok or failed
  // with a clear reason, and fetch warns up front.
  constexpr int kUrls = 300;
  NginxServer nginx;
  std::vector<std::string> args{"--format", "tsv", "--no-progress", "-j", "200"};
  for (int i = 0; i < kUrls; ++i)
    args.push_back(nginx.http_url("/small.txt?fd=" + std::to_string(i)));
  Limits limits;
  limits.open_files = 64;
  const ProcessResult result = run_fetch(args, {}, 60s, limits);

  EXPECT_FALSE(result.timed_out) << describe(result);
  EXPECT_EQ(result.term_signal, 0) << describe(result);
  EXPECT_TRUE(result.exit_code == 0 || result.exit_code == 1) << describe(result);
  EXPECT_TRUE(contains_ci(result.err, "file descriptors")) << "no warning on stderr:\n"
                                                           << result.err;
  const std::vector<TsvRecord> records = parse_tsv(result.out);
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kUrls)) << describe(result);
  std::set<std::string> lines;
  int failed = 0;
  for (const TsvRecord& record : records) {
    SCOPED_TRACE(record.text());
    EXPECT_TRUE(lines.insert(record["line"]).second) << "line printed twice";
    if (record["ok"] != "true") {
      ++failed;
      EXPECT_TRUE(contains_ci(record["error_message"], "too many open files") ||
                  contains_ci(record["error_message"], "descriptor"))
          << "a failure that does not say it ran out of descriptors";
    }
  }
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(kUrls));
  ::testing::Test::RecordProperty("failed_urls", failed);
}

TEST(ProcessLimits, EveryTinyDescriptorLimitEndsCleanly) {
  // From 6 descriptors (below that the dynamic loader itself may fail to open fetch's shared
  // libraries, exit 127, before any of fetch's code runs) up to enough for one URL:
  // whichever descriptor fetch fails to get (epoll, the signal pipe, the socket), it must
  // end cleanly: one line for its URL, or, when it cannot start at all, a status and a
  // reason on stderr. Never an abort or a sanitizer report.
  MisbehavingServer server;
  for (std::uint64_t limit = 6; limit <= 18; ++limit) {
    SCOPED_TRACE("RLIMIT_NOFILE " + std::to_string(limit));
    Limits limits;
    limits.open_files = limit;
    const ProcessResult result =
        run_fetch({"--format", "tsv", "--no-progress", server.url("/ok")}, {}, 20s, limits);
    EXPECT_FALSE(result.timed_out) << describe(result);
    EXPECT_EQ(result.term_signal, 0) << "killed by a signal: " << describe(result);
    const std::vector<TsvRecord> records = parse_tsv(result.out);
    if (result.exit_code == 0 || result.exit_code == 1) {
      EXPECT_EQ(records.size(), 1u) << describe(result);
      if (records.size() == 1 && records[0]["ok"] != "true") {
        EXPECT_TRUE(contains_ci(records[0]["error_message"], "too many open files") ||
                    contains_ci(records[0]["error_message"], "descriptor"))
            << "the failure does not say it ran out of descriptors: " << records[0].text();
      }
    } else {
      EXPECT_TRUE(records.empty()) << describe(result);
      EXPECT_TRUE(contains_ci(result.err, "too many open files") ||
                  contains_ci(result.err, "descriptor"))
          << "no reason on stderr: " << describe(result);
      EXPECT_FALSE(contains_ci(result.err, "terminate called")) << describe(result);
    }
  }
}

}  // namespace
}  // namespace fetch::test
