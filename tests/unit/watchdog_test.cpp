// The per-fetch watchdog on a real loopback socket pair: it must end a stuck read at its
// deadline, never act after being re-armed or destroyed, and refuse to arm once expired.
#include "fetch/transport/watchdog.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>

namespace fetch {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

class WatchdogTest : public ::testing::Test {
 protected:
  WatchdogTest() : acceptor_(io_, tcp::endpoint{asio::ip::address_v4::loopback(), 0}) {
    client_.connect(acceptor_.local_endpoint());
    server_ = acceptor_.accept();
  }

  // Starts a read that only the watchdog can end (the server never writes).
  void start_stuck_read() {
    asio::async_read(client_, asio::buffer(byte_),
                     [this](boost::system::error_code ec, std::size_t) {
                       read_error_ = ec;
                       read_done_ = true;
                     });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::socket client_{io_};
  tcp::socket server_{io_};
  std::array<char, 1> byte_{};
  bool read_done_ = false;
  boost::system::error_code read_error_;
};

TEST_F(WatchdogTest, EndsAStuckReadAtTheDeadline) {
  Watchdog watchdog{io_.get_executor()};
  ASSERT_TRUE(watchdog.arm(client_, Watchdog::Clock::now() + 20ms));
  start_stuck_read();
  io_.run_for(5s);
  EXPECT_TRUE(read_done_);
  EXPECT_TRUE(read_error_);
  EXPECT_TRUE(watchdog.expired());
  EXPECT_FALSE(client_.is_open());
}

TEST_F(WatchdogTest, RefusesToArmOnceExpired) {
  Watchdog watchdog{io_.get_executor()};
  ASSERT_TRUE(watchdog.arm(client_, Watchdog::Clock::now()));
  io_.run_for(100ms);
  ASSERT_TRUE(watchdog.expired());
  EXPECT_FALSE(watchdog.arm(server_, Watchdog::Clock::now() + 1h));
}

TEST_F(WatchdogTest, ReleasedSocketIsLeftAlone) {
  Watchdog watchdog{io_.get_executor()};
  ASSERT_TRUE(watchdog.arm(client_, Watchdog::Clock::now() + 10ms));
  watchdog.release();
  io_.run_for(100ms);
  EXPECT_TRUE(watchdog.expired());
  EXPECT_TRUE(client_.is_open());
}

TEST_F(WatchdogTest, ReArmingMovesTheDeadline) {
  Watchdog watchdog{io_.get_executor()};
  ASSERT_TRUE(watchdog.arm(client_, Watchdog::Clock::now() + 10ms));
  ASSERT_TRUE(watchdog.arm(client_, Watchdog::Clock::now() + 1h));
  start_stuck_read();
  io_.run_for(100ms);
  EXPECT_FALSE(read_done_);
  EXPECT_FALSE(watchdog.expired());
  client_.close();
  io_.run_for(100ms);
}

TEST_F(WatchdogTest, DestroyedWatchdogNeverFires) {
  {
    Watchdog watchdog{io_.get_executor()};
    ASSERT_TRUE(watchdog.arm(client_, Watchdog::Clock::now() + 10ms));
  }
  io_.run_for(100ms);
  EXPECT_TRUE(client_.is_open());
}

}  // namespace
}  // namespace fetch
