// The connection pool's bookkeeping: per-origin reuse order, the idle cap, eviction.
#include "fetch/transport/pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace fetch {
namespace {

class PoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> connection_to(const std::string& origin) {
    return std::make_unique<Connection>(origin, TcpStream{io_});
  }

  boost::asio::io_context io_;
};

TEST_F(PoolTest, EmptyPoolHasNothingToGive) {
  ConnectionPool pool{4};
  EXPECT_EQ(pool.take("http://a:80"), nullptr);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST_F(PoolTest, GivesBackOnlyToTheSameOrigin) {
  ConnectionPool pool{4};
  pool.give_back(connection_to("http://a:80"));
  EXPECT_EQ(pool.take("https://a:443"), nullptr);
  EXPECT_EQ(pool.take("http://b:80"), nullptr);
  auto taken = pool.take("http://a:80");
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->origin(), "http://a:80");
  EXPECT_EQ(pool.idle(), 0u);
}

TEST_F(PoolTest, TakesTheMostRecentlyReturnedFirst) {
  ConnectionPool pool{4};
  auto first = connection_to("http://a:80");
  auto second = connection_to("http://a:80");
  const Connection* second_address = second.get();
  pool.give_back(std::move(first));
  pool.give_back(std::move(second));
  EXPECT_EQ(pool.take("http://a:80").get(), second_address);
  EXPECT_NE(pool.take("http://a:80"), nullptr);
  EXPECT_EQ(pool.take("http://a:80"), nullptr);
}

TEST_F(PoolTest, EvictsTheLeastRecentlyUsedAcrossOrigins) {
  ConnectionPool pool{2};
  pool.give_back(connection_to("http://old:80"));
  pool.give_back(connection_to("http://a:80"));
  pool.give_back(connection_to("http://b:80"));  // over the cap: "old" goes
  EXPECT_EQ(pool.idle(), 2u);
  EXPECT_EQ(pool.take("http://old:80"), nullptr);
  EXPECT_NE(pool.take("http://a:80"), nullptr);
  EXPECT_NE(pool.take("http://b:80"), nullptr);
}

TEST_F(PoolTest, EvictionKeepsTheOtherConnectionsOfAnOrigin) {
  ConnectionPool pool{2};
  auto oldest = connection_to("http://a:80");
  auto newer = connection_to("http://a:80");
  const Connection* newer_address = newer.get();
  pool.give_back(std::move(oldest));
  pool.give_back(std::move(newer));
  pool.give_back(connection_to("http://b:80"));
  EXPECT_EQ(pool.take("http://a:80").get(), newer_address);
  EXPECT_EQ(pool.take("http://a:80"), nullptr);
}

TEST_F(PoolTest, ClearDropsEverything) {
  ConnectionPool pool{8};
  pool.give_back(connection_to("http://a:80"));
  pool.give_back(connection_to("http://b:80"));
  pool.clear();
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.take("http://a:80"), nullptr);
}

TEST_F(PoolTest, CountsOpenedConnections) {
  ConnectionPool pool{1};
  pool.count_opened();
  pool.count_opened();
  EXPECT_EQ(pool.opened(), 2u);
}

}  // namespace
}  // namespace fetch
