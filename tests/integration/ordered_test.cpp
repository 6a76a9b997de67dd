// --ordered: records in input order while the fetches run concurrently, the reorder window
// that bounds how far a slow line lets the others run ahead, and a stop part-way.

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common.hpp"
#include "support/misbehaving_server.hpp"

namespace fetch::test {
namespace {

class Ordered : public ::testing::Test {
 protected:
  // Line i of `count` answers after (count - i) * step_ms: the last line finishes first.
  std::vector<std::string> slowest_first(int count, int step_ms) const {
    std::vector<std::string> urls;
    for (int i = 0; i < count; ++i) {
      urls.push_back(server.url("/slow?ms=" + std::to_string((count - i) * step_ms) +
                                "&i=" + std::to_string(i)));
    }
    return urls;
  }

  // How many requests for /ok the server has received.
  int ok_requests() const {
    const std::optional<std::string> heads = server.requests_received();
    if (!heads) return -1;
    int n = 0;
    for (auto at = heads->find("GET /ok"); at != std::string::npos;
         at = heads->find("GET /ok", at + 1)) {
      ++n;
    }
    return n;
  }

  MisbehavingServer server;
};

std::vector<std::string> urls_of(const std::vector<TsvRecord>& records) {
  std::vector<std::string> urls;
  for (const TsvRecord& record : records) urls.push_back(record["url"]);
  return urls;
}

TEST_F(Ordered, RecordsComeInInputOrder) {
  const std::vector<std::string> urls = slowest_first(8, 60);
  std::vector<std::string> args = {"--ordered", "-j", "8"};
  args.insert(args.end(), urls.begin(), urls.end());
  const TsvRun run = fetch_tsv(args);
  EXPECT_EQ(urls_of(run.records), urls) << describe(run.process);
  EXPECT_EQ(run.process.exit_code, 0);
}

TEST_F(Ordered, EachPassOfABenchmarkIsInInputOrder) {
  const std::vector<std::string> urls = slowest_first(5, 40);
  std::vector<std::string> args = {"--ordered", "--runs", "2", "--warmup", "1", "-j", "5"};
  args.insert(args.end(), urls.begin(), urls.end());
  const TsvRun run = fetch_tsv(args);
  std::vector<std::string> twice = urls;
  twice.insert(twice.end(), urls.begin(), urls.end());
  EXPECT_EQ(urls_of(run.records), twice) << "the warm-up prints nothing; " << describe(run.process);
}

TEST_F(Ordered, ADurationCannotBeOrdered) {
  const ProcessResult result = run_fetch({"--ordered", "-z", "1s", server.url("/ok")});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_TRUE(contains_ci(result.err, "--duration")) << describe(result);
}

TEST_F(Ordered, WithoutItRecordsComeAsTheyFinish) {
  // The same run without --ordered: the last URL, the fastest, comes first (so the test
  // above shows the option at work).
  const std::vector<std::string> urls = slowest_first(8, 60);
  std::vector<std::string> args = {"-j", "8"};
  args.insert(args.end(), urls.begin(), urls.end());
  const TsvRun run = fetch_tsv(args);
  ASSERT_EQ(run.records.size(), urls.size()) << describe(run.process);
  EXPECT_EQ(run.records.front()["url"], urls.back());
}

TEST_F(Ordered, InputOrderSpansFilesAndArguments) {
  // Line numbers start again in each input; the order is the order fetch reads them in:
  // URL arguments first, then the files as given.
  const std::vector<std::string> urls = slowest_first(6, 50);
  const std::string a = ::testing::TempDir() + "ordered-a.txt";
  const std::string b = ::testing::TempDir() + "ordered-b.txt";
  std::ofstream(a) << urls[1] << "\n# comment\n" << urls[2] << "\n";
  std::ofstream(b) << urls[3] << "\n" << urls[4] << "\n" << urls[5] << "\n";
  const TsvRun run = fetch_tsv({"--ordered", "-j", "6", a, urls[0], b});
  EXPECT_EQ(urls_of(run.records), urls) << describe(run.process);
  ASSERT_EQ(run.records.size(), 6u);
  EXPECT_EQ(run.records[2]["line"], "3");  // the comment still counts as a line
}

TEST_F(Ordered, ASlowLineHoldsBackAtMostTheWindow) {
  // The first line never answers (until --max-time); 1500 fast ones follow, 4 at a time. The
  // window (1024 lines at -j 4) fills: 1023 fast ones are fetched and held, and no more start
  // until the first line ends.
  constexpr int kWindow = 1024;
  const std::string input = ::testing::TempDir() + "ordered-window.txt";
  {
    std::ofstream file(input);
    file << server.url("/never") << "\n";
    for (int i = 0; i < 1500; ++i) file << server.url("/ok?i=" + std::to_string(i)) << "\n";
  }
  ChildProcess child =
      start_fetch({"--ordered", "-f", "tsv", "--no-progress", "-j", "4", "-m", "4", input});
  child.close_stdin();
  EXPECT_TRUE(eventually([&] { return ok_requests() >= kWindow - 1; }, 10s))
      << ok_requests() << " requests";
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(ok_requests(), kWindow - 1) << "lines started past a full window";
  EXPECT_FALSE(child.wait_for_lines(1, 100ms)) << "a record before the first line's";

  const ProcessResult result = child.wait(30s);
  const std::vector<TsvRecord> records = parse_tsv(result.out);
  ASSERT_EQ(records.size(), 1501u) << describe(result);
  EXPECT_EQ(records[0]["error_code"], "timeout_max_time");
  for (std::size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ(records[i]["line"], std::to_string(i + 1));
  }
  EXPECT_EQ(ok_requests(), 1500);
}

TEST_F(Ordered, AnInterruptedRunWritesWhatFinishedInOrder) {
  std::vector<std::string> args = {"--ordered",         "-f", "tsv", "--no-progress", "-j", "8",
                                   server.url("/never")};
  for (int i = 0; i < 5; ++i) args.push_back(server.url("/ok?i=" + std::to_string(i)));
  ChildProcess child = start_fetch(args);
  child.close_stdin();
  EXPECT_TRUE(eventually([&] { return ok_requests() == 5; }, 10s));
  std::this_thread::sleep_for(200ms);
  child.send_signal(SIGINT);
  const ProcessResult result = child.wait(10s);
  EXPECT_EQ(result.exit_code, 130) << describe(result);
  const std::vector<TsvRecord> records = parse_tsv(result.out);
  ASSERT_EQ(records.size(), 5u) << describe(result);
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["line"], std::to_string(i + 2));  // line 1 never finished
  }
}

}  // namespace
}  // namespace fetch::test
