// URL line sources: trimming, and regular files read with read(2).
#include "fetch/input/line_source.hpp"

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

#include "input_helpers.hpp"

namespace fetch {
namespace {

namespace asio = boost::asio;
using namespace std::string_literals;
using namespace std::chrono_literals;
using namespace test_input;

// --- url_text_of -----------------------------------------------------------------------

TEST(UrlTextOf, TrimsAndSkips) {
  EXPECT_EQ(url_text_of("http://a/"), "http://a/");
  EXPECT_EQ(url_text_of("  \thttp://a/ \t\r"), "http://a/");
  EXPECT_EQ(url_text_of("http://a/\r"), "http://a/");
  EXPECT_EQ(url_text_of("http://a/ b"), "http://a/ b");  // inner spaces are parse_target's business
  EXPECT_EQ(url_text_of(""), std::nullopt);
  EXPECT_EQ(url_text_of("   \t\r"), std::nullopt);
  EXPECT_EQ(url_text_of("# a comment"), std::nullopt);
  EXPECT_EQ(url_text_of("   # indented comment"), std::nullopt);
  EXPECT_EQ(url_text_of("http://a/#fragment"), "http://a/#fragment");
  EXPECT_EQ(url_text_of("x\0y"s), "x\0y"s);
}

// --- files -----------------------------------------------------------------------------

TEST(FileSource, CommentsBlankLinesAndCrlf) {
  const auto lines = read_file(
      "# list of URLs\r\n"
      "http://a/\r\n"
      "\r\n"
      "   \n"
      "  http://b/  \n"
      "#http://skipped/\n"
      "\thttp://c/\t\r\n");
  ASSERT_EQ(lines.size(), 3u);
  expect_line(lines[0], 2, "http://a/");
  expect_line(lines[1], 5, "http://b/");
  expect_line(lines[2], 7, "http://c/");
}

TEST(FileSource, LastLineWithoutNewline) {
  const auto lines = read_file("http://a/\n\nhttp://b/");
  ASSERT_EQ(lines.size(), 2u);
  expect_line(lines[0], 1, "http://a/");
  expect_line(lines[1], 3, "http://b/");
}

TEST(FileSource, LastLineWithoutNewlineCrOnly) {
  const auto lines = read_file("http://a/\r");
  ASSERT_EQ(lines.size(), 1u);
  expect_line(lines[0], 1, "http://a/");
}

TEST(FileSource, EmptyAndBlankFiles) {
  EXPECT_TRUE(read_file("").empty());
  EXPECT_TRUE(read_file("\n\n\n").empty());
  EXPECT_TRUE(read_file("# only a comment").empty());
}

TEST(FileSource, Utf8ByteOrderMarkIsIgnored) {
  const auto lines = read_file("\xEF\xBB\xBFhttp://a/\n\xEF\xBB\xBFhttp://b/\n");
  ASSERT_EQ(lines.size(), 2u);
  expect_line(lines[0], 1, "http://a/");
  expect_line(lines[1], 2, "\xEF\xBB\xBFhttp://b/");  // only at the start of the file
}

TEST(FileSource, LongLineIsCutFlaggedAndTheNextLineSurvives) {
  const std::string huge = "http://a/" + std::string(1024 * 1024, 'x');
  const auto lines = read_file("http://first/\n" + huge + "\nhttp://after/\n# c\nhttp://last/");
  ASSERT_EQ(lines.size(), 4u);
  expect_line(lines[0], 1, "http://first/");
  EXPECT_EQ(lines[1].number, 2u);
  EXPECT_TRUE(lines[1].too_long);
  EXPECT_EQ(lines[1].text.size(), kMaxLineLength);
  EXPECT_EQ(lines[1].text, huge.substr(0, kMaxLineLength));
  expect_line(lines[2], 3, "http://after/");
  expect_line(lines[3], 5, "http://last/");
}

TEST(FileSource, LineOfExactlyTheLimitIsNotTooLong) {
  const std::string exact(kMaxLineLength, 'y');
  const auto lines = read_file(exact + "\n" + exact + "z\n");
  ASSERT_EQ(lines.size(), 2u);
  expect_line(lines[0], 1, exact);
  expect_line(lines[1], 2, exact, true);
}

TEST(FileSource, LongCommentIsSkippedAndLongLastLineCounts) {
  const std::string long_comment = "#" + std::string(200 * 1024, 'c');
  const std::string long_last = std::string(100 * 1024, 'z');
  const auto lines = read_file(long_comment + "\nhttp://a/\n" + long_last);
  ASSERT_EQ(lines.size(), 2u);
  expect_line(lines[0], 2, "http://a/");
  EXPECT_EQ(lines[1].number, 3u);
  EXPECT_TRUE(lines[1].too_long);
  EXPECT_EQ(lines[1].text.size(), kMaxLineLength);
}

TEST(FileSource, NulAndBinaryBytesDoNotCrash) {
  const std::string binary = "http://a/\0b\n\xff\xfe\x01\x02\n\0\0\0\nhttp://ok/\n"s;
  const auto lines = read_file(binary);
  ASSERT_EQ(lines.size(), 4u);
  expect_line(lines[0], 1, "http://a/\0b"s);
  expect_line(lines[1], 2, "\xff\xfe\x01\x02");
  // A line of NULs is not blank: it is reported, and parse_target will reject it.
  expect_line(lines[2], 3, "\0\0\0"s);
  expect_line(lines[3], 4, "http://ok/");
}

TEST(FileSource, ManyLinesAcrossReadBuffers) {
  std::string contents;
  for (int i = 1; i <= 20000; ++i)
    contents += "http://host/" + std::to_string(i) + (i % 2 ? "\n" : "\r\n");
  const auto lines = read_file(contents);
  ASSERT_EQ(lines.size(), 20000u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(lines[i].number, i + 1);
    ASSERT_EQ(lines[i].text, "http://host/" + std::to_string(i + 1));
  }
}

TEST(FileSource, EndIsSticky) {
  TempFile file("http://a/");
  asio::io_context ioc;
  auto source = open_line_source(ioc.get_executor(), file.path());
  EXPECT_EQ(read_all(ioc, *source).size(), 1u);
  ioc.restart();
  EXPECT_TRUE(read_all(ioc, *source).empty());
}

TEST(OpenLineSource, MissingFileThrowsWithErrno) {
  asio::io_context ioc;
  try {
    (void)open_line_source(ioc.get_executor(), "/nonexistent/fetch/urls.txt");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::error_code(ENOENT, std::generic_category()));
    EXPECT_NE(std::string(e.what()).find("/nonexistent/fetch/urls.txt"), std::string::npos);
  }
}

TEST(OpenLineSource, DirectoryThrows) {
  asio::io_context ioc;
  try {
    (void)open_line_source(ioc.get_executor(), "/");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::error_code(EISDIR, std::generic_category()));
  }
}

}  // namespace
}  // namespace fetch
