// choose_output and the console sink, on pipes, temp files and a pseudo-terminal.

#include "fetch/report/sink.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "fetch/report/fd_output.hpp"
#include "fetch/report/formats.hpp"
#include "pipe.hpp"
#include "support/pty.hpp"

namespace fetch {
namespace {

// --- choose_output ---------------------------------------------------------------------------

OutputPreferences with(OutputFormat format, ColourMode colour, bool progress = true,
                       bool quiet = false) {
  OutputPreferences options;
  options.format = format;
  options.colour = colour;
  options.progress = progress;
  options.quiet = quiet;
  return options;
}

TEST(ChooseOutput, AutomaticFormatFollowsStdout) {
  const OutputPreferences options = with(OutputFormat::automatic, ColourMode::automatic);
  EXPECT_EQ(choose_output(options, true, true, false).format, OutputFormat::text);
  EXPECT_EQ(choose_output(options, false, true, false).format, OutputFormat::tsv);
  EXPECT_EQ(choose_output(options, false, false, false).format, OutputFormat::tsv);
}

TEST(ChooseOutput, ExplicitFormatIsKept) {
  for (const auto format : {OutputFormat::text, OutputFormat::tsv, OutputFormat::json}) {
    for (const bool tty : {false, true}) {
      EXPECT_EQ(choose_output(with(format, ColourMode::automatic), tty, tty, false).format, format);
    }
  }
}

TEST(ChooseOutput, ColourMatrix) {
  struct Case {
    OutputFormat format;
    ColourMode colour;
    bool stdout_tty;
    bool no_colour_env;
    bool expected;
  };
  const Case cases[] = {
      {OutputFormat::automatic, ColourMode::automatic, true, false, true},
      {OutputFormat::automatic, ColourMode::automatic, true, true, false},    // NO_COLOR
      {OutputFormat::automatic, ColourMode::automatic, false, false, false},  // pipe -> tsv
      {OutputFormat::text, ColourMode::automatic, false, false, false},       // text to a pipe
      {OutputFormat::text, ColourMode::automatic, true, false, true},
      {OutputFormat::text, ColourMode::always, false, false, true},
      {OutputFormat::text, ColourMode::always, false, true, true},  // always beats NO_COLOR
      {OutputFormat::text, ColourMode::never, true, false, false},
      {OutputFormat::automatic, ColourMode::never, true, false, false},
      {OutputFormat::tsv, ColourMode::always, true, false, false},   // never in tsv
      {OutputFormat::json, ColourMode::always, true, false, false},  // never in json
      {OutputFormat::tsv, ColourMode::automatic, true, false, false},
      {OutputFormat::automatic, ColourMode::always, false, false, false},  // -> tsv
  };
  for (const auto& c : cases) {
    const auto choice =
        choose_output(with(c.format, c.colour), c.stdout_tty, true, c.no_colour_env);
    EXPECT_EQ(choice.colour, c.expected)
        << "format " << static_cast<int>(c.format) << " colour " << static_cast<int>(c.colour)
        << " tty " << c.stdout_tty << " NO_COLOR " << c.no_colour_env;
  }
}

TEST(ChooseOutput, ProgressMatrix) {
  const auto progress = [](bool stderr_tty, bool option, bool quiet) {
    return choose_output(with(OutputFormat::automatic, ColourMode::automatic, option, quiet), false,
                         stderr_tty, false)
        .progress;
  };
  EXPECT_TRUE(progress(true, true, false));
  EXPECT_FALSE(progress(false, true, false));
  EXPECT_FALSE(progress(true, false, false));
  EXPECT_FALSE(progress(true, true, true));
  // stdout being a terminal does not matter.
  EXPECT_TRUE(choose_output(with(OutputFormat::automatic, ColourMode::automatic), true, true, false)
                  .progress);
}

TEST(NoColourRequested, ReadsNonEmptyNoColor) {
  const char* saved = std::getenv("NO_COLOR");
  const std::string saved_value = saved ? saved : "";
  ::unsetenv("NO_COLOR");
  EXPECT_FALSE(no_colour_requested());
  ::setenv("NO_COLOR", "", 1);
  EXPECT_FALSE(no_colour_requested());
  ::setenv("NO_COLOR", "1", 1);
  EXPECT_TRUE(no_colour_requested());
  if (saved) {
    ::setenv("NO_COLOR", saved_value.c_str(), 1);
  } else {
    ::unsetenv("NO_COLOR");
  }
}

// --- console sink ----------------------------------------------------------------------------

using test::Pipe;

Result result(std::uint64_t line, unsigned status) {
  Result r;
  r.line = line;
  r.url = "https://example.com/" + std::to_string(line);
  r.final_url = r.url;
  r.status = status;
  r.bytes = 100 * line;
  r.timings.total_ms = 10.0 * static_cast<double>(line);
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string::size_type start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// What the scheduler does with each result: count it into the run's summary, then report it.
void report(Summary& run, Sink& sink, const Result& result) {
  run.add(result);
  sink.on_result(result);
}

Summary summary_of(unsigned n) {
  Summary s;
  for (unsigned i = 1; i <= n; ++i) s.add(result(i, i % 4 == 0 ? 404 : 200));
  s.elapsed_s = 1.0;
  return s;
}

TEST(ConsoleSink, WritesOneTsvLinePerResultAndSummaryToStderr) {
  Pipe out;
  Pipe err;
  const unsigned n = 25;
  {
    Summary run;
    auto sink = make_console_sink({OutputFormat::tsv, false, false}, false, run, out.write_end,
                                  err.write_end);
    for (unsigned i = 1; i <= n; ++i) {
      run.in_flight = 3;
      sink->on_progress();
      report(run, *sink, result(i, i % 4 == 0 ? 404 : 200));
    }
    EXPECT_FALSE(sink->closed());
    run = summary_of(n);
    sink->on_finish();
  }
  const auto lines = lines_of(out.read_all());
  ASSERT_EQ(lines.size(), n);
  for (unsigned i = 0; i < n; ++i) {
    EXPECT_EQ(lines[i] + '\n', format_tsv(result(i + 1, (i + 1) % 4 == 0 ? 404 : 200)));
  }
  EXPECT_EQ(err.read_all(), format_summary(summary_of(n)));
}

TEST(ConsoleSink, JsonLinesParse) {
  Pipe out;
  Pipe err;
  {
    Summary run;
    auto sink = make_console_sink({OutputFormat::json, false, false}, true, run, out.write_end,
                                  err.write_end);
    for (unsigned i = 1; i <= 5; ++i) report(run, *sink, result(i, 200));
    run = summary_of(5);
    sink->on_finish();
  }
  const auto lines = lines_of(out.read_all());
  ASSERT_EQ(lines.size(), 5u);
  for (const auto& line : lines) {
    boost::json::error_code ec;
    const auto value = boost::json::parse(line, ec);
    EXPECT_FALSE(ec) << line;
    EXPECT_TRUE(value.is_object());
  }
}

TEST(ConsoleSink, WriteOutReplacesTheRecord) {
  Pipe out;
  Pipe err;
  std::string error;
  std::optional<WriteOut> write_out = WriteOut::compile("%{line} %{http_code}\\n", error);
  ASSERT_TRUE(write_out) << error;
  {
    Summary run;
    auto sink = make_console_sink({OutputFormat::json, false, false}, true, run,
                                  ConsoleExtras{write_out}, out.write_end, err.write_end);
    for (unsigned i = 1; i <= 3; ++i) report(run, *sink, result(i, i == 2 ? 404 : 200));
    run = summary_of(3);
    sink->on_finish();
  }
  EXPECT_EQ(out.read_all(), "1 200\n2 404\n3 200\n");
}

TEST(ConsoleSink, QuietPrintsNoSummary) {
  Pipe out;
  Pipe err;
  {
    Summary run;
    auto sink = make_console_sink({OutputFormat::tsv, false, false}, true, run, out.write_end,
                                  err.write_end);
    report(run, *sink, result(1, 200));
    run = summary_of(1);
    sink->on_finish();
  }
  EXPECT_EQ(lines_of(out.read_all()).size(), 1u);
  EXPECT_EQ(err.read_all(), "");
}

TEST(ConsoleSink, TextFormatHonoursColourChoice) {
  Pipe out;
  Pipe err;
  {
    Summary run;
    auto sink = make_console_sink({OutputFormat::text, false, false}, true, run, out.write_end,
                                  err.write_end);
    report(run, *sink, result(1, 200));
    run = summary_of(1);
    sink->on_finish();
  }
  EXPECT_EQ(out.read_all(), format_text(result(1, 200), false));
}

TEST(ConsoleSink, RegularFileIsBatchedAndFlushedAtFinish) {
  char name[] = "/tmp/fetch-sink-test-XXXXXX";
  const int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  ::unlink(name);
  Pipe err;
  Summary run;
  auto sink = make_console_sink({OutputFormat::tsv, false, false}, true, run, fd, err.write_end);
  for (unsigned i = 1; i <= 10; ++i) report(run, *sink, result(i, 200));
  struct stat st {};
  ::fstat(fd, &st);
  EXPECT_EQ(st.st_size, 0);  // batched
  run = summary_of(10);
  sink->on_finish();
  ::fstat(fd, &st);
  std::string contents(static_cast<std::size_t>(st.st_size), '\0');
  ASSERT_EQ(::pread(fd, contents.data(), contents.size(), 0),
            static_cast<ssize_t>(contents.size()));
  EXPECT_EQ(lines_of(contents).size(), 10u);
  sink.reset();
  ::close(fd);
}

TEST(ConsoleSink, ClosedOnceStdoutReaderIsGone) {
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  Pipe out;
  Pipe err;
  out.close_read();
  {
    Summary run;
    auto sink = make_console_sink({OutputFormat::tsv, false, false}, false, run, out.write_end,
                                  err.write_end);
    EXPECT_FALSE(sink->closed());
    report(run, *sink, result(1, 200));
    EXPECT_TRUE(sink->closed());
    report(run, *sink, result(2, 200));  // dropped quietly
    run = summary_of(2);
    sink->on_finish();
  }
  EXPECT_EQ(err.read_all(), format_summary(summary_of(2)));  // stderr still works
  std::signal(SIGPIPE, previous);
}

using test::Pty;

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(ConsoleSink, ProgressIsClearedBeforeEachResultOnTheSameTerminal) {
  Pty pty;
  ASSERT_TRUE(is_terminal(pty.slave));
  const std::string erase = "\r\x1b[2K";
  const unsigned n = 5;
  {
    Summary run;
    auto sink =
        make_console_sink({OutputFormat::tsv, false, true}, false, run, pty.slave, pty.slave);
    run.in_flight = 4;
    sink->on_progress();
    for (unsigned i = 1; i <= n; ++i) {
      report(run, *sink, result(i, 200));
      run.in_flight = 4 - std::min(i, 4u);
      sink->on_progress();
    }
    run = summary_of(n);
    sink->on_finish();
  }
  const std::string screen = pty.read_available();
  for (unsigned i = 1; i <= n; ++i) {
    const std::string line = format_tsv(result(i, 200));
    const auto at = screen.find(line);
    ASSERT_NE(at, std::string::npos) << i;
    ASSERT_GE(at, erase.size());
    EXPECT_EQ(screen.substr(at - erase.size(), erase.size()), erase) << "result " << i;
  }
  // The summary replaces the progress line, which is not left behind.
  const std::string summary = format_summary(summary_of(n));
  ASSERT_GE(screen.size(), erase.size() + summary.size());
  EXPECT_EQ(screen.substr(screen.size() - summary.size() - erase.size()), erase + summary);
  EXPECT_GE(count(screen, " done  "), 1u);
}

TEST(ConsoleSink, ProgressNeverReachesPipedStdout) {
  Pty pty;
  Pipe out;
  {
    Summary run;
    auto sink =
        make_console_sink({OutputFormat::tsv, false, true}, false, run, out.write_end, pty.slave);
    for (unsigned i = 1; i <= 5; ++i) {
      run.in_flight = 2;
      sink->on_progress();
      report(run, *sink, result(i, 200));
    }
    run = summary_of(5);
    sink->on_finish();
  }
  const std::string data = out.read_all();
  EXPECT_EQ(data.find('\x1b'), std::string::npos);
  EXPECT_EQ(lines_of(data).size(), 5u);
  const std::string screen = pty.read_available();
  EXPECT_NE(screen.find(" done  "), std::string::npos);
  EXPECT_EQ(screen.substr(screen.size() - format_summary(summary_of(5)).size()),
            format_summary(summary_of(5)));
}

// The progress line's timer: it keeps drawing while no result comes (the last URLs of a run
// pending), with the time moving on, and stops at the end of the run.
TEST(ConsoleSink, ProgressIsRedrawnOnATimerUntilTheRunEnds) {
  Pty pty;
  boost::asio::io_context io;
  Summary run;
  run.expected = 5;
  run.in_flight = 1;
  for (unsigned i = 1; i <= 4; ++i) run.add(result(i, 200));
  auto sink =
      make_console_sink({OutputFormat::tsv, false, true}, true, run,
                        ConsoleExtras{std::nullopt, io.get_executor()}, pty.slave, pty.slave);
  io.run_for(std::chrono::milliseconds(650));
  const std::string waiting = pty.read_available();
  // About six draws at ten a second; three is a generous floor for a loaded machine.
  EXPECT_GE(count(waiting, "   4/5 done  80%"), 3u) << waiting;
  EXPECT_EQ(count(waiting, "\n"), 0u);

  run.add(result(5, 200));
  run.in_flight = 0;
  sink->on_result(result(5, 200));
  sink->on_finish();
  io.restart();
  io.run_for(std::chrono::milliseconds(300));
  const std::string after = pty.read_available();
  EXPECT_NE(after.find("   5/5 done  100%"), std::string::npos) << after;
  // Nothing is drawn after the line was erased at the end (-q: no summary either).
  EXPECT_EQ(after.substr(after.rfind("\r\x1b[2K")), "\r\x1b[2K") << after;
}

}  // namespace
}  // namespace fetch
