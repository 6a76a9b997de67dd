// Counting the records a run will write, up front, for the progress line's total: the same
// lines LineSource reads as URL lines, by a pass that does not parse them.

#include "fetch/input/line_count.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "input_helpers.hpp"

namespace fetch {
namespace {

using test_input::read_file;
using test_input::TempFile;

struct CountCase {
  const char* label;
  std::string text;
  std::uint64_t expected;
};

void PrintTo(const CountCase& c, std::ostream* out) { *out << c.label; }

class CountUrlLines : public ::testing::TestWithParam<CountCase> {};

TEST_P(CountUrlLines, AgreesWithTheLineSource) {
  const CountCase& c = GetParam();
  EXPECT_EQ(count_url_lines(c.text), c.expected);
  EXPECT_EQ(read_file(c.text).size(), c.expected) << "the case itself is wrong";
}

const std::string kLong(kMaxLineLength, ' ');

INSTANTIATE_TEST_SUITE_P(
    Inputs, CountUrlLines,
    ::testing::Values(CountCase{"empty", "", 0}, CountCase{"one", "http://a/\n", 1},
                      CountCase{"no_final_newline", "http://a/\nhttp://b/", 2},
                      CountCase{"blank_lines", "\n \n\t\r\n", 0},
                      CountCase{"comments", "# one\n   # two\nhttp://a/\n#", 1},
                      CountCase{"crlf", "http://a/\r\nhttp://b/\r\n\r\n", 2},
                      CountCase{"anything_else_counts", "ftp://x\nnot a url\n", 2},
                      CountCase{"bom_then_comment", "\xEF\xBB\xBF# c\nhttp://a/\n", 1},
                      CountCase{"bom_alone", "\xEF\xBB\xBF", 0},
                      CountCase{"half_a_bom", "\xEF\xBB\n", 1},
                      CountCase{"half_a_bom_then_text", "\xEFxyz\n", 1},
                      CountCase{"bom_bytes_later", "# c\n\xEF\xBB\xBF\n", 1},
                      // Past kMaxLineLength a line is cut and reported as too long, unless what is
                      // kept of it is a comment.
                      CountCase{"longest_blank_line", kLong + "\n", 0},
                      CountCase{"too_long_blank_line", kLong + " \n", 1},
                      CountCase{"too_long_blank_last_line", kLong + " ", 1},
                      CountCase{"comment_within_the_kept_part",
                                kLong.substr(1) + "#" + kLong + "\n", 0},
                      CountCase{"comment_past_the_kept_part", kLong + "#\n", 1}),
    [](const ::testing::TestParamInfo<CountCase>& info) { return std::string(info.param.label); });

// Random bytes from the characters that matter, read both ways.
class CountUrlLinesRandom : public ::testing::TestWithParam<unsigned> {};

TEST_P(CountUrlLinesRandom, AgreesWithTheLineSource) {
  std::mt19937 rng(GetParam());
  const std::string alphabet = std::string(" \t\r\n\n#ab") + "\xEF\xBB\xBF";
  std::string text;
  const std::size_t size = rng() % 400;
  for (std::size_t i = 0; i < size; ++i) text += alphabet[rng() % alphabet.size()];
  EXPECT_EQ(count_url_lines(text), read_file(text).size()) << ::testing::PrintToString(text);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CountUrlLinesRandom, ::testing::Range(1u, 201u),
                         [](const ::testing::TestParamInfo<unsigned>& info) {
                           return "seed_" + std::to_string(info.param);
                         });

TEST(CountRecords, FilesAndUrlArguments) {
  // Larger than one read, so that lines straddle the reads.
  std::string big;
  for (int i = 0; i < 20000; ++i)
    big += i % 7 == 0 ? "# comment\n" : "http://a/" + std::to_string(i) + "\n";
  const TempFile file(big);
  const TempFile empty("");
  EXPECT_EQ(count_records({file.path()}), count_url_lines(big));
  EXPECT_EQ(count_records({"http://x/", file.path(), empty.path(), "https://y/"}),
            count_url_lines(big) + 2);
  EXPECT_EQ(count_records({}), 0u);
}

TEST(CountRecords, UnknownWhenAnInputCannotBeCountedCheaply) {
  const TempFile file("http://a/\n");
  EXPECT_FALSE(count_records({"/nonexistent/urls.txt"}));
  EXPECT_FALSE(count_records({file.path()}, /*max_bytes=*/5));
  // A named pipe: opened without waiting for a writer, and not counted.
  const std::string fifo = file.path() + ".fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(count_records({file.path(), fifo}));
  ::unlink(fifo.c_str());
}

}  // namespace
}  // namespace fetch
