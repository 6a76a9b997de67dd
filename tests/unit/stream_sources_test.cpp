// URL line sources read asynchronously (pipes, stdin), arguments and concatenation.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "fetch/input/line_source.hpp"
#include "input_helpers.hpp"

namespace fetch {
namespace {

namespace asio = boost::asio;
using namespace std::string_literals;
using namespace std::chrono_literals;
using namespace test_input;

// --- pipes -----------------------------------------------------------------------------

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read_end >= 0) ::close(std::exchange(read_end, -1));
  }
  void close_write() {
    if (write_end >= 0) ::close(std::exchange(write_end, -1));
  }
  std::string path() const { return "/dev/fd/" + std::to_string(read_end); }
};

// Writes `chunks` to the pipe one at a time with a pause between them, then closes it.
asio::awaitable<void> write_slowly(Pipe& pipe, std::vector<std::string> chunks) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (const std::string& chunk : chunks) {
    timer.expires_after(5ms);
    (void)co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    EXPECT_EQ(::write(pipe.write_end, chunk.data(), chunk.size()),
              static_cast<ssize_t>(chunk.size()));
  }
  pipe.close_write();
}

TEST(PipeSource, ReadsAsynchronouslyWhileTheWriterIsSlow) {
  Pipe pipe;
  asio::io_context ioc;
  auto source = open_line_source(ioc.get_executor(), pipe.path());
  pipe.close_read();  // the source holds its own descriptor

  // Lines split across writes, CRLF split between the CR and the LF, no final newline.
  asio::co_spawn(ioc,
                 write_slowly(pipe, {"# comment\nhttp://a", "/\r", "\n\nhttp://b/\nhtt",
                                     "p://c/\r\n", "http://d/"}),
                 asio::detached);
  const auto lines = read_all(ioc, *source);
  ASSERT_EQ(lines.size(), 4u);
  expect_line(lines[0], 2, "http://a/");
  expect_line(lines[1], 4, "http://b/");
  expect_line(lines[2], 5, "http://c/");
  expect_line(lines[3], 6, "http://d/");
}

TEST(PipeSource, LongLineOverAPipe) {
  Pipe pipe;
  asio::io_context ioc;
  auto source = open_line_source(ioc.get_executor(), pipe.path());
  pipe.close_read();
  const std::string huge(300 * 1024, 'x');
  // Split into pieces smaller than the pipe buffer so that the writer never blocks.
  std::vector<std::string> chunks;
  const std::string all = "http://a/\n" + huge + "\nhttp://b/\n";
  for (std::size_t i = 0; i < all.size(); i += 16 * 1024)
    chunks.push_back(all.substr(i, 16 * 1024));
  asio::co_spawn(ioc, write_slowly(pipe, std::move(chunks)), asio::detached);
  const auto lines = read_all(ioc, *source);
  ASSERT_EQ(lines.size(), 3u);
  expect_line(lines[0], 1, "http://a/");
  EXPECT_EQ(lines[1].number, 2u);
  EXPECT_TRUE(lines[1].too_long);
  EXPECT_EQ(lines[1].text.size(), kMaxLineLength);
  expect_line(lines[2], 3, "http://b/");
}

TEST(PipeSource, EmptyPipe) {
  Pipe pipe;
  asio::io_context ioc;
  auto source = open_line_source(ioc.get_executor(), pipe.path());
  pipe.close_read();
  pipe.close_write();
  EXPECT_TRUE(read_all(ioc, *source).empty());
}

asio::awaitable<void> cancel_later(LineSource& source) {
  asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
  (void)co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  source.cancel();
}

TEST(PipeSource, CancelEndsAWaitingRead) {
  Pipe pipe;
  asio::io_context ioc;
  auto source = open_line_source(ioc.get_executor(), pipe.path());
  pipe.close_read();
  ASSERT_EQ(::write(pipe.write_end, "http://a/\nhttp://partial", 24), 24);
  // The writer stays open: without cancel() the read would wait for ever.
  asio::co_spawn(ioc, cancel_later(*source), asio::detached);
  const auto lines = read_all(ioc, *source);
  ASSERT_EQ(lines.size(), 1u);
  expect_line(lines[0], 1, "http://a/");
}

// Makes `pipe`'s read end standard input for the duration of open_line_source("-").
std::unique_ptr<LineSource> open_as_stdin(asio::io_context& ioc, const Pipe& pipe) {
  const int saved_stdin = ::dup(STDIN_FILENO);
  EXPECT_GE(saved_stdin, 0);
  EXPECT_EQ(::dup2(pipe.read_end, STDIN_FILENO), STDIN_FILENO);
  auto source = open_line_source(ioc.get_executor(), "-");
  EXPECT_EQ(::dup2(saved_stdin, STDIN_FILENO), STDIN_FILENO);
  ::close(saved_stdin);
  return source;
}

// Asio makes the descriptor it reads non-blocking. Standard input's own description (shared
// with stdout and stderr on a terminal) must never see that flag.
TEST(StdinSource, StdinIsNeverMadeNonBlocking) {
  Pipe pipe;
  const int before = ::fcntl(pipe.read_end, F_GETFL);
  ASSERT_EQ(before & O_NONBLOCK, 0);
  {
    asio::io_context ioc;
    auto source = open_as_stdin(ioc, pipe);
    Collected out;
    asio::co_spawn(ioc, drain(*source, out), asio::detached);
    ioc.run_for(20ms);  // a read is now waiting on the empty pipe
    EXPECT_FALSE(out.done);
    EXPECT_EQ(::fcntl(pipe.read_end, F_GETFL), before);

    ASSERT_EQ(::write(pipe.write_end, "http://a/\n", 10), 10);
    pipe.close_write();
    ioc.run_for(2s);
    EXPECT_TRUE(out.done);
    ASSERT_EQ(out.lines.size(), 1u);
    expect_line(out.lines[0], 1, "http://a/");
  }
  EXPECT_EQ(::fcntl(pipe.read_end, F_GETFL), before);
}

// A producer that finished before we opened standard input: the data is still read, and
// opening does not wait for a writer.
TEST(StdinSource, WriterAlreadyGone) {
  Pipe pipe;
  ASSERT_EQ(::write(pipe.write_end, "http://a/\nhttp://b/", 19), 19);
  pipe.close_write();
  asio::io_context ioc;
  auto source = open_as_stdin(ioc, pipe);
  const auto lines = read_all(ioc, *source);
  ASSERT_EQ(lines.size(), 2u);
  expect_line(lines[0], 1, "http://a/");
  expect_line(lines[1], 2, "http://b/");
}

TEST(StdinSource, RegularFileOnStdin) {
  TempFile file("# c\nhttp://a/\n");
  const int fd = ::open(file.path().c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  Pipe unused;
  ::close(unused.read_end);
  unused.read_end = fd;  // open_as_stdin takes any descriptor through Pipe::read_end
  asio::io_context ioc;
  auto source = open_as_stdin(ioc, unused);
  const auto lines = read_all(ioc, *source);
  ASSERT_EQ(lines.size(), 1u);
  expect_line(lines[0], 2, "http://a/");
}

// --- arguments and concatenation --------------------------------------------------------

TEST(ArgumentSource, NumbersArePositions) {
  asio::io_context ioc;
  auto source = make_argument_source({"http://a/", " http://b/ ", "", "#not-a-comment"});
  const auto lines = read_all(ioc, *source);
  ASSERT_EQ(lines.size(), 4u);
  expect_line(lines[0], 1, "http://a/");
  expect_line(lines[1], 2, "http://b/");
  expect_line(lines[2], 3, "");  // reported, so that the user hears about it
  expect_line(lines[3], 4, "#not-a-comment");
}

TEST(ArgumentSource, Empty) {
  asio::io_context ioc;
  auto source = make_argument_source({});
  EXPECT_TRUE(read_all(ioc, *source).empty());
}

TEST(ArgumentSource, LongArgumentIsCut) {
  asio::io_context ioc;
  auto source = make_argument_source({std::string(kMaxLineLength + 10, 'q')});
  const auto lines = read_all(ioc, *source);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].too_long);
  EXPECT_EQ(lines[0].text.size(), kMaxLineLength);
}

TEST(ConcatSources, ReadsEachInTurnKeepingTheirNumbers) {
  TempFile first("http://f1/\n\nhttp://f3/\n");
  TempFile second("# nothing here\n");
  TempFile third("http://t1/");
  asio::io_context ioc;
  std::vector<std::unique_ptr<LineSource>> sources;
  sources.push_back(make_argument_source({"http://arg1/", "http://arg2/"}));
  sources.push_back(open_line_source(ioc.get_executor(), first.path()));
  sources.push_back(open_line_source(ioc.get_executor(), second.path()));
  sources.push_back(make_argument_source({}));
  sources.push_back(open_line_source(ioc.get_executor(), third.path()));
  auto all = concat_sources(std::move(sources));
  const auto lines = read_all(ioc, *all);
  ASSERT_EQ(lines.size(), 5u);
  expect_line(lines[0], 1, "http://arg1/");
  expect_line(lines[1], 2, "http://arg2/");
  expect_line(lines[2], 1, "http://f1/");
  expect_line(lines[3], 3, "http://f3/");
  expect_line(lines[4], 1, "http://t1/");
  // Each line says which source it came from (--output-dir names files apart by it).
  std::vector<std::uint64_t> from;
  for (const InputLine& line : lines) from.push_back(line.source);
  EXPECT_EQ(from, (std::vector<std::uint64_t>{0, 0, 1, 1, 4}));
}

TEST(ConcatSources, NoSources) {
  asio::io_context ioc;
  auto all = concat_sources({});
  EXPECT_TRUE(read_all(ioc, *all).empty());
}

TEST(ConcatSources, CancelStopsEverything) {
  Pipe pipe;
  asio::io_context ioc;
  std::vector<std::unique_ptr<LineSource>> sources;
  sources.push_back(open_line_source(ioc.get_executor(), pipe.path()));
  sources.push_back(make_argument_source({"http://never/"}));
  pipe.close_read();
  auto all = concat_sources(std::move(sources));
  asio::co_spawn(ioc, cancel_later(*all), asio::detached);
  EXPECT_TRUE(read_all(ioc, *all).empty());
}

}  // namespace
}  // namespace fetch
