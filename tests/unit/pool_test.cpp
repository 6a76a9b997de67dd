// The connection pool's bookkeeping: per-origin reuse order, the idle cap, eviction.
#include "fetch/transport/pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "fetch/http1/connection.hpp"

namespace fetch {
namespace {

// "http://a:80" as the pool's key.
OriginKey key(std::string_view origin) {
  const bool tls = origin.starts_with("https://");
  origin.remove_prefix(tls ? 8 : 7);
  const std::size_t colon = origin.rfind(':');
  return OriginKey{tls ? Scheme::https : Scheme::http, std::string{origin.substr(0, colon)},
                   static_cast<std::uint16_t>(std::stoi(std::string{origin.substr(colon + 1)}))};
}

class PoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> connection_to(std::string_view origin) {
    return std::make_unique<Http1Connection>(key(origin), Stream{TcpStream{io_}});
  }

  boost::asio::io_context io_;
};

TEST_F(PoolTest, EmptyPoolHasNothingToGive) {
  ConnectionPool pool{4};
  EXPECT_EQ(pool.take(key("http://a:80")), nullptr);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST_F(PoolTest, GivesBackOnlyToTheSameOrigin) {
  ConnectionPool pool{4};
  pool.give_back(connection_to("http://a:80"));
  EXPECT_EQ(pool.take(key("https://a:443")), nullptr);
  EXPECT_EQ(pool.take(key("http://b:80")), nullptr);
  auto taken = pool.take(key("http://a:80"));
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->origin().to_string(), "http://a:80");
  EXPECT_EQ(pool.idle(), 0u);
}

TEST_F(PoolTest, ConnectionsNeverCrossRoutes) {
  // Two proxies, and none: three keys for one origin, as Go's connectMethodKey has it.
  auto via = [](std::uint16_t proxy_port) {
    auto route = std::make_shared<Route>();
    route->dial = Endpoint{"127.0.0.1", proxy_port, true};
    route->proxy = true;
    return route;
  };
  const OriginKey direct = key("https://a:443");
  const OriginKey through_one = direct.with_route(via(3128));
  const OriginKey through_two = direct.with_route(via(3129));
  ConnectionPool pool{4};
  pool.give_back(std::make_unique<Http1Connection>(through_one, Stream{TcpStream{io_}}));
  EXPECT_EQ(pool.take(direct), nullptr);
  EXPECT_EQ(pool.take(through_two), nullptr);
  EXPECT_NE(pool.take(through_one), nullptr);
}

TEST_F(PoolTest, TakesTheMostRecentlyReturnedFirst) {
  ConnectionPool pool{4};
  auto first = connection_to("http://a:80");
  auto second = connection_to("http://a:80");
  const Connection* second_address = second.get();
  pool.give_back(std::move(first));
  pool.give_back(std::move(second));
  EXPECT_EQ(pool.take(key("http://a:80")).get(), second_address);
  EXPECT_NE(pool.take(key("http://a:80")), nullptr);
  EXPECT_EQ(pool.take(key("http://a:80")), nullptr);
}

TEST_F(PoolTest, EvictsTheLeastRecentlyUsedAcrossOrigins) {
  ConnectionPool pool{2};
  pool.give_back(connection_to("http://old:80"));
  pool.give_back(connection_to("http://a:80"));
  pool.give_back(connection_to("http://b:80"));  // over the cap: "old" goes
  EXPECT_EQ(pool.idle(), 2u);
  EXPECT_EQ(pool.take(key("http://old:80")), nullptr);
  EXPECT_NE(pool.take(key("http://a:80")), nullptr);
  EXPECT_NE(pool.take(key("http://b:80")), nullptr);
}

TEST_F(PoolTest, EvictionKeepsTheOtherConnectionsOfAnOrigin) {
  ConnectionPool pool{2};
  auto oldest = connection_to("http://a:80");
  auto newer = connection_to("http://a:80");
  const Connection* newer_address = newer.get();
  pool.give_back(std::move(oldest));
  pool.give_back(std::move(newer));
  pool.give_back(connection_to("http://b:80"));
  EXPECT_EQ(pool.take(key("http://a:80")).get(), newer_address);
  EXPECT_EQ(pool.take(key("http://a:80")), nullptr);
}

TEST_F(PoolTest, ClearDropsEverything) {
  ConnectionPool pool{8};
  pool.give_back(connection_to("http://a:80"));
  pool.give_back(connection_to("http://b:80"));
  pool.clear();
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.take(key("http://a:80")), nullptr);
}

}  // namespace
}  // namespace fetch
