// fetch as a process among others: interrupted by SIGINT, and its reader going away early
// (`fetch ... | head -1`).

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/nginx_server.hpp"
#include "support/records.hpp"

namespace fetch::test {
namespace {

// Starts fetch on 40 URLs that never answer, 20 at a time, sends `signal` once the
// connections are open, and checks fetch stops promptly with `status` and a summary.
void expect_stopped_by(int signal, int status) {
  MisbehavingServer server;
  std::vector<std::string> args{"--format", "tsv", "--no-progress", "-j", "20"};
  for (int i = 0; i < 40; ++i) args.push_back(server.url("/never?n=" + std::to_string(i)));
  ChildProcess child = start_fetch(args);
  child.close_stdin();

  // Signal once fetch is really waiting on the server (or after 5 s regardless).
  const bool connected = eventually([&] { return server.connections_accepted() >= 20; }, 5s);
  EXPECT_TRUE(connected) << "fetch opened " << server.connections_accepted() << " connections";
  std::this_thread::sleep_for(300ms);
  const auto signalled_at = std::chrono::steady_clock::now();
  child.send_signal(signal);
  const ProcessResult result = child.wait(10s);

  EXPECT_FALSE(result.timed_out) << describe(result);
  EXPECT_EQ(result.term_signal, 0)
      << "killed by the signal instead of handling it: " << describe(result);
  EXPECT_EQ(result.exit_code, status) << describe(result);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled_at, 3s) << "slow to stop";
  EXPECT_NE(result.err, "") << "no summary on stderr";
  for (const TsvRecord& record : parse_tsv(result.out)) {
    EXPECT_EQ(record["ok"], "false") << "nothing could have succeeded: " << record.text();
  }
}

TEST(Process, SigintStopsPromptlyWithStatus130AndASummary) { expect_stopped_by(SIGINT, 130); }

TEST(Process, SigtermStopsPromptlyWithStatus143AndASummary) { expect_stopped_by(SIGTERM, 143); }

TEST(Process, ResultsStreamWhileInputIsStillOpen) {
  // URLs fed one at a time through a pipe that stays open: each result must come out
  // before the input ends (a slow producer never holds results back).
  NginxServer nginx;
  ChildProcess child = start_fetch({"--format", "tsv", "--no-progress"});
  child.set_stdin(nginx.http_url("/small.txt") + "\n", /*keep_open=*/true);
  const auto first = child.wait_for_lines(1, 10s);
  ASSERT_TRUE(first) << "no result while stdin is open";
  EXPECT_EQ(TsvRecord(first->front())["url"], nginx.http_url("/small.txt"));

  child.set_stdin(nginx.http_url("/page.html") + "\n", /*keep_open=*/true);
  const auto second = child.wait_for_lines(1, 10s);
  ASSERT_TRUE(second) << "no second result while stdin is open";
  EXPECT_EQ(TsvRecord(second->front())["url"], nginx.http_url("/page.html"));
  EXPECT_EQ(TsvRecord(second->front())["line"], "2");

  child.close_stdin();
  const ProcessResult result = child.wait(10s);
  EXPECT_EQ(result.exit_code, 0) << describe(result);
  EXPECT_EQ(result.out, "") << "results after the input ended";
}

TEST(Process, SigintWhileWaitingForInput) {
  ChildProcess child = start_fetch({"--format", "tsv", "--no-progress"});
  child.set_stdin("# nothing yet\n", /*keep_open=*/true);
  EXPECT_FALSE(child.wait_for_lines(1, 300ms));
  child.send_signal(SIGINT);
  const ProcessResult result = child.wait(5s);
  EXPECT_FALSE(result.timed_out) << describe(result);
  EXPECT_EQ(result.exit_code, 130) << describe(result);
  EXPECT_EQ(result.term_signal, 0) << describe(result);
}

TEST(Process, ReaderGoingAwayEndsTheRunQuietly) {
  // Enough output to fill the pipe several times over, so fetch must meet the closed pipe.
  NginxServer nginx;
  std::vector<std::string> args{"--format", "json", "--no-progress", "-j", "8"};
  for (int i = 0; i < 1500; ++i)
    args.push_back(nginx.http_url("/small.txt?n=" + std::to_string(i)));
  ChildProcess child = start_fetch(args);
  child.close_stdin();

  const auto first = child.wait_for_lines(1, 15s);
  ASSERT_TRUE(first) << "no first line";
  EXPECT_EQ(parse_json_lines(first->front()).size(), 1u);
  child.close_stdout();
  const ProcessResult result = child.wait(15s);

  EXPECT_FALSE(result.timed_out) << describe(result);
  // Acceptable ends: the status for a broken pipe (141), death by SIGPIPE like most Unix
  // tools, or a normal status. Not acceptable: a crash or an abort.
  const bool quiet_status =
      result.exit_code == 141 || result.exit_code == 0 || result.exit_code == 1;
  EXPECT_TRUE(quiet_status && (result.term_signal == 0 || result.term_signal == SIGPIPE))
      << describe(result);
  for (std::string_view noise : {"Broken pipe", "EPIPE", "terminate called", "what()", "Sanitizer",
                                 "runtime error", "Aborted"}) {
    EXPECT_FALSE(contains_ci(result.err, noise)) << "stderr mentions \"" << noise << "\":\n"
                                                 << result.err;
  }
  EXPECT_LE(split_lines(result.err).size(), 2u) << "more than a summary on stderr:\n" << result.err;
}

}  // namespace
}  // namespace fetch::test
