// Per-pass samples in constant memory: kept whole until full, then thinned evenly.
#include "fetch/stats/strided_samples.hpp"

#include <gtest/gtest.h>

namespace fetch::stats {
namespace {

TEST(StatsStridedSamples, KeepsEveryPassUntilFull) {
  StridedSamples<int> samples(8);
  for (int pass = 0; pass < 8; ++pass) samples.add(static_cast<std::uint64_t>(pass), pass * 10);
  EXPECT_EQ(samples.entries().size(), 8u);
  EXPECT_EQ(samples.stride(), 1u);
}

TEST(StatsStridedSamples, ThinsEvenlyOverALongRun) {
  StridedSamples<int> samples(8);
  for (std::uint64_t pass = 0; pass < 1000; ++pass) samples.add(pass, 1);
  EXPECT_LE(samples.entries().size(), 8u);
  EXPECT_GE(samples.entries().size(), 4u);
  // Spread over the whole run, not only its start: the last kept pass is in the last stride.
  EXPECT_GT(samples.entries().back().first + samples.stride(), 999u);
  for (const auto& [pass, value] : samples.entries()) EXPECT_EQ(pass % samples.stride(), 0u);
}

TEST(StatsStridedSamples, MergeUsesTheCoarserStrideAndStaysBounded) {
  StridedSamples<int> a(8);
  StridedSamples<int> b(8);
  for (std::uint64_t pass = 0; pass < 6; ++pass) a.add(pass, 1);
  for (std::uint64_t pass = 0; pass < 40; ++pass) b.add(pass, 2);
  a.merge(b);
  EXPECT_LE(a.entries().size(), 8u);
  EXPECT_GE(a.stride(), b.stride());
  for (std::size_t i = 1; i < a.entries().size(); ++i) {
    EXPECT_LE(a.entries()[i - 1].first, a.entries()[i].first);
  }
}

TEST(StatsStridedSamples, ManyValuesOfOnePassAreCutToCapacity) {
  StridedSamples<int> a(4);
  for (int i = 0; i < 10; ++i) a.add(0, i);
  EXPECT_EQ(a.entries().size(), 4u);
  EXPECT_EQ(a.entries().front().second, 0);
}

}  // namespace
}  // namespace fetch::stats
