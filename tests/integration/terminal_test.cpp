// fetch on a terminal, through a pseudo-terminal: the progress line's figures are fresh, it
// keeps moving while the last URLs are pending, and a file's URLs are counted up front for a
// total, a percentage and an ETA.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/pty.hpp"

namespace fetch::test {
namespace {

struct TerminalRun {
  std::string screen;  // all that was drawn on the terminal
  int exit_code = -1;
};

// Runs `argv` (argv[0] a path) with stderr on a pseudo-terminal (stdout too when
// `stdout_on_terminal`, else /dev/null), reading the terminal until it exits (killed after
// 20 s).
TerminalRun run_on_terminal(const std::vector<std::string>& argv, bool stdout_on_terminal) {
  Pty pty{200};
  const int null_out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  const pid_t pid = spawn_server(argv, stdout_on_terminal ? pty.slave : null_out, pty.slave);
  ::close(null_out);
  pty.close_slave();
  TerminalRun run;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    run.screen += pty.read_available(20ms);
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "fetch did not finish:\n" << run.screen;
      stop_process(pid, 100ms);
      return run;
    }
  }
  run.screen += pty.read_available(50ms);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// The progress lines drawn, in order: the text after each erase, up to the next control.
std::vector<std::string> progress_lines(const std::string& screen) {
  std::vector<std::string> lines;
  const std::string erase = "\r\x1b[2K";
  for (auto at = screen.find(erase); at != std::string::npos; at = screen.find(erase, at + 1)) {
    const std::size_t start = at + erase.size();
    const std::size_t end = screen.find_first_of("\r\n", start);
    const std::string line = screen.substr(start, end - start);
    if (line.find(" done") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

class Terminal : public ::testing::Test {
 protected:
  // A file of `fast` quick URLs followed by one that takes `slow_ms`.
  std::string url_file(int fast, int slow_ms) {
    path_ = ::testing::TempDir() + "terminal-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".txt";
    std::ofstream file(path_);
    file << "# progress test\n";
    for (int i = 0; i < fast; ++i) file << server.url("/ok?i=" + std::to_string(i)) << "\n";
    file << "\n" << server.url("/slow?ms=" + std::to_string(slow_ms)) << "\n";
    return path_;
  }
  ~Terminal() override {
    if (!path_.empty()) std::remove(path_.c_str());
  }

  MisbehavingServer server;
  std::string path_;
};

TEST_F(Terminal, AFileShowsTheTotalAPercentageAndAnEta) {
  const TerminalRun run = run_on_terminal({fetch_binary(), "-j", "5", url_file(4, 1200)}, false);
  EXPECT_EQ(run.exit_code, 0) << run.screen;
  const std::vector<std::string> lines = progress_lines(run.screen);
  ASSERT_FALSE(lines.empty()) << run.screen;
  const std::regex shape(R"( +\d+/5 done  \d+%  \(\d+ ok, \d+ failed\)  \d+ in flight  .*)");
  for (const std::string& line : lines) EXPECT_TRUE(std::regex_match(line, shape)) << line;
  // While the slow URL is pending, the timer keeps the line moving: many draws of 4/5, each
  // with a later time. (Ten a second for 1.2 s; three is a generous floor.)
  std::vector<std::string> waiting;
  for (const std::string& line : lines) {
    if (line.find("4/5 done  80%") != std::string::npos) waiting.push_back(line);
  }
  EXPECT_GE(waiting.size(), 3u) << run.screen;
  if (waiting.size() >= 2) {
    EXPECT_NE(waiting.front(), waiting.back());
  }
  EXPECT_NE(run.screen.find("  ETA "), std::string::npos) << run.screen;
  EXPECT_NE(run.screen.find("5 URLs: 5 ok, 0 failed"), std::string::npos) << run.screen;
}

TEST_F(Terminal, TheLineAfterEachResultShowsAtLeastTheResultsPrinted) {
  // Results and progress share the terminal: each result erases the line, and the line
  // drawn after it must count that result (it used to come back as it was before).
  const TerminalRun run =
      run_on_terminal({fetch_binary(), "-j", "5", "-f", "tsv", url_file(4, 300)}, true);
  EXPECT_EQ(run.exit_code, 0) << run.screen;
  std::size_t results = 0;
  std::size_t checked = 0;
  const std::string erase = "\r\x1b[2K";
  std::size_t at = 0;
  while ((at = run.screen.find(erase, at)) != std::string::npos) {
    at += erase.size();
    const std::size_t end = run.screen.find_first_of("\r\n", at);
    const std::string text = run.screen.substr(at, end - at);
    if (end != std::string::npos && run.screen[end] == '\n') {
      // A record, printed where the progress line was (or at the end, the summary).
      if (text.find(" URLs: ") == std::string::npos) ++results;
      continue;
    }
    std::smatch done;
    if (std::regex_search(text, done, std::regex(R"(^ +(\d+)/5 done)"))) {
      EXPECT_GE(std::stoul(done[1]), results) << text;
      ++checked;
    }
  }
  EXPECT_EQ(results, 5u) << run.screen;
  EXPECT_GE(checked, 2u) << run.screen;
}

TEST_F(Terminal, StandardInputFromAPipeHasNoTotal) {
  // A pipe cannot be counted up front: the line counts without a total.
  const TerminalRun run = run_on_terminal(
      {"/bin/sh", "-c", "cat \"$1\" | exec \"$0\" -j 5", fetch_binary(), url_file(2, 600)}, false);
  EXPECT_EQ(run.exit_code, 0) << run.screen;
  const std::vector<std::string> lines = progress_lines(run.screen);
  ASSERT_FALSE(lines.empty()) << run.screen;
  for (const std::string& line : lines) {
    EXPECT_TRUE(std::regex_search(line, std::regex(R"(^ +\d+ done  \()"))) << line;
    EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
  }
  EXPECT_NE(run.screen.find("3 URLs: 3 ok"), std::string::npos) << run.screen;
}

}  // namespace
}  // namespace fetch::test
