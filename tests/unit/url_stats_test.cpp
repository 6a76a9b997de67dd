// One URL's block: requests wait in their compact form and are folded into histograms later;
// whatever was folded when, the block reads as if every request had gone straight into a
// UrlSummary. And the table of blocks: by line and URL, ordered, copied with its own text.
#include "fetch/stats/url_stats.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "fetch/stats/url_table.hpp"

namespace fetch::stats {
namespace {

// Request `i` of a URL: mostly fine, some with a new connection, every 7th a 404, and
// optionally every 9th a failure and every 11th a total beyond 32 bits (71 minutes).
Observation request(std::uint64_t i, bool with_odd_ones) {
  Observation o;
  o.pass = i;
  o.ok = i % 7 != 3;
  o.status = o.ok ? 200u : 404u;
  o.bytes = 100 + i;
  o.micros[static_cast<std::size_t>(Metric::total)] = 1000 + 37 * i;
  o.micros[static_cast<std::size_t>(Metric::ttfb)] = 400 + 11 * i;
  if (i % 4 == 0) o.micros[static_cast<std::size_t>(Metric::connect)] = 50 + i;
  if (with_odd_ones && i % 9 == 5) {
    o = Observation{};
    o.pass = i;
    o.error_stage = "read";
    o.error_code = "timeout";
  }
  if (with_odd_ones && i % 11 == 10) {
    o.micros[static_cast<std::size_t>(Metric::total)] = (std::uint64_t{1} << 33) + i;
  }
  return o;
}

struct FoldCase {
  std::uint64_t requests;
  bool odd_ones;
  std::uint64_t drops;
};

std::string fold_case_name(const testing::TestParamInfo<FoldCase>& info) {
  return std::to_string(info.param.requests) + "Requests" +
         (info.param.odd_ones ? "WithFailuresAndHugeValues" : "") +
         (info.param.drops ? std::to_string(info.param.drops) + "Drops" : "");
}

void PrintTo(const FoldCase& c, std::ostream* out) {
  *out << c.requests << " requests, " << c.drops << " drops" << (c.odd_ones ? ", odd ones" : "");
}

class UrlStatsFolding : public testing::TestWithParam<FoldCase> {};

TEST_P(UrlStatsFolding, ReadsAsIfEveryRequestWentStraightIntoHistograms) {
  const FoldCase c = GetParam();
  UrlStats block{7, "http://a/"};
  UrlSummary expected;
  for (std::uint64_t i = 0; i < c.requests; ++i) {
    const Observation o = request(i, c.odd_ones);
    block.add(o);
    expected.add(o);
    if (i < c.drops) block.add_dropped();
  }
  expected.counts.dropped = c.drops;
  EXPECT_EQ(block.summary(), expected);
  for (Metric metric : kMetrics) EXPECT_EQ(block.histogram(metric), expected.histogram(metric));
  // Reading does not change it; folding everything now does not either.
  EXPECT_EQ(block.summary(), expected);
  EXPECT_EQ(block.folded(), expected);
  EXPECT_EQ(block.summary(), expected);
}

INSTANTIATE_TEST_SUITE_P(Counts, UrlStatsFolding,
                         testing::Values(FoldCase{0, false, 0}, FoldCase{1, false, 0},
                                         FoldCase{1, false, 1},
                                         FoldCase{UrlStats::kRecent - 1, false, 0},
                                         FoldCase{UrlStats::kRecent, false, 0},
                                         FoldCase{UrlStats::kRecent + 1, false, 3},
                                         FoldCase{200, false, 0}, FoldCase{40, true, 0},
                                         FoldCase{300, true, 5}),
                         fold_case_name);

TEST(UrlStats, MergeEqualsOneBlockOfEveryRequest) {
  UrlStats one{1, "http://a/"}, left{1, "http://a/"}, right{1, "http://a/"};
  for (std::uint64_t i = 0; i < 50; ++i) {
    const Observation o = request(i, true);
    one.add(o);
    (i % 3 == 0 ? left : right).add(o);
  }
  left.add_dropped();
  one.add_dropped();
  left.merge(right);
  EXPECT_EQ(left.summary().counts, one.summary().counts);
  for (Metric metric : kMetrics) EXPECT_EQ(left.histogram(metric), one.histogram(metric));
  EXPECT_EQ(left.summary().samples.entries().size(), one.summary().samples.entries().size());
}

TEST(UrlStats, ACopyIsIndependent) {
  UrlStats block{1, "http://a/"};
  for (std::uint64_t i = 0; i < 20; ++i) block.add(request(i, false));
  UrlStats copy = block;
  block.add(request(20, false));
  EXPECT_EQ(copy.summary().counts.requests, 20u);
  EXPECT_EQ(block.summary().counts.requests, 21u);
  copy = block;
  EXPECT_EQ(copy, block);
}

TEST(UrlTable, LinesAndUrlsNameSeparateBlocks) {
  UrlTable table;
  table.entry(1, "http://a/").add(request(0, false));
  table.entry(1, "http://b/").add(request(1, false));  // another file's line 1
  table.entry(2, "http://a/").add(request(2, false));
  table.entry(1, "http://a/").add(request(3, false));
  const std::uint64_t far = std::uint64_t{1} << 40;
  table.entry(far, "http://far/").add(request(4, false));
  ASSERT_EQ(table.size(), 4u);
  ASSERT_NE(table.find(1, "http://a/"), nullptr);
  EXPECT_EQ(table.find(1, "http://a/")->summary().counts.requests, 2u);
  EXPECT_EQ(table.find(1, "http://c/"), nullptr);
  EXPECT_EQ(table.find(3, "http://a/"), nullptr);
  ASSERT_NE(table.find(far, "http://far/"), nullptr);
  std::vector<std::pair<std::uint64_t, std::string>> order;
  for (const UrlStats* block : table.by_line()) order.emplace_back(block->line, block->url);
  const std::vector<std::pair<std::uint64_t, std::string>> expected{
      {1, "http://a/"}, {1, "http://b/"}, {2, "http://a/"}, {far, "http://far/"}};
  EXPECT_EQ(order, expected);
}

TEST(UrlTable, KeepsItsOwnTextOfAnyLength) {
  auto table = std::make_unique<UrlTable>();
  const std::string long_url = "http://a/" + std::string(100'000, 'x');
  {
    std::string transient = "http://short/";
    table->entry(1, transient);
    transient.assign(transient.size(), '?');  // the caller's buffer is reused
  }
  for (std::uint64_t line = 2; line < 3000; ++line) {
    table->entry(line, "http://host/" + std::to_string(line));  // spans several text chunks
  }
  table->entry(3000, long_url);
  UrlTable copy = *table;
  table.reset();
  ASSERT_NE(copy.find(1, "http://short/"), nullptr);
  EXPECT_EQ(copy.find(1, "http://short/")->url, "http://short/");
  EXPECT_NE(copy.find(2999, "http://host/2999"), nullptr);
  ASSERT_NE(copy.find(3000, long_url), nullptr);
  EXPECT_EQ(copy.find(3000, long_url)->url.size(), long_url.size());
}

TEST(UrlTable, EqualWhateverOrderTheBlocksCameIn) {
  UrlTable forward, backward;
  for (std::uint64_t line = 1; line <= 50; ++line) forward.entry(line, "http://a/");
  for (std::uint64_t line = 50; line >= 1; --line) backward.entry(line, "http://a/");
  EXPECT_EQ(forward, backward);
  backward.entry(1, "http://a/").add(request(0, false));
  EXPECT_FALSE(forward == backward);
}

}  // namespace
}  // namespace fetch::stats
