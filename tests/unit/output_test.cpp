// Output (write(2) with a flush policy) and the Progress line, on pipes and temp files.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include "fetch/report/fd_output.hpp"
#include "fetch/report/progress.hpp"
#include "pipe.hpp"
#include "support/pty.hpp"

namespace fetch {
namespace {

using test::Pipe;

// An unlinked regular temp file.
struct TempFile {
  int fd = -1;
  TempFile() {
    char name[] = "/tmp/fetch-output-test-XXXXXX";
    fd = ::mkstemp(name);
    EXPECT_GE(fd, 0);
    ::unlink(name);
  }
  ~TempFile() { ::close(fd); }
  off_t size() const {
    struct stat st {};
    ::fstat(fd, &st);
    return st.st_size;
  }
  std::string contents() const {
    std::string out(static_cast<std::size_t>(size()), '\0');
    EXPECT_EQ(::pread(fd, out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
    return out;
  }
};

TEST(Output, FlushEachLineWritesImmediately) {
  Pipe pipe;
  Output out(pipe.write_end, true);
  out.write("one\n");
  EXPECT_EQ(pipe.drain(), "one\n");
  out.write("two\n");
  EXPECT_EQ(pipe.drain(), "two\n");
  EXPECT_FALSE(out.broken());
}

TEST(Output, BatchesToRegularFileUntilFlush) {
  TempFile file;
  Output out(file.fd, false);
  out.write("a\tb\n");
  out.write("c\n");
  EXPECT_EQ(file.size(), 0);
  out.flush();
  EXPECT_EQ(file.contents(), "a\tb\nc\n");
  out.flush();  // nothing pending: no-op
  EXPECT_EQ(file.contents(), "a\tb\nc\n");
  EXPECT_FALSE(out.broken());
}

TEST(Output, BatchIsWrittenOnce64KiBAreBuffered) {
  TempFile file;
  Output out(file.fd, false);
  const std::string line(1000, 'x');
  std::string expected;
  while (expected.size() + line.size() < 64 * 1024) {
    out.write(line);
    expected += line;
  }
  EXPECT_EQ(file.size(), 0);
  out.write(line);  // crosses 64 KiB
  expected += line;
  EXPECT_EQ(file.contents(), expected);
}

TEST(Output, DestructorFlushes) {
  TempFile file;
  {
    Output out(file.fd, false);
    out.write("pending\n");
  }
  EXPECT_EQ(file.contents(), "pending\n");
}

TEST(Output, ClosedReaderMarksBrokenWithoutSignal) {
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  {
    Pipe pipe;
    pipe.close_read();
    Output out(pipe.write_end, true);
    out.write("nobody reads this\n");
    EXPECT_TRUE(out.broken());
    EXPECT_EQ(out.error(), EPIPE);
    out.write("dropped\n");  // silently dropped
    out.flush();
    EXPECT_TRUE(out.broken());
  }
  {
    Pipe pipe;
    pipe.close_read();
    Output out(pipe.write_end, false);
    out.write("buffered\n");
    EXPECT_FALSE(out.broken());
    out.flush();
    EXPECT_TRUE(out.broken());
    out.write("dropped\n");
  }  // the destructor has nothing left to write
  std::signal(SIGPIPE, previous);
}

TEST(Output, BadDescriptorMarksBroken) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  ::close(fds[1]);
  Output out(fds[1], true);
  out.write("x\n");
  EXPECT_TRUE(out.broken());
  EXPECT_EQ(out.error(), EBADF);
}

TEST(Output, LargeWriteToNonBlockingPipeIsComplete) {
  // Four times a pipe's buffer, written to a non-blocking descriptor: write(2) returns short
  // counts and EAGAIN, and Output must wait and carry on until every byte is through.
  Pipe pipe;
  ::fcntl(pipe.write_end, F_SETFL, O_NONBLOCK);
  const std::size_t size = 256 * 1024;
  std::size_t received = 0;
  std::thread reader([&pipe, &received] {
    ::fcntl(pipe.read_end, F_SETFL, 0);
    char buffer[8192];
    for (;;) {
      const ssize_t n = ::read(pipe.read_end, buffer, sizeof buffer);
      if (n <= 0) break;
      received += static_cast<std::size_t>(n);
      ::usleep(50);
    }
  });
  {
    Output out(pipe.write_end, true);
    out.write(std::string(size, 'y'));
    EXPECT_FALSE(out.broken()) << out.error();
  }
  pipe.close_write();
  reader.join();
  EXPECT_EQ(received, size);
}

TEST(Output, DescriptorKinds) {
  Pipe pipe;
  TempFile file;
  EXPECT_FALSE(is_terminal(pipe.write_end));
  EXPECT_TRUE(has_live_reader(pipe.write_end));
  EXPECT_FALSE(is_terminal(file.fd));
  EXPECT_FALSE(has_live_reader(file.fd));
  const int null_device = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  EXPECT_FALSE(has_live_reader(null_device));
  ::close(null_device);
  EXPECT_FALSE(is_terminal(-1));
  EXPECT_FALSE(has_live_reader(-1));
}

// --- Progress --------------------------------------------------------------------------------

Summary sample_summary(unsigned in_flight) {
  Summary s;
  s.count = 1234;
  s.ok = 1200;
  s.failed = 34;
  s.in_flight = in_flight;
  return s;
}

TEST(Progress, DrawsOneLineAndThrottles) {
  Pipe pipe;
  Output terminal(pipe.write_end, true);
  Summary run = sample_summary(50);
  Progress progress(terminal, run);
  progress.update();
  const std::string drawn = pipe.drain();
  EXPECT_EQ(drawn.rfind("\r\x1b[2K  1234 done  (1200 ok, 34 failed)  50 in flight  ", 0), 0u)
      << drawn;
  EXPECT_NE(drawn.find(" req/s  "), std::string::npos);
  EXPECT_EQ(drawn.back(), 's');
  EXPECT_EQ(drawn.find('\n'), std::string::npos);

  run.in_flight = 49;
  progress.update();  // within 100 ms: left to the timer
  EXPECT_EQ(pipe.drain(), "");
}

TEST(Progress, RedrawsAfterInterval) {
  Pipe pipe;
  Output terminal(pipe.write_end, true);
  Summary run = sample_summary(50);
  Progress progress(terminal, run);
  progress.update();
  pipe.drain();
  ::usleep(120 * 1000);
  run.in_flight = 7;
  progress.update();
  EXPECT_NE(pipe.drain().find("  7 in flight"), std::string::npos);
}

TEST(Progress, ClearOnlyWhenDrawn) {
  Pipe pipe;
  Output terminal(pipe.write_end, true);
  Summary run = sample_summary(50);
  Progress progress(terminal, run);
  progress.clear();
  EXPECT_EQ(pipe.drain(), "");
  progress.update();
  pipe.drain();
  progress.clear();
  EXPECT_EQ(pipe.drain(), "\r\x1b[2K");
  progress.clear();
  EXPECT_EQ(pipe.drain(), "");
}

TEST(Progress, AnErasedLineComesBackWithTheFiguresOfNow) {
  // The stale line of old: a result printed over the progress line, and the line redrawn
  // as it was before the result ("0 done ... 1 in flight").
  Pipe pipe;
  Output terminal(pipe.write_end, true);
  Summary run;
  run.in_flight = 1;
  Progress progress(terminal, run);
  progress.update();
  EXPECT_NE(pipe.drain().find("     0 done  (0 ok, 0 failed)  1 in flight"), std::string::npos);
  progress.clear();
  run.count = run.ok = 1;
  run.in_flight = 0;
  progress.update();  // at once, within the 100 ms
  const std::string drawn = pipe.drain();
  EXPECT_NE(drawn.find("     1 done  (1 ok, 0 failed)  0 in flight"), std::string::npos) << drawn;
}

TEST(Progress, TickAlwaysDrawsTheFiguresOfNow) {
  Pipe pipe;
  Output terminal(pipe.write_end, true);
  Summary run = sample_summary(3);
  Progress progress(terminal, run);
  progress.update();
  pipe.drain();
  run.in_flight = 2;
  progress.tick();
  EXPECT_NE(pipe.drain().find("  2 in flight"), std::string::npos);
}

TEST(Progress, CutToTheTerminalsWidth) {
  test::Pty pty{40};
  Output terminal(pty.slave, true);
  Summary run = sample_summary(50);
  Progress progress(terminal, run);
  progress.update();
  const std::string drawn = pty.read_available();
  EXPECT_EQ(drawn.size(), std::string_view("\r\x1b[2K").size() + 39) << drawn;
  EXPECT_EQ(drawn.rfind("\r\x1b[2K  1234 done", 0), 0u) << drawn;
}

TEST(ProgressText, WithoutATotal) {
  Summary run = sample_summary(50);
  EXPECT_EQ(progress_text(run, 2.0),
            "  1234 done  (1200 ok, 34 failed)  50 in flight  617.0 req/s  2.0 s");
}

TEST(ProgressText, WithATotalShowsThePercentageAndTheTimeLeft) {
  Summary run = sample_summary(50);
  run.expected = 10000;
  // 1234 in 1.234 s: 1000 a second, 8766 to go.
  EXPECT_EQ(progress_text(run, 1.234),
            "  1234/10000 done  12%  (1200 ok, 34 failed)  50 in flight  1000.0 req/s  1.2 s"
            "  ETA 9 s");
  run.expected = 1234 + 150'000;
  EXPECT_NE(progress_text(run, 1.234).find("  ETA 2m30s"), std::string::npos);
  run.expected = 1234 + 7'200'000;
  EXPECT_NE(progress_text(run, 1.234).find("  ETA 2h00m"), std::string::npos);
}

TEST(ProgressText, NeverAHundredPercentBeforeTheEndNorMoreThanAllAfter) {
  Summary run;
  run.count = run.ok = 9999;
  run.expected = 10000;
  EXPECT_NE(progress_text(run, 1).find(" 9999/10000 done  99%"), std::string::npos);
  run.count = run.ok = 10000;
  const std::string done = progress_text(run, 1);
  EXPECT_NE(done.find("10000/10000 done  100%"), std::string::npos) << done;
  EXPECT_EQ(done.find("ETA"), std::string::npos) << done;
  run.count = run.ok = 10005;  // the file grew while it was read
  EXPECT_NE(progress_text(run, 1).find("10005/10005 done  100%"), std::string::npos);
  run.count = run.ok = 0;  // nothing done yet: no rate, no ETA
  EXPECT_EQ(progress_text(run, 1).find("ETA"), std::string::npos);
}

}  // namespace
}  // namespace fetch
