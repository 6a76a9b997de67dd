// The TLS session cache and its first-handshake gate, with real OpenSSL handshakes between
// a client and a server joined in memory (a BIO pair, no sockets): which handshakes resume,
// who waits and when waiting ends, and how many origins are remembered.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "fetch/tls/context.hpp"
#include "fetch/tls/sessions.hpp"
#include "memory_tls.hpp"

namespace fetch {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class TlsSessionsTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kCapacity = 2;

  explicit TlsSessionsTest(bool enabled = true)
      : sessions_{client_context_.native_handle(), kCapacity, enabled} {}

  using Connection = test::MemoryConnection;

  Connection connect() {
    return Connection{client_context_.native_handle(), server_context_.get()};
  }
  static bool handshake(Connection& connection) { return connection.handshake(); }
  static void read_tickets(Connection& connection) { connection.read_tickets(); }
  static bool resumed(const Connection& connection) { return connection.resumed(); }

  // Starts prepare() for `connection`; the result appears once the io_context has run it.
  // The round trip is a loopback one unless said otherwise.
  std::shared_ptr<std::optional<HandshakeTurn>> start_prepare(
      Connection& connection, const OriginKey& origin, Clock::time_point deadline,
      std::chrono::microseconds round_trip = 40us) {
    auto turn = std::make_shared<std::optional<HandshakeTurn>>();
    asio::co_spawn(io_, sessions_.prepare(connection.client.get(), origin, deadline, round_trip),
                   [turn](std::exception_ptr error, HandshakeTurn result) {
                     ASSERT_FALSE(error);
                     turn->emplace(std::move(result));
                   });
    return turn;
  }

  // Runs what is ready now, or everything until nothing is left (at most `limit`).
  void run_ready() {
    io_.restart();
    io_.poll();
  }
  void run_until_idle(std::chrono::milliseconds limit) {
    io_.restart();
    io_.run_for(limit);
  }

  // prepare() that must complete without waiting.
  HandshakeTurn prepare_now(Connection& connection, const OriginKey& origin,
                            std::chrono::microseconds round_trip = 40us) {
    auto turn = start_prepare(connection, origin, Clock::now() + 10s, round_trip);
    run_ready();
    EXPECT_TRUE(turn->has_value()) << "prepare() waited for " << origin.to_string();
    return turn->has_value() ? std::move(**turn) : HandshakeTurn{};
  }

  // A complete first visit to `origin`: prepare, handshake, tickets. True when it resumed.
  bool visit(const OriginKey& origin) {
    Connection connection = connect();
    HandshakeTurn turn = prepare_now(connection, origin);
    EXPECT_TRUE(handshake(connection));
    turn.succeeded(1ms);
    read_tickets(connection);
    return resumed(connection);
  }

  asio::io_context io_;
  asio::ssl::context client_context_ = make_tls_context(TlsSettings{.verify = false, .cacert = {}});
  test::SelfSigned identity_ = test::make_self_signed("DNS:localhost");
  test::Owned<SSL_CTX> server_context_ = test::make_server_context(identity_);
  TlsSessions sessions_;
};

const OriginKey kOriginA{Scheme::https, "a.test", 443};
const OriginKey kOriginB{Scheme::https, "b.test", 443};
const OriginKey kOriginC{Scheme::https, "c.test", 443};

TEST_F(TlsSessionsTest, TheFirstHandshakeIsFullAndTheNextResumesIt) {
  EXPECT_FALSE(visit(kOriginA));
  EXPECT_EQ(sessions_.cached(), 1u);
  EXPECT_TRUE(visit(kOriginA));
  EXPECT_TRUE(visit(kOriginA));  // each resumption brings a fresh ticket
}

TEST_F(TlsSessionsTest, ASessionIsNeverOfferedToAnotherOrigin) {
  EXPECT_FALSE(visit(kOriginA));
  EXPECT_FALSE(visit(kOriginB));
  EXPECT_TRUE(visit(kOriginA));
  EXPECT_TRUE(visit(kOriginB));
}

TEST_F(TlsSessionsTest, ConnectionsBesideTheFirstWaitForItsSessionThenResume) {
  Connection first = connect();
  HandshakeTurn first_turn = prepare_now(first, kOriginA);
  Connection second = connect();
  Connection third = connect();
  auto second_turn = start_prepare(second, kOriginA, Clock::now() + 10s);
  auto third_turn = start_prepare(third, kOriginA, Clock::now() + 10s);
  run_ready();
  EXPECT_FALSE(second_turn->has_value()) << "went on before the first handshake ended";

  ASSERT_TRUE(handshake(first));
  first_turn.succeeded(1ms);
  run_ready();
  EXPECT_FALSE(second_turn->has_value()) << "went on before the ticket came";
  read_tickets(first);
  run_until_idle(1s);
  ASSERT_TRUE(second_turn->has_value());
  ASSERT_TRUE(third_turn->has_value());

  ASSERT_TRUE(handshake(second));
  ASSERT_TRUE(handshake(third));
  EXPECT_TRUE(resumed(second));
  EXPECT_TRUE(resumed(third));  // a copy each: one resumption must not spoil the other
}

TEST_F(TlsSessionsTest, AFirstHandshakeWaitingOnTheNetworkMeansAFarServer) {
  // A TCP terminator nearby (the round trip looks like loopback's) for a server far away:
  // the first handshake sits idle, waiting for the real round trip. The others stop waiting
  // once it has been idle kFarIdle, long before their own deadlines.
  Connection first = connect();
  HandshakeTurn first_turn = prepare_now(first, kOriginA);
  Connection second = connect();
  const auto started = Clock::now();
  auto second_turn = start_prepare(second, kOriginA, Clock::now() + 10s);
  run_until_idle(5s);
  ASSERT_TRUE(second_turn->has_value());
  EXPECT_LT(Clock::now() - started, 5s) << "waited for its own deadline";
  Connection third = connect();
  prepare_now(third, kOriginA);  // fails if it waits: the origin is known to be far now
}

TEST_F(TlsSessionsTest, NobodyWaitsForTheFirstHandshakeToAFarServer) {
  // 20 ms away, the wait for a ticket costs ~40 ms, far more than any resumption saves.
  Connection first = connect();
  HandshakeTurn first_turn = prepare_now(first, kOriginA, 20ms);
  for (int n = 0; n < 20; ++n) {
    Connection other = connect();
    HandshakeTurn turn = prepare_now(other, kOriginA, 20ms);  // fails if prepare() waits
  }
}

TEST_F(TlsSessionsTest, TheMoreConnectionsOpenAtOnceTheFartherAServerIsWorthWaitingFor) {
  // A 0.9 ms round trip: waiting costs ~1.8 ms, and each connection opened beside the first
  // saves 0.5 ms by resuming. The first three beside it go on; from the fourth on, they wait.
  constexpr std::chrono::microseconds round_trip = 900us;
  static_assert(2 * round_trip < 4 * TlsSessions::kCpuSavedPerResumption);
  static_assert(2 * round_trip >= 3 * TlsSessions::kCpuSavedPerResumption);
  Connection first = connect();
  HandshakeTurn first_turn = prepare_now(first, kOriginA, round_trip);
  Connection second = connect();
  Connection third = connect();
  Connection fourth = connect();
  Connection fifth = connect();
  HandshakeTurn second_turn = prepare_now(second, kOriginA, round_trip);
  HandshakeTurn third_turn = prepare_now(third, kOriginA, round_trip);
  HandshakeTurn fourth_turn = prepare_now(fourth, kOriginA, round_trip);
  auto fifth_turn = start_prepare(fifth, kOriginA, Clock::now() + 10s, round_trip);
  run_ready();
  EXPECT_FALSE(fifth_turn->has_value()) << "the fourth beside the first went on without waiting";

  ASSERT_TRUE(handshake(first));
  first_turn.succeeded(1ms);
  read_tickets(first);
  run_until_idle(1s);
  ASSERT_TRUE(fifth_turn->has_value());
  ASSERT_TRUE(handshake(fifth));
  EXPECT_TRUE(resumed(fifth));
  ASSERT_TRUE(handshake(second));
  EXPECT_FALSE(resumed(second));
}

TEST_F(TlsSessionsTest, AFailedFirstHandshakeLetsTheOthersGoAtOnce) {
  Connection first = connect();
  std::optional<HandshakeTurn> first_turn{prepare_now(first, kOriginA)};
  Connection second = connect();
  auto second_turn = start_prepare(second, kOriginA, Clock::now() + 10s);
  run_ready();
  EXPECT_FALSE(second_turn->has_value());

  first_turn.reset();  // the handshake failed: the turn ends without a session
  run_until_idle(1s);
  ASSERT_TRUE(second_turn->has_value());
  ASSERT_TRUE(handshake(second));
  EXPECT_FALSE(resumed(second));
}

TEST_F(TlsSessionsTest, AResponseWithoutATicketEndsTheWait) {
  Connection first = connect();
  std::optional<HandshakeTurn> first_turn{prepare_now(first, kOriginA)};
  Connection second = connect();
  auto second_turn = start_prepare(second, kOriginA, Clock::now() + 10s);
  ASSERT_TRUE(handshake(first));
  first_turn->succeeded(1ms);
  run_ready();
  EXPECT_FALSE(second_turn->has_value());
  first_turn.reset();  // the first exchange ended and no ticket came before it
  run_until_idle(1s);
  EXPECT_TRUE(second_turn->has_value());
}

TEST_F(TlsSessionsTest, NoTicketWithinTheWaitMeansFullHandshakes) {
  Connection first = connect();
  HandshakeTurn first_turn = prepare_now(first, kOriginA);
  Connection second = connect();
  auto second_turn = start_prepare(second, kOriginA, Clock::now() + 10s);
  ASSERT_TRUE(handshake(first));
  first_turn.succeeded(1ms);  // waits kMinTicketWait, and the ticket is never read
  run_until_idle(10 * TlsSessions::kMinTicketWait);
  ASSERT_TRUE(second_turn->has_value());
  ASSERT_TRUE(handshake(second));
  EXPECT_FALSE(resumed(second));
  // Later connections do not wait either.
  Connection third = connect();
  HandshakeTurn third_turn = prepare_now(third, kOriginA);
}

TEST_F(TlsSessionsTest, AWaiterGoesOnAtItsOwnDeadline) {
  Connection first = connect();
  HandshakeTurn first_turn = prepare_now(first, kOriginA);  // never finishes
  Connection second = connect();
  auto second_turn = start_prepare(second, kOriginA, Clock::now() + 20ms);
  run_until_idle(2s);
  EXPECT_TRUE(second_turn->has_value());
}

TEST_F(TlsSessionsTest, RemembersTheMostRecentlyUsedOriginsOnly) {
  EXPECT_FALSE(visit(kOriginA));
  EXPECT_FALSE(visit(kOriginB));
  EXPECT_TRUE(visit(kOriginA));   // A is now the most recently used
  EXPECT_FALSE(visit(kOriginC));  // capacity 2: B goes
  EXPECT_EQ(sessions_.cached(), kCapacity);
  EXPECT_TRUE(visit(kOriginA));
  EXPECT_FALSE(visit(kOriginB));  // forgotten: a full handshake again
}

class TlsSessionsDisabledTest : public TlsSessionsTest {
 protected:
  TlsSessionsDisabledTest() : TlsSessionsTest(false) {}
};

TEST_F(TlsSessionsDisabledTest, NeitherWaitsNorResumes) {
  Connection first = connect();
  HandshakeTurn first_turn = prepare_now(first, kOriginA);
  Connection second = connect();
  HandshakeTurn second_turn = prepare_now(second, kOriginA);  // no waiting
  ASSERT_TRUE(handshake(first));
  first_turn.succeeded(1ms);
  read_tickets(first);
  EXPECT_EQ(sessions_.cached(), 0u);
  ASSERT_TRUE(handshake(second));
  EXPECT_FALSE(resumed(second));
  EXPECT_FALSE(visit(kOriginA));
}

}  // namespace
}  // namespace fetch
