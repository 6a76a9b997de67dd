// --shard: the K/N syntax, the stable hash, every URL of an origin in one shard, and the
// filter passing on only a shard's lines.
#include "fetch/run/shard.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <set>
#include <variant>

#include "fetch/input/line_source.hpp"
#include "fetch/input/url.hpp"

namespace fetch {
namespace {

std::vector<InputLine> read_all(LineSource& source) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<std::vector<InputLine>> {
        std::vector<InputLine> lines;
        while (auto line = co_await source.next()) lines.push_back(*line);
        co_return lines;
      },
      boost::asio::use_future);
  io.run();
  return future.get();
}

TEST(Shard, ParsesKOfN) {
  EXPECT_EQ(std::get<Shard>(parse_shard("1/4")), (Shard{1, 4}));
  EXPECT_EQ(std::get<Shard>(parse_shard("4/4")), (Shard{4, 4}));
  for (const char* bad :
       {"0/4", "5/4", "1/0", "4", "/4", "1/", "a/b", "1/4/2", "-1/4", "1/100001"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_shard(bad))) << bad;
  }
}

TEST(Shard, TheHashIsFnv1aAndStable) {
  // Values of the published algorithm, so that other tools can compute the same shards.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("https://example.org:443"), 0x9e555afe95e4d3b7ull);
  EXPECT_EQ(shard_of(OriginKey(Scheme::https, "example.org", 443), 4), 4u);
  EXPECT_EQ(shard_of(OriginKey(Scheme::http, "::1", 8080), 4), 1u);
}

TEST(Shard, EveryOriginLandsInExactlyOneShardAndAllShardsGetSome) {
  std::vector<std::string> urls;
  for (int host = 0; host < 200; ++host) {
    for (int path = 0; path < 3; ++path) {
      urls.push_back("https://host" + std::to_string(host) + ".example/p" + std::to_string(path));
    }
  }
  urls.push_back("not a url");
  std::map<std::string, std::set<unsigned>> shards_of_origin;
  std::size_t total = 0;
  for (unsigned k = 1; k <= 4; ++k) {
    auto source = make_shard_filter(make_argument_source(urls), Shard{k, 4});
    const auto lines = read_all(*source);
    EXPECT_GT(lines.size(), 100u) << k;
    total += lines.size();
    for (const InputLine& line : lines) {
      const auto target = parse_target(line.text);
      const std::string origin =
          std::holds_alternative<Target>(target) ? std::get<Target>(target).origin.to_string() : "";
      shards_of_origin[origin].insert(k);
      if (origin.empty()) {
        EXPECT_EQ(k, 1u) << "lines that are not URLs go to shard 1";
      }
    }
  }
  EXPECT_EQ(total, urls.size());
  for (const auto& [origin, shards] : shards_of_origin) EXPECT_EQ(shards.size(), 1u) << origin;
}

TEST(Shard, OneShardOfOneIsEverything) {
  auto source =
      make_shard_filter(make_argument_source({"http://a/", "http://b/", "x"}), Shard{1, 1});
  EXPECT_EQ(read_all(*source).size(), 3u);
}

TEST(ReplaySource, ReplaysEveryLineAfterARewind) {
  auto source = make_replay_source(make_argument_source({"http://a/", "http://b/", "http://c/"}));
  const auto first = read_all(*source);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_TRUE(source->rewind());
  const auto second = read_all(*source);
  ASSERT_EQ(second.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(second[i].text, first[i].text);
    EXPECT_EQ(second[i].number, first[i].number);
  }
  // A plain source cannot rewind.
  EXPECT_FALSE(make_argument_source({"http://a/"})->rewind());
  // A shard of a replay rewinds through it.
  auto sharded =
      make_shard_filter(make_replay_source(make_argument_source({"http://a/"})), Shard{1, 1});
  EXPECT_EQ(read_all(*sharded).size(), 1u);
  EXPECT_TRUE(sharded->rewind());
  EXPECT_EQ(read_all(*sharded).size(), 1u);
}

TEST(ReplaySource, ARewindMidwayReadsOnWhereTheFirstPassStopped) {
  boost::asio::io_context io;
  auto source = make_replay_source(make_argument_source({"http://a/", "http://b/", "http://c/"}));
  auto future = boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<std::vector<std::string>> {
        std::vector<std::string> seen;
        seen.push_back((co_await source->next())->text);  // a
        source->rewind();
        while (auto line = co_await source->next()) seen.push_back(line->text);
        co_return seen;
      },
      boost::asio::use_future);
  io.run();
  EXPECT_EQ(future.get(),
            (std::vector<std::string>{"http://a/", "http://a/", "http://b/", "http://c/"}));
}

TEST(ReplaySource, CancelEndsIt) {
  auto source = make_replay_source(make_argument_source({"http://a/"}));
  source->cancel();
  EXPECT_TRUE(read_all(*source).empty());
  EXPECT_FALSE(source->rewind());
}

}  // namespace
}  // namespace fetch
