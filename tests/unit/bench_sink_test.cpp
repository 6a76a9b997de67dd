// The console sink at the end of a benchmark run: the percentile table and histogram go to
// stderr when it is a terminal (a pseudo-terminal here), never to a pipe, and never with -q.
#include <gtest/gtest.h>

#include <string>

#include "fetch/report/formats.hpp"
#include "fetch/report/sink.hpp"
#include "fetch/stats/run_stats.hpp"
#include "pipe.hpp"
#include "support/pty.hpp"

namespace fetch {
namespace {

using test::Pty;

Result ok_result(std::uint64_t line, double ms) {
  Result r;
  r.line = line;
  r.url = "http://a/" + std::to_string(line);
  r.final_url = r.url;
  r.status = 200;
  r.timings.total_ms = ms;
  r.timings.ttfb_ms = ms / 2;
  r.reused_connection = true;
  return r;
}

// Feeds a small benchmark through a console sink writing stderr to `err_fd`.
void run_benchmark(int out_fd, int err_fd, bool quiet, bool attach_stats) {
  stats::RunStats statistics;
  Summary run;
  if (attach_stats) run.stats = &statistics;
  auto sink = make_console_sink({OutputFormat::tsv, false, false}, quiet, run, out_fd, err_fd);
  for (std::uint64_t pass = 0; pass < 3; ++pass) {
    for (std::uint64_t line = 1; line <= 5; ++line) {
      const Result result = ok_result(line, 1.0 + static_cast<double>(line));
      run.add(result, RequestInfo{pass, 0, false});
      sink->on_result(result);
    }
    run.end_pass(pass, 0.01, true);
  }
  run.elapsed_s = 0.03;
  run.finish_counting(0.03);
  sink->on_finish();
}

TEST(BenchSink, TheTableAndHistogramGoToATerminal) {
  Pty pty;
  test::Pipe out;
  run_benchmark(out.write_end, pty.slave, false, true);
  const std::string screen = pty.read_available();
  EXPECT_NE(screen.find("15 URLs: 15 ok, 0 failed"), std::string::npos) << screen;
  EXPECT_NE(screen.find("latency ms"), std::string::npos) << screen;
  EXPECT_NE(screen.find("p99.9"), std::string::npos);
  EXPECT_NE(screen.find("total_ms distribution"), std::string::npos) << screen;
  EXPECT_NE(screen.find("3 complete passes"), std::string::npos) << screen;
  // The table comes after the summary line, and nothing of it reaches stdout.
  EXPECT_LT(screen.find("15 URLs"), screen.find("latency ms"));
  EXPECT_EQ(out.read_all().find("latency"), std::string::npos);
}

TEST(BenchSink, NoTableOnAPipeWithQuietOrWithoutStatistics) {
  {
    test::Pipe out;
    test::Pipe err;
    run_benchmark(out.write_end, err.write_end, false, true);
    EXPECT_EQ(err.read_all(), format_summary([] {
                Summary s;
                s.count = s.ok = 15;
                s.elapsed_s = 0.03;
                return s;
              }()));
  }
  {
    Pty pty;
    test::Pipe out;
    run_benchmark(out.write_end, pty.slave, true, true);
    EXPECT_EQ(pty.read_available(), "");
  }
  {
    Pty pty;
    test::Pipe out;
    run_benchmark(out.write_end, pty.slave, false, false);
    const std::string screen = pty.read_available();
    EXPECT_NE(screen.find("15 URLs"), std::string::npos);
    EXPECT_EQ(screen.find("latency ms"), std::string::npos) << "not a benchmark run: no table";
  }
}

}  // namespace
}  // namespace fetch
