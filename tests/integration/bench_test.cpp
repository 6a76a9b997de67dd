// Benchmark runs against a real nginx: passes over the list (warm-up not counted), replayed
// standard input, cold passes, --duration, the summary on stdout, the open model's schedule
// and drops, closed pacing, and the table on a terminal.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "bench_common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/nginx_server.hpp"

extern char** environ;

namespace fetch::test {
namespace {

namespace json = boost::json;

class Bench : public ::testing::Test {
 protected:
  NginxServer nginx;
  ScratchDir dir;
};

TEST_F(Bench, RunsFetchTheListThatManyTimesAndWarmUpIsNotCounted) {
  const std::string list = dir.write("urls.txt", url_list(nginx.http_url("/small.txt"), "runs", 5));
  const ProcessResult run = run_bench({"-f", "tsv", "-j", "2", "--runs", "3", "--warmup", "2",
                                       "--export-json", dir.file("out.json"), list});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_EQ(parse_tsv(run.out).size(), 15u) << "warm-up passes print no records";
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?runs-", 25));
  EXPECT_EQ(nginx.requests("/small.txt?runs-").size(), 25u);
  const json::value doc = summary_file(dir.file("out.json"));
  EXPECT_EQ(number(doc.at("totals").at("requests")), 15u);
  EXPECT_EQ(number(doc.at("totals").at("passes")), 3u);
  EXPECT_EQ(number(doc.at("latency").at("total_ms").at("count")), 15u);
  for (const json::value& pass : doc.at("passes").as_array()) {
    EXPECT_EQ(number(pass.at("requests")), 5u);
    EXPECT_TRUE(pass.at("complete").as_bool());
  }
  const json::array& urls = doc.at("urls").as_array();
  ASSERT_EQ(urls.size(), 5u);
  EXPECT_EQ(number(urls[0].at("line")), 1u);
  EXPECT_EQ(urls[0].at("samples").at("total_ms").as_array().size(), 3u);
  EXPECT_EQ(number(doc.at("totals").at("statuses").at("200")), 15u);
  // Warm connections: the counted passes rode the warm-up's connections.
  EXPECT_EQ(number(doc.at("latency").at("connect_ms").at("count")), 0u);
}

TEST_F(Bench, StandardInputIsReadOnceAndReplayed) {
  const ProcessResult run =
      run_bench({"-f", "tsv", "--runs", "2", "--export-json", dir.file("o.json")},
                url_list(nginx.http_url("/small.txt"), "stdin", 4));
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_EQ(parse_tsv(run.out).size(), 8u);
  EXPECT_EQ(number(summary_file(dir.file("o.json")).at("totals").at("requests")), 8u);
}

TEST_F(Bench, ColdPassesOpenTheirOwnConnections) {
  const std::string list = dir.write("urls.txt", url_list(nginx.http_url("/small.txt"), "cold", 4));
  ASSERT_EQ(run_bench({"-q", "-j", "1", "--runs", "3", "--cold", "--export-json",
                       dir.file("c.json"), list})
                .exit_code,
            0);
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?cold-", 12));
  EXPECT_EQ(nginx.distinct_connections("/small.txt?cold-"), 3u);
  EXPECT_EQ(number(summary_file(dir.file("c.json")).at("latency").at("connect_ms").at("count")),
            3u);
  // Warm (the default): one connection for all three passes.
  const std::string warm = dir.write("warm.txt", url_list(nginx.http_url("/small.txt"), "warm", 4));
  ASSERT_EQ(run_bench({"-q", "-j", "1", "--runs", "3", "--export-json", dir.file("w.json"), warm})
                .exit_code,
            0);
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?warm-", 12));
  EXPECT_EQ(nginx.distinct_connections("/small.txt?warm-"), 1u);
}

TEST_F(Bench, DurationRepeatsTheListUntilItIsOver) {
  const std::string list = dir.write("urls.txt", url_list(nginx.http_url("/small.txt"), "dur", 3));
  const ProcessResult run =
      run_bench({"-q", "-z", "1s", "--export-json", dir.file("d.json"), list});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_LT(run.elapsed, 15s);
  const json::value doc = summary_file(dir.file("d.json"));
  const json::array& passes = doc.at("passes").as_array();
  ASSERT_GE(passes.size(), 2u);
  for (std::size_t i = 0; i + 1 < passes.size(); ++i) {
    EXPECT_TRUE(passes[i].at("complete").as_bool()) << i;
    EXPECT_EQ(number(passes[i].at("requests")), 3u);
  }
  EXPECT_DOUBLE_EQ(real(doc.at("config").at("duration_s")), 1.0);
  // --runs caps the passes of a duration.
  ASSERT_EQ(run_bench({"-q", "-z", "30s", "--runs", "2", "--export-json", dir.file("r.json"), list})
                .exit_code,
            0);
  EXPECT_EQ(number(summary_file(dir.file("r.json")).at("totals").at("passes")), 2u);
}

TEST_F(Bench, TheSummaryOnStdoutReplacesTheRecords) {
  const ProcessResult run =
      run_bench({"--runs", "2", "--export-json", "-", nginx.http_url("/small.txt"),
                 nginx.http_url("/missing.txt")});
  EXPECT_EQ(run.exit_code, 1) << describe(run);  // the 404
  const json::value doc = valid_summary(run.out);
  ASSERT_TRUE(doc.is_object()) << run.out;
  EXPECT_EQ(number(doc.at("totals").at("failed")), 2u);
  EXPECT_EQ(number(doc.at("verdict").at("exit_status")), 1u);
  EXPECT_NE(run.err.find("4 URLs: 2 ok, 2 failed"), std::string::npos) << run.err;
  // Two exports cannot share stdout.
  const ProcessResult both =
      run_bench({"--export-json", "-", "--export-markdown", "-", nginx.http_url("/small.txt")});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("only one export"), std::string::npos) << both.err;
  // An export that cannot be written fails before anything is fetched.
  const ProcessResult unwritable =
      run_bench({"--export-json", "/nonexistent/dir/x.json", nginx.http_url("/small.txt?never")});
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_NE(unwritable.err.find("/nonexistent/dir/x.json"), std::string::npos);
  EXPECT_TRUE(nginx.requests("/small.txt?never").empty());
}

TEST_F(Bench, TheOpenModelStartsOnScheduleAndCountsFromTheIntendedStart) {
  const std::string list = dir.write("urls.txt", url_list(nginx.http_url("/small.txt"), "open", 2));
  const ProcessResult run =
      run_bench({"-q", "--rate", "50/s", "-z", "1s", "--export-json", dir.file("o.json"), list});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  const json::value doc = summary_file(dir.file("o.json"));
  EXPECT_EQ(doc.at("config").at("model"), "open");
  const auto& totals = doc.at("totals");
  // 50/s for 1 s: due at 0, 20, ..., 980 ms.
  EXPECT_EQ(number(totals.at("requests")) + number(totals.at("dropped")), 50u);
  const auto& latency = doc.at("latency");
  EXPECT_EQ(number(latency.at("service_ms").at("count")), number(totals.at("requests")));
  EXPECT_GE(real(latency.at("total_ms").at("max")),
            real(latency.at("service_ms").at("max")) - 0.01);
  EXPECT_EQ(doc.at("passes").as_array().size(), 25u);
}

TEST(BenchOpenModel, StartsThatFindMinusJInFlightAreDropped) {
  MisbehavingServer server;
  ScratchDir dir;
  const ProcessResult run =
      run_bench({"-q", "-j", "1", "--rate", "20/s", "-z", "1s", "--export-json", dir.file("o.json"),
                 server.url("/slow?ms=300")});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  const json::value doc = summary_file(dir.file("o.json"));
  const std::uint64_t requests = number(doc.at("totals").at("requests"));
  const std::uint64_t dropped = number(doc.at("totals").at("dropped"));
  EXPECT_EQ(requests + dropped, 20u);
  EXPECT_GE(requests, 1u);
  EXPECT_LE(requests, 5u) << "one at a time, 300 ms each, within a second";
  EXPECT_GE(dropped, 15u);
  EXPECT_GE(real(doc.at("latency").at("total_ms").at("min")), 300.0);
}

TEST_F(Bench, RateAloneCapsRequestStarts) {
  // 20/s: five starts take at least four intervals of 50 ms (a lower bound; no upper one).
  const std::string list =
      dir.write("urls.txt", url_list(nginx.http_url("/small.txt"), "paced", 5));
  const ProcessResult run = run_bench({"-f", "tsv", "--rate", "20/s", list});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  EXPECT_EQ(parse_tsv(run.out).size(), 5u);
  EXPECT_GE(run.elapsed, 190ms);
  EXPECT_EQ(run.err.find("latency ms"), std::string::npos) << "--rate alone keeps no statistics";
}

// Runs fetch with stderr on a pseudo-terminal and stdout on /dev/null; returns the screen.
std::string run_on_terminal(const std::vector<std::string>& args) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  EXPECT_GE(master, 0);
  ::grantpt(master);
  ::unlockpt(master);
  const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  termios mode{};
  ::tcgetattr(slave, &mode);
  ::cfmakeraw(&mode);
  ::tcsetattr(slave, TCSANOW, &mode);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, slave, STDERR_FILENO);
  std::vector<std::string> argv{"/usr/bin/env", "-u", "GITHUB_ACTIONS", fetch_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (auto& arg : argv) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(::posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(slave);
  std::string screen;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd readable{master, POLLIN, 0};
    if (::poll(&readable, 1, 100) > 0) {
      const ssize_t n = ::read(master, buffer, sizeof buffer);
      if (n <= 0) break;  // EIO: the last holder of the terminal exited
      screen.append(buffer, static_cast<std::size_t>(n));
    }
  }
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == 0) ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  ::close(master);
  return screen;
}

TEST_F(Bench, OnATerminalThePercentileTableAndHistogramFollowTheSummary) {
  const std::string list = dir.write("urls.txt", url_list(nginx.http_url("/small.txt"), "tty", 6));
  const std::string screen = run_on_terminal({"--no-progress", "--runs", "3", list});
  EXPECT_NE(screen.find("18 URLs: 18 ok"), std::string::npos) << screen;
  EXPECT_NE(screen.find("latency ms"), std::string::npos) << screen;
  EXPECT_NE(screen.find("p99.9"), std::string::npos);
  EXPECT_NE(screen.find("total_ms distribution"), std::string::npos) << screen;
  EXPECT_NE(screen.find("3 complete passes"), std::string::npos) << screen;
  // Without a benchmark option, the terminal gets the summary line only, as before.
  const std::string plain = run_on_terminal({"--no-progress", list});
  EXPECT_NE(plain.find("6 URLs: 6 ok"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("latency ms"), std::string::npos) << plain;
}

}  // namespace
}  // namespace fetch::test
