// The sparse histogram against the dense one: the same statistics, the same JSON text, the
// same refusals, exact merging, and memory that grows with distinct buckets only.
#include "fetch/stats/sparse_histogram.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "fetch/stats/histogram.hpp"

namespace fetch::stats {
namespace {

namespace json = boost::json;

constexpr double kQuantiles[] = {0, 0.001, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1};

std::vector<std::uint64_t> values(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> out(n);
  for (auto& value : out) value = rng() >> (rng() % 64);  // every bucket size, and overflow
  return out;
}

void expect_same(const SparseHistogram& sparse, const Histogram& dense) {
  EXPECT_EQ(sparse.count(), dense.count());
  EXPECT_EQ(sparse.overflow_count(), dense.overflow_count());
  EXPECT_EQ(sparse.min(), dense.min());
  EXPECT_EQ(sparse.max(), dense.max());
  EXPECT_EQ(sparse.mean(), dense.mean());
  EXPECT_EQ(sparse.stddev(), dense.stddev());
  for (double q : kQuantiles) EXPECT_EQ(sparse.quantile(q), dense.quantile(q)) << q;
  EXPECT_EQ(json::serialize(sparse.to_json()), json::serialize(dense.to_json()));
}

TEST(StatsSparseHistogram, EmptyIsLikeTheDenseOne) {
  expect_same(SparseHistogram{}, Histogram{});
  EXPECT_EQ(SparseHistogram{}.bucket_count(), 0u);
}

TEST(StatsSparseHistogram, EveryStatisticAndTheJsonMatchTheDenseHistogram) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    SparseHistogram sparse;
    Histogram dense;
    for (std::uint64_t value : values(5000, seed)) {
      sparse.record(value);
      dense.record(value);
    }
    expect_same(sparse, dense);
  }
}

TEST(StatsSparseHistogram, KeepsOnlyDistinctBuckets) {
  SparseHistogram sparse;
  for (int i = 0; i < 10000; ++i) sparse.record(1500 + i % 3);  // three exact buckets
  EXPECT_EQ(sparse.bucket_count(), 3u);
  EXPECT_EQ(sparse.count(), 10000u);
  for (int i = 0; i < 100; ++i) sparse.record(3'000'000 + static_cast<std::uint64_t>(i));
  EXPECT_LE(sparse.bucket_count(), 3u + 100u);
  EXPECT_GE(sparse.bucket_count(), 4u);
}

TEST(StatsSparseHistogram, MergingEqualsRecordingEverything) {
  const auto a = values(3000, 7);
  const auto b = values(2000, 8);
  SparseHistogram left, right, all;
  Histogram dense;
  for (auto v : a) left.record(v), all.record(v), dense.record(v);
  for (auto v : b) right.record(v), all.record(v), dense.record(v);
  SparseHistogram merged = left;
  merged.merge(right);
  EXPECT_EQ(merged, all);
  expect_same(merged, dense);
  merged.merge(SparseHistogram{});
  EXPECT_EQ(merged, all);
}

TEST(StatsSparseHistogram, ReadsWhatEitherFormWrote) {
  Histogram dense;
  SparseHistogram sparse;
  for (auto v : values(1000, 11)) dense.record(v), sparse.record(v);
  auto from_dense = SparseHistogram::from_json(dense.to_json());
  ASSERT_TRUE(std::holds_alternative<SparseHistogram>(from_dense));
  EXPECT_EQ(std::get<SparseHistogram>(from_dense), sparse);
  auto back = Histogram::from_json(sparse.to_json());
  ASSERT_TRUE(std::holds_alternative<Histogram>(back));
  EXPECT_EQ(std::get<Histogram>(back), dense);
}

TEST(StatsSparseHistogram, RefusesWhatTheDenseReaderRefuses) {
  Histogram dense;
  for (auto v : values(50, 12)) dense.record(v);
  const json::object good = dense.to_json().as_object();
  std::vector<json::object> bad(6, good);
  bad[0]["count"] = 1;
  bad[1]["buckets"] = json::array{json::array{5, 0}};
  bad[2]["version"] = 2;
  bad[3]["sum"] = "1";
  bad[4]["min"] = dense.max() + 1;
  bad[5].erase("buckets");
  for (const json::object& object : bad) {
    const auto sparse = SparseHistogram::from_json(object);
    const auto reference = Histogram::from_json(object);
    ASSERT_TRUE(std::holds_alternative<std::string>(sparse)) << json::serialize(object);
    ASSERT_TRUE(std::holds_alternative<std::string>(reference));
    EXPECT_EQ(std::get<std::string>(sparse), std::get<std::string>(reference));
  }
  EXPECT_TRUE(std::holds_alternative<std::string>(SparseHistogram::from_json(json::array{})));
}

TEST(StatsSparseHistogram, TheTextFormIsTheSerializedJsonOfBoth) {
  Histogram dense;
  SparseHistogram sparse;
  std::string empty_dense, empty_sparse;
  dense.append_json(empty_dense);
  sparse.append_json(empty_sparse);
  EXPECT_EQ(empty_dense, json::serialize(dense.to_json()));
  EXPECT_EQ(empty_sparse, json::serialize(sparse.to_json()));
  for (auto v : values(2000, 21)) dense.record(v), sparse.record(v);
  std::string dense_text = "prefix:";
  std::string sparse_text;
  dense.append_json(dense_text);
  sparse.append_json(sparse_text);
  EXPECT_EQ(dense_text, "prefix:" + json::serialize(dense.to_json()));
  EXPECT_EQ(sparse_text, json::serialize(dense.to_json()));
}

TEST(StatsSparseHistogram, QuantileRejectsOutOfRange) {
  SparseHistogram sparse;
  sparse.record(5);
  EXPECT_THROW((void)sparse.quantile(1.5), std::invalid_argument);
  EXPECT_THROW((void)sparse.quantile(-0.1), std::invalid_argument);
}

}  // namespace
}  // namespace fetch::stats
