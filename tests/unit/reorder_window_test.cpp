// The reorder window behind --ordered: release in ticket order whatever the completion order,
// a bounded number of tickets out, and what a stop leaves behind.

#include "fetch/run/reorder_window.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace fetch {
namespace {

Result result_for(std::uint64_t line) {
  Result r;
  r.line = line;
  return r;
}

std::vector<std::uint64_t> drain_ready(ReorderWindow& window) {
  std::vector<std::uint64_t> lines;
  while (const Result* ready = window.ready()) {
    lines.push_back(ready->line);
    window.pop();
  }
  return lines;
}

TEST(ReorderWindow, ReleasesOnlyOnceEveryEarlierTicketIsIn) {
  ReorderWindow window{8};
  EXPECT_EQ(window.ready(), nullptr);
  const auto a = window.take();
  const auto b = window.take();
  const auto c = window.take();
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(c, 2u);
  window.put(c, result_for(3));
  window.put(b, result_for(2));
  EXPECT_TRUE(drain_ready(window).empty()) << "the first line is still out";
  EXPECT_EQ(window.outstanding(), 3u);
  window.put(a, result_for(1));
  EXPECT_EQ(drain_ready(window), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(window.outstanding(), 0u);
  EXPECT_EQ(window.take(), 3u);  // tickets keep counting
}

TEST(ReorderWindow, FullWhileItsSizeIsOutAndFreedByReleases) {
  ReorderWindow window{3};
  std::vector<std::uint64_t> tickets;
  while (!window.full()) tickets.push_back(window.take());
  EXPECT_EQ(tickets.size(), 3u);
  // Later lines finishing frees nothing: the first still holds the window.
  window.put(tickets[2], result_for(3));
  window.put(tickets[1], result_for(2));
  EXPECT_TRUE(window.full());
  window.put(tickets[0], result_for(1));
  EXPECT_EQ(drain_ready(window).size(), 3u);
  EXPECT_FALSE(window.full());
}

TEST(ReorderWindow, AStopReleasesWhatFinishedInOrderSkippingTheRest) {
  ReorderWindow window{10};
  std::vector<std::uint64_t> tickets;
  for (int i = 0; i < 6; ++i) tickets.push_back(window.take());
  window.put(tickets[4], result_for(5));
  window.put(tickets[1], result_for(2));
  window.put(tickets[2], result_for(3));
  EXPECT_TRUE(drain_ready(window).empty());
  std::vector<std::uint64_t> lines;
  while (const Result* held = window.held()) {
    lines.push_back(held->line);
    window.pop();
  }
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{2, 3, 5}));
  EXPECT_EQ(window.outstanding(), 0u);
}

TEST(ReorderWindow, SizeGrowsWithConcurrency) {
  EXPECT_EQ(ReorderWindow::size_for(1), ReorderWindow::kMinimumSize);
  EXPECT_EQ(ReorderWindow::size_for(50), ReorderWindow::kMinimumSize);
  EXPECT_EQ(ReorderWindow::size_for(10000), 40000u);
  EXPECT_EQ(ReorderWindow{0}.size(), 1u);  // never a window nothing fits in
}

TEST(ReorderWindow, ResultsWaitingKeepTheirPlacesAsTheRingGrows) {
  // Far more tickets out than the first ring holds: it grows with results in it.
  ReorderWindow window{5000};
  std::vector<std::uint64_t> tickets;
  for (int i = 0; i < 3000; ++i) tickets.push_back(window.take());
  for (std::size_t i = 1; i < tickets.size(); i += 2) window.put(tickets[i], result_for(i + 1));
  for (int i = 0; i < 2000; ++i) tickets.push_back(window.take());
  for (std::size_t i = 0; i < tickets.size(); i += 2) window.put(tickets[i], result_for(i + 1));
  for (std::size_t i = 3001; i < tickets.size(); i += 2) window.put(tickets[i], result_for(i + 1));
  const std::vector<std::uint64_t> lines = drain_ready(window);
  ASSERT_EQ(lines.size(), 5000u);
  for (std::size_t i = 0; i < lines.size(); ++i) ASSERT_EQ(lines[i], i + 1);
}

// Any completion order within the window: every result comes out once, in input order, and
// never more than the window's size is out at once.
class ReorderWindowRandom : public ::testing::TestWithParam<unsigned> {};

TEST_P(ReorderWindowRandom, EveryResultOnceInOrder) {
  std::mt19937 rng(GetParam());
  const std::size_t size = 1 + rng() % 16;
  ReorderWindow window{size};
  std::vector<std::uint64_t> out;  // tickets taken, not yet put
  std::vector<std::uint64_t> released;
  const std::uint64_t lines = 500;
  std::uint64_t started = 0;
  while (released.size() < lines) {
    const bool start = started < lines && !window.full() && (out.empty() || rng() % 2 == 0);
    if (start) {
      EXPECT_EQ(window.take(), started);
      out.push_back(started++);
    } else {
      ASSERT_FALSE(out.empty());
      const std::size_t pick = rng() % out.size();
      window.put(out[pick], result_for(out[pick] + 1));
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(pick));
      for (std::uint64_t line : drain_ready(window)) released.push_back(line);
    }
    ASSERT_LE(window.outstanding(), size);
  }
  std::vector<std::uint64_t> expected(lines);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(released, expected);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReorderWindowRandom, ::testing::Range(1u, 21u),
                         [](const ::testing::TestParamInfo<unsigned>& info) {
                           return "seed_" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace fetch
