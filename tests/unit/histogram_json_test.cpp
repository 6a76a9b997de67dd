// The histogram's JSON form: its exact text, round trips, merging shards read back from
// JSON, and the reader's refusals of inconsistent input (and that it never crashes).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "fetch/stats/histogram.hpp"

namespace fetch::stats {
namespace {

namespace json = boost::json;

Histogram random_histogram(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Histogram histogram;
  for (std::size_t i = 0; i < n; ++i) histogram.record(rng() >> (rng() % 64));
  return histogram;
}

Histogram read_back(const json::value& value) {
  auto result = Histogram::from_json(value);
  if (auto* reason = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << *reason;
    return {};
  }
  return std::get<Histogram>(std::move(result));
}

std::string refusal(const json::value& value) {
  auto result = Histogram::from_json(value);
  if (std::holds_alternative<Histogram>(result)) return "accepted";
  return std::get<std::string>(result);
}

TEST(StatsHistogramJson, TheFormatIsStable) {
  Histogram histogram;
  histogram.record(5);
  histogram.record(5);
  histogram.record(3000);  // bucket 1 (steps of 2): index 1024 + 1500
  EXPECT_EQ(json::serialize(histogram.to_json()),
            R"({"format":"fetch.histogram","version":1,"unit":"us","significant_digits":3,)"
            R"("max_trackable":4294967295,"count":3,"overflow":0,"min":5,"max":3000,)"
            R"("sum":"3010","sum_of_squares":"9000050","buckets":[[5,2],[2524,1]]})");
}

TEST(StatsHistogramJson, RoundTripsThroughText) {
  Histogram clamped;
  clamped.record(UINT64_MAX);
  clamped.record(3);
  for (const Histogram& histogram :
       {Histogram{}, random_histogram(1, 1), random_histogram(50'000, 2), clamped}) {
    const std::string text = json::serialize(histogram.to_json());
    const Histogram back = read_back(json::parse(text));
    EXPECT_EQ(back, histogram);
    EXPECT_EQ(json::serialize(back.to_json()), text);
    EXPECT_EQ(back.stddev(), histogram.stddev());
    EXPECT_EQ(back.quantile(0.999), histogram.quantile(0.999));
  }
}

TEST(StatsHistogramJson, ShardsReadBackMergeLikeOneHistogram) {
  std::mt19937_64 rng(3);
  Histogram whole, shards[4];
  for (int i = 0; i < 40'000; ++i) {
    const std::uint64_t value = rng() % 10'000'000;
    whole.record(value);
    shards[i % 4].record(value);
  }
  Histogram merged;
  for (const Histogram& shard : shards) {
    merged.merge(read_back(json::parse(json::serialize(shard.to_json()))));
  }
  EXPECT_EQ(merged, whole);
}

// A valid histogram's JSON with one change made to it.
json::value mutated(const std::function<void(json::object&)>& change) {
  Histogram histogram;
  for (std::uint64_t value : {5, 5, 3000, 70'000}) histogram.record(value);
  json::value value = histogram.to_json();
  change(value.as_object());
  return value;
}

TEST(StatsHistogramJson, RefusesInconsistentInput) {
  const std::vector<std::pair<std::function<void(json::object&)>, std::string>> cases = {
      {[](json::object& o) { o["format"] = "hdr"; }, "\"format\""},
      {[](json::object& o) { o["version"] = 2; }, "\"version\""},
      {[](json::object& o) { o["unit"] = "ns"; }, "\"unit\""},
      {[](json::object& o) { o["significant_digits"] = 2; }, "\"significant_digits\""},
      {[](json::object& o) { o["max_trackable"] = 1000; }, "\"max_trackable\""},
      {[](json::object& o) { o.erase("count"); }, "\"count\" is not"},
      {[](json::object& o) { o["count"] = 4.0; }, "\"count\" is not"},
      {[](json::object& o) { o["min"] = -5; }, "\"min\" is not"},
      {[](json::object& o) { o["count"] = 5; }, "do not add up"},
      {[](json::object& o) { o["sum"] = 3080; }, "\"sum\" is not a decimal"},
      {[](json::object& o) { o["sum"] = "03080"; }, "\"sum\" is not a decimal"},
      {[](json::object& o) { o["sum"] = "-3080"; }, "\"sum\" is not a decimal"},
      {[](json::object& o) { o["sum"] = std::string(40, '9'); }, "\"sum\" is not a decimal"},
      {[](json::object& o) { o["sum"] = "340282366920938463463374607431768211456"; },
       "\"sum\" is not a decimal"},  // 2^128
      {[](json::object& o) { o["sum"] = "73100"; }, "\"sum\" does not fit"},
      {[](json::object& o) { o["sum_of_squares"] = "1"; }, "\"sum_of_squares\" does not fit"},
      {[](json::object& o) { o["buckets"] = json::object{}; }, "not an array"},
      {[](json::object& o) { o["buckets"].as_array()[0] = json::array{5}; }, "pair"},
      {[](json::object& o) {
         o["buckets"].as_array()[0] = json::array{-1, 2};
       },
       "out of range"},
      {[](json::object& o) {
         o["buckets"].as_array()[0] = json::array{23552, 2};
       },
       "out of range"},
      {[](json::object& o) {
         o["buckets"].as_array()[0] = json::array{5, 0};
       },
       "positive"},
      {[](json::object& o) {
         o["buckets"].as_array()[1] = json::array{5, 1};
       },
       "increasing"},
      {[](json::object& o) { o["min"] = 4; }, "\"min\" is not in"},
      {[](json::object& o) { o["max"] = 80'000; }, "\"max\" is not in"},
      {[](json::object& o) { o["max"] = 4; }, "\"min\" is above"},
      {[](json::object& o) { o["overflow"] = 1; }, "\"overflow\""},
  };
  for (const auto& [change, expected] : cases) {
    const std::string reason = refusal(mutated(change));
    EXPECT_EQ(reason.rfind("histogram: ", 0), 0u) << reason;
    EXPECT_NE(reason.find(expected), std::string::npos) << reason << " (wanted " << expected << ")";
  }
  EXPECT_EQ(refusal(json::array{}), "histogram: not a JSON object");
}

TEST(StatsHistogramJson, RefusesSumsNoValuesCouldMake) {
  // Two values in one bucket [2048, 2049]: the sum fits the buckets (4096..4098) but
  // S2 = 2 * 2048^2 is below S1^2 / n for S1 = 4098 (the values would have to be imaginary).
  Histogram histogram;
  histogram.record(2048);
  histogram.record(2049);
  json::value value = histogram.to_json();
  value.as_object()["min"] = 2048;
  value.as_object()["max"] = 2049;
  value.as_object()["sum"] = "4098";
  value.as_object()["sum_of_squares"] = "8388608";
  EXPECT_NE(refusal(value).find("\"sum_of_squares\""), std::string::npos) << refusal(value);
}

TEST(StatsHistogramJson, RefusesCountsBeyond64Bits) {
  const json::value value = mutated([](json::object& o) {
    o["buckets"] =
        json::array{json::array{5, std::uint64_t{1} << 63}, json::array{6, std::uint64_t{1} << 63}};
  });
  EXPECT_NE(refusal(value).find("more than 2^64"), std::string::npos) << refusal(value);
}

TEST(StatsHistogramJson, RefusesAnEmptyHistogramWithValues) {
  json::value value = Histogram{}.to_json();
  value.as_object()["max"] = 7;
  EXPECT_NE(refusal(value).find("empty histogram"), std::string::npos) << refusal(value);
}

// Random members replaced by random values: anything accepted must be a usable histogram.
TEST(StatsHistogramJson, SurvivesRandomDamage) {
  std::mt19937_64 rng(17);
  const json::value original = random_histogram(300, 4).to_json();
  const std::vector<json::value> junk = {nullptr,
                                         true,
                                         -1,
                                         0,
                                         1,
                                         3.5,
                                         "",
                                         "12",
                                         "x",
                                         json::array{},
                                         json::array{json::array{1, 1}},
                                         json::object{},
                                         UINT64_MAX,
                                         std::int64_t{INT64_MIN}};
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    json::value value = original;
    json::object& object = value.as_object();
    for (int changes = 1 + static_cast<int>(rng() % 3); changes > 0; --changes) {
      auto member = object.begin() + static_cast<std::ptrdiff_t>(rng() % object.size());
      json::array* buckets = member->value().if_array();
      if (buckets && !buckets->empty() && rng() % 2 == 0) {
        (*buckets)[rng() % buckets->size()].as_array()[rng() % 2] = junk[rng() % junk.size()];
      } else {
        member->value() = junk[rng() % junk.size()];
      }
    }
    auto result = Histogram::from_json(value);
    if (const Histogram* histogram = std::get_if<Histogram>(&result)) {
      ++accepted;
      EXPECT_LE(histogram->min(), histogram->quantile(0.5));
      EXPECT_LE(histogram->quantile(0.5), histogram->max());
    }
  }
  EXPECT_LT(accepted, 3000);
}

}  // namespace
}  // namespace fetch::stats
