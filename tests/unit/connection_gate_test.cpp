// Late binding: who opens a connection, who waits for one in use, and when waiting ends.
// Requests are acquire() coroutines on an io_context; what opening a connection shows (round
// trip, time taken) is reported through the leases, as the client does.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fetch/http1/connection.hpp"
#include "fetch/transport/gate.hpp"
#include "fetch/transport/pool.hpp"

namespace fetch {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Gate = ConnectionGate;

constexpr auto kNear = 40us;  // a loopback round trip
constexpr auto kFar = 20ms;
const OriginKey kOrigin{Scheme::https, "a", 443};
const OriginKey kPlainOrigin{Scheme::http, "a", 80};
// Long enough that a stalled test machine never runs out of it by accident.
constexpr auto kPatience = 200ms;

// An HTTP/2 connection as the gate and pool see one: shared, with streams to spare. (No
// stream ever runs on it here; the real one is tested in http2_session_test.cpp and over
// sockets in the integration tests.)
class SharedConnection final : public Connection {
 public:
  explicit SharedConnection(OriginKey origin) : Connection(std::move(origin)) {}
  Protocol protocol() const noexcept override { return Protocol::http2; }
  bool can_take_request() const noexcept override { return open_; }
  bool idle() const noexcept override { return true; }
  asio::awaitable<Exchange> exchange(const RequestSpec&, const Target&, BodySink&, Watchdog&,
                                     const Deadline&) override {
    co_return Exchange{};
  }
  void close() noexcept override { open_ = false; }

 private:
  bool open_ = true;
};

class ConnectionGateTest : public ::testing::Test {
 protected:
  // One request's acquire() or reconsider(): empty until it completes.
  using Pending = std::shared_ptr<std::optional<Gate::Acquired>>;

  Pending spawn(asio::awaitable<Gate::Acquired> call) {
    auto pending = std::make_shared<std::optional<Gate::Acquired>>();
    asio::co_spawn(io_, std::move(call),
                   [pending](std::exception_ptr error, Gate::Acquired acquired) {
                     ASSERT_FALSE(error);
                     pending->emplace(std::move(acquired));
                   });
    return pending;
  }
  Pending start(const OriginKey& origin = kOrigin,
                Clock::time_point deadline = Clock::now() + 10s) {
    return spawn(gate_.acquire(origin, deadline));
  }
  // Each lease's connection shows `round_trip`, then thinks again before its handshake.
  std::vector<Pending> reconsider_all(std::vector<Gate::Lease>& leases,
                                      std::chrono::microseconds round_trip) {
    std::vector<Pending> requests;
    for (Gate::Lease& lease : leases) {
      lease.connected(round_trip);
      requests.push_back(spawn(gate_.reconsider(std::move(lease), Clock::now() + 10s)));
    }
    return requests;
  }
  // Eleven requests start together: the leases of those that may open (six, until the origin
  // is known to be far); the others stay in `requests`, waiting for a place.
  std::vector<Gate::Lease> eleven_together(std::vector<Pending>& requests) {
    requests = start_many(11);
    run_ready();
    return take_openers(requests);
  }
  std::vector<Pending> start_many(int count, bool tls = true) {
    std::vector<Pending> requests;
    for (int n = 0; n < count; ++n) requests.push_back(start(tls ? kOrigin : kPlainOrigin));
    return requests;
  }

  void run_ready() {
    io_.restart();
    io_.poll();
  }
  void run_for(std::chrono::milliseconds duration) {
    io_.restart();
    io_.run_for(duration);
  }

  // The first request to the origin: it opens at once, and its connection shows `round_trip`.
  Gate::Lease first_connection(std::chrono::microseconds round_trip, bool ready = true) {
    Pending first = start();
    run_ready();
    EXPECT_TRUE(first->has_value());
    EXPECT_EQ((*first)->connection, nullptr);
    Gate::Lease lease = std::move((*first)->lease);
    lease.connected(round_trip);
    if (ready) lease.opened(1ms);
    return lease;
  }

  static std::size_t done(const std::vector<Pending>& requests) {
    std::size_t count = 0;
    for (const Pending& request : requests) count += request->has_value() ? 1 : 0;
    return count;
  }
  // Leases of the requests that were told to open a connection, as the client would hold them.
  static std::vector<Gate::Lease> take_openers(std::vector<Pending>& requests) {
    std::vector<Gate::Lease> leases;
    for (Pending& request : requests) {
      if (request->has_value() && !(*request)->connection) {
        leases.push_back(std::move((*request)->lease));
        request->reset();
      }
    }
    return leases;
  }
  std::unique_ptr<Connection> connection_to(const OriginKey& origin = kOrigin) {
    return std::make_unique<Http1Connection>(origin, Stream{TcpStream{io_}});
  }

  asio::io_context io_;
  ConnectionPool pool_{16};
  Gate gate_{pool_, kPatience};
};

TEST_F(ConnectionGateTest, AnIdleConnectionIsTakenFirst) {
  pool_.give_back(connection_to());
  Pending request = start();
  run_ready();
  ASSERT_TRUE(request->has_value());
  EXPECT_NE((*request)->connection, nullptr);
}

TEST_F(ConnectionGateTest, ANearOriginGetsSixConnectionsAndTheRestQueue) {
  Gate::Lease first = first_connection(kNear);
  std::vector<Pending> requests = start_many(10);
  run_ready();
  EXPECT_EQ(done(requests), Gate::kConnectionsPerNearOrigin - 1);
  std::vector<Gate::Lease> openers = take_openers(requests);

  // A connection coming free goes, with its lease, to the request queued first.
  Connection* handed = nullptr;
  {
    auto connection = connection_to();
    handed = connection.get();
    gate_.give_back(std::move(connection), std::move(first));
  }
  run_ready();
  ASSERT_TRUE(requests[5]->has_value());
  EXPECT_EQ((*requests[5])->connection.get(), handed);
  EXPECT_EQ(done(requests), 1u) << "one connection came free, one request went on";
  EXPECT_EQ(pool_.idle(), 0u) << "a queued request's connection must not idle in the pool";
}

TEST_F(ConnectionGateTest, AClosedConnectionLetsOneQueuedRequestOpen) {
  Gate::Lease first = first_connection(kNear);
  std::vector<Pending> requests = start_many(7);
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin - 1);

  first = Gate::Lease{};  // its connection was closed, not given back
  run_ready();
  EXPECT_EQ(take_openers(requests).size(), 1u);
  EXPECT_EQ(done(requests), 0u) << "the seventh still waits";
}

TEST_F(ConnectionGateTest, APlaceAndAConnectionComingFreeTogetherServeTwo) {
  Gate::Lease first = first_connection(kNear);
  std::vector<Pending> requests = start_many(7);
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin - 1);

  openers.at(0) = Gate::Lease{};  // closed: a place comes free, for the first in the queue
  gate_.give_back(connection_to(), std::move(first));  // and a connection, the same turn
  run_ready();
  EXPECT_EQ(done(requests), 2u) << "each went to a different request";
  EXPECT_EQ(take_openers(requests).size(), 1u);
}

TEST_F(ConnectionGateTest, AFarOriginNeverQueues) {
  Gate::Lease first = first_connection(kFar);
  std::vector<Pending> requests = start_many(10);
  run_ready();
  EXPECT_EQ(take_openers(requests).size(), 10u);
}

TEST_F(ConnectionGateTest, AnOriginWhoseFirstHandshakeWaitedLongIsFar) {
  // A proxy nearby that relays to a server far away: the TCP round trip looks near, the
  // time the TLS handshake through it waited for the network shows the truth.
  Gate::Lease first = first_connection(kNear, false);
  first.opened(kFarIdle + 5ms, kFarIdle + 5ms);
  std::vector<Pending> requests = start_many(10);
  run_ready();
  EXPECT_EQ(take_openers(requests).size(), 10u);
}

TEST_F(ConnectionGateTest, AFirstHandshakeSlowOnlyFromOurOwnWorkIsNear) {
  // A loaded machine: the first connection took 80 ms, but its handshake waited 1 ms for the
  // server; the rest was CPU. Late binding stays on.
  Gate::Lease first = first_connection(kNear, false);
  first.opened(80ms, 1ms);
  std::vector<Pending> requests = start_many(10);
  run_ready();
  EXPECT_EQ(take_openers(requests).size(), Gate::kConnectionsPerNearOrigin - 1)
      << "beside the first, up to six connections; the rest queue";
}

TEST_F(ConnectionGateTest, AtMostSixOpenAtOnceBeforeTheOriginIsKnown) {
  // The first connection's TCP connect shows a near server; its handshake is under way.
  // Ten more requests: five may open beside it, the rest wait for one of the six to open.
  Gate::Lease first = first_connection(kNear, false);
  std::vector<Pending> requests = start_many(10);
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  EXPECT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin - 1);
  EXPECT_EQ(done(requests), 0u);
  // The first opens: the origin is near, six connections are in use: the rest queue for them.
  first.opened(1ms);
  run_ready();
  EXPECT_EQ(done(requests), 0u);
  gate_.give_back(connection_to(), std::move(first));
  run_ready();
  EXPECT_EQ(done(requests), 1u) << "a connection coming free serves the first in the queue";
}

TEST_F(ConnectionGateTest, PlainHttpToANearServerGetsSixConnectionsToo) {
  // A TCP connect costs little, but the server behind it may serve one connection at a time
  // from a short listen queue: six SYNs at once, six connections in use, as over TLS.
  std::vector<Pending> requests;
  for (int n = 0; n < 11; ++n) requests.push_back(start(kPlainOrigin));
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin);
  openers[0].connected(kNear);
  openers[0].opened(1ms);
  run_ready();
  EXPECT_EQ(done(requests), 0u) << "near, six in use: the rest queue";
  openers[1] = Gate::Lease{};  // closed by the server after its response
  run_ready();
  EXPECT_EQ(take_openers(requests).size(), 1u);
}

TEST_F(ConnectionGateTest, PlainHttpToAFarOriginNeverWaits) {
  Pending first = start(kPlainOrigin);
  run_ready();
  ASSERT_TRUE(first->has_value());
  (*first)->lease.connected(kFar);
  std::vector<Pending> requests;
  for (int n = 0; n < 10; ++n) requests.push_back(start(kPlainOrigin));
  run_ready();
  EXPECT_EQ(take_openers(requests).size(), 10u);
}

TEST_F(ConnectionGateTest, ElevenTogetherOpenSixAndTheirTcpConnectionsGoOnToHandshakes) {
  // Eleven requests start together: six open, five wait. The first connection opens (near,
  // HTTP/1.1): the five others, their TCP connections made, go on with their handshakes (a
  // single-threaded server that accepted one waits for its hello); the five waiting queue
  // for the six connections.
  std::vector<Pending> requests;
  std::vector<Gate::Lease> openers = eleven_together(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin);
  Gate::Lease pioneer = std::move(openers.front());
  openers.erase(openers.begin());
  pioneer.connected(kNear);
  pioneer.opened(1ms);
  gate_.opened(connection_to(), pioneer);  // HTTP/1.1: nobody waits for its protocol
  run_ready();
  EXPECT_EQ(done(requests), 0u) << "near, six in use: the rest queue";

  std::vector<Pending> second_thoughts = reconsider_all(openers, kNear);
  run_ready();
  const std::vector<Gate::Lease> going_on = take_openers(second_thoughts);
  EXPECT_EQ(going_on.size(), openers.size());
  EXPECT_EQ(done(requests), 0u);

  gate_.give_back(connection_to(), std::move(pioneer));
  run_ready();
  EXPECT_EQ(done(requests), 1u) << "and take connections as they come free";
}

TEST_F(ConnectionGateTest, AFarRoundTripLetsEveryoneOpen) {
  // As above, but the first TCP connect shows a far server: the five waiting open at once.
  std::vector<Pending> requests;
  std::vector<Gate::Lease> openers = eleven_together(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin);
  Gate::Lease pioneer = std::move(openers.front());
  openers.erase(openers.begin());
  pioneer.connected(kFar);
  run_ready();
  std::vector<Gate::Lease> more = take_openers(requests);
  EXPECT_EQ(more.size(), 11u - Gate::kConnectionsPerNearOrigin);
  pioneer.opened(1ms);
  gate_.opened(connection_to(), pioneer);  // HTTP/1.1: nobody waits for its protocol
  requests = reconsider_all(openers, kFar);
  run_ready();
  EXPECT_EQ(take_openers(requests).size(), openers.size());
}

TEST_F(ConnectionGateTest, AFirstOpeningWaitingOnTheNetworkShowsAFarOrigin) {
  // Nothing has connected yet, and the first opening has waited for the network longer than
  // a near server would make it wait (a SYN to a far server, or a handshake through a
  // terminator nearby): the others stop waiting for it.
  std::vector<Pending> requests;
  std::vector<Gate::Lease> openers = eleven_together(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin);
  EXPECT_EQ(done(requests), 0u);
  run_for(Gate::kFarOpeningIdle * 4);
  EXPECT_EQ(take_openers(requests).size(), 11u - Gate::kConnectionsPerNearOrigin);
}

TEST_F(ConnectionGateTest, FailedOpensReleaseTheQueue) {
  // Five connections are still opening when the rest queue; they fail, and the first one
  // closes.
  Gate::Lease first = first_connection(kNear);
  std::vector<Pending> requests = start_many(10);
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin - 1);
  run_ready();
  EXPECT_EQ(done(requests), 0u);
  const std::size_t queued = requests.size() - openers.size();
  openers.clear();
  first = Gate::Lease{};
  run_ready();
  EXPECT_EQ(take_openers(requests).size(), queued) << "six places came free, for five";
}

TEST_F(ConnectionGateTest, QueuedRequestsOpenWhenNoConnectionComesFree) {
  // A slow server: the six connections stay busy. After the patience without one coming
  // free, every queued request opens a connection of its own.
  Gate::Lease first = first_connection(kNear);
  std::vector<Pending> requests = start_many(10);
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  for (Gate::Lease& lease : openers) lease.opened(1ms);
  EXPECT_EQ(done(requests), 0u);
  run_for(kPatience / 2);
  EXPECT_EQ(done(requests), 0u) << "gave up before a connection would have been ready";
  run_for(kPatience);
  EXPECT_EQ(take_openers(requests).size(), 10u - openers.size());
}

TEST_F(ConnectionGateTest, ConnectionsComingFreeKeepTheQueueWaiting) {
  Gate::Lease first = first_connection(kNear);
  std::vector<Pending> requests = start_many(10);
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  // One hand-over every 60% of the patience: after three of them the queue has waited
  // longer than its patience in all, but never that long without progress.
  for (std::size_t served = 0; served < 3; ++served) {
    run_for(kPatience * 6 / 10);
    gate_.give_back(connection_to(), std::move(openers.at(served)));
    run_ready();
  }
  EXPECT_EQ(done(requests), 3u);
  EXPECT_EQ(take_openers(requests).size(), 0u);
}

TEST_F(ConnectionGateTest, AConnectionComingFreeCountsAsProgressEvenWithNobodyWaiting) {
  Gate::Lease first = first_connection(kNear);
  std::vector<Pending> requests = start_many(5);
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin - 1);
  std::this_thread::sleep_for(kPatience + kPatience / 5);  // longer than the patience

  // A connection comes back with nobody queued, and the next request takes it at once.
  gate_.give_back(connection_to(), std::move(first));
  Pending next = start();
  run_ready();
  ASSERT_TRUE(next->has_value());
  ASSERT_NE((*next)->connection, nullptr);

  // All six are busy again: a newcomer queues, its patience counted from that return.
  Pending newcomer = start();
  run_ready();
  EXPECT_FALSE(newcomer->has_value());
}

TEST_F(ConnectionGateTest, TheDeadlineEndsTheWait) {
  Gate::Lease first = first_connection(kNear);
  std::vector<Gate::Lease> openers;
  for (std::size_t n = 1; n < Gate::kConnectionsPerNearOrigin; ++n) {
    Pending request = start();
    run_ready();
    openers.push_back(std::move((*request)->lease));
  }
  Pending late = start(kOrigin, Clock::now() + 100ms);
  run_ready();
  EXPECT_FALSE(late->has_value());
  run_for(kPatience);
  ASSERT_TRUE(late->has_value());
  EXPECT_EQ((*late)->connection, nullptr);
}

TEST_F(ConnectionGateTest, AnOriginIsForgottenWhenNothingUsesIt) {
  {
    Gate::Lease first = first_connection(kNear);
    EXPECT_EQ(gate_.origins(), 1u);
    gate_.give_back(connection_to(), std::move(first));
  }
  EXPECT_EQ(gate_.origins(), 0u);
  EXPECT_EQ(pool_.idle(), 1u);
}

// --- HTTP/2: waiting for the first handshake's ALPN answer (pipe-wait) ------------------

class PipeWaitTest : public ConnectionGateTest {
 protected:
  // Eleven requests start together and make TCP connections (far, so that nobody queues
  // for HTTP/1.1 reasons: six first, the others once the first connect shows the round
  // trip); the first to think again decides, the ten others wait for it.
  void start_eleven() {
    std::vector<Pending> requests;
    std::vector<Gate::Lease> openers = eleven_together(requests);
    ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin);
    openers[0].connected(kFar);
    run_ready();
    for (Gate::Lease& lease : take_openers(requests)) openers.push_back(std::move(lease));
    ASSERT_EQ(openers.size(), 11u);
    Pending decider = spawn(gate_.reconsider(std::move(openers[0]), Clock::now() + 10s));
    run_ready();
    ASSERT_TRUE(decider->has_value()) << "the first goes on with its handshake";
    EXPECT_EQ((*decider)->connection, nullptr);
    decider_ = std::move((*decider)->lease);
    openers.erase(openers.begin());
    waiting_ = reconsider_all(openers, kFar);
    run_ready();
    EXPECT_EQ(done(waiting_), 0u) << "the others wait for its answer";
  }

  Gate::Lease decider_;
  std::vector<Pending> waiting_;
};

TEST_F(PipeWaitTest, AnHttp2AnswerCarriesEveryWaitingRequest) {
  start_eleven();
  auto shared = std::make_shared<SharedConnection>(kOrigin);
  gate_.opened(shared, decider_);
  run_ready();
  ASSERT_EQ(done(waiting_), 10u);
  for (const Pending& request : waiting_) {
    EXPECT_EQ((*request)->connection, shared) << "their TCP connections close unused";
  }
  EXPECT_EQ(pool_.idle(), 1u) << "shared: it stays in the pool";
  Pending later = start();
  run_ready();
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ((*later)->connection, shared);
}

TEST_F(PipeWaitTest, AnHttp11AnswerLetsThemGoOnWithTheirOwnHandshakes) {
  start_eleven();
  gate_.opened(connection_to(), decider_);
  run_ready();
  EXPECT_EQ(take_openers(waiting_).size(), 10u);
}

TEST_F(PipeWaitTest, AFailedHandshakeHandsTheDecisionOn) {
  start_eleven();
  decider_ = Gate::Lease{};  // its handshake failed
  run_ready();
  std::vector<Gate::Lease> next = take_openers(waiting_);
  ASSERT_EQ(next.size(), 1u) << "one decides next";
  EXPECT_EQ(done(waiting_), 0u) << "the others keep waiting";
  gate_.opened(std::make_shared<SharedConnection>(kOrigin), next[0]);
  run_ready();
  EXPECT_EQ(done(waiting_), 9u);
}

TEST_F(PipeWaitTest, NobodyWaitsLongerThanItsOwnHandshakeWouldTake) {
  start_eleven();
  run_for(kFar * Gate::kPipeWaitRoundTrips + kPatience);
  EXPECT_EQ(take_openers(waiting_).size(), 10u);
}

// Behind a TCP terminator (a proxy, a sidecar) a far origin's round trip looks like
// loopback's: with nothing measured yet, the requests wait for the answer, however long.
TEST_F(PipeWaitTest, AnOriginThatOnlyLooksNearIsWaitedForUntilTheAnswer) {
  std::vector<Pending> requests;
  std::vector<Gate::Lease> openers = eleven_together(requests);
  ASSERT_EQ(openers.size(), Gate::kConnectionsPerNearOrigin);
  openers[0].connected(kNear);
  Pending decider = spawn(gate_.reconsider(std::move(openers[0]), Clock::now() + 10s));
  run_ready();
  ASSERT_TRUE(decider->has_value());
  Gate::Lease deciding = std::move((*decider)->lease);
  openers.erase(openers.begin());
  std::vector<Pending> waiting = reconsider_all(openers, kNear);
  run_for(kFar * 10 + kPatience);
  EXPECT_EQ(done(waiting), 0u) << "a far server's handshake is still worth waiting for";
  // The first opening waited on the network: the five that waited for a place opened too,
  // and wait for the answer after their TCP connects.
  std::vector<Gate::Lease> late = take_openers(requests);
  ASSERT_EQ(late.size(), 11u - Gate::kConnectionsPerNearOrigin);
  for (Pending& request : reconsider_all(late, kNear)) waiting.push_back(std::move(request));
  run_ready();
  auto shared = std::make_shared<SharedConnection>(kOrigin);
  gate_.opened(shared, deciding);
  run_ready();
  ASSERT_EQ(done(waiting), 10u);
  for (const Pending& request : waiting) EXPECT_EQ((*request)->connection, shared);
}

TEST_F(PipeWaitTest, WithHttp11OnlyNobodyWaitsForAnAnswer) {
  Gate h1{pool_, kPatience, 0, /*http2=*/false};
  EXPECT_FALSE(h1.offers_http2(kOrigin));
  std::vector<Pending> requests;
  for (int n = 0; n < 3; ++n) requests.push_back(spawn(h1.acquire(kOrigin, Clock::now() + 10s)));
  run_ready();
  std::vector<Gate::Lease> openers = take_openers(requests);
  ASSERT_EQ(openers.size(), 3u);
  std::vector<Pending> again;
  for (Gate::Lease& lease : openers) {
    lease.connected(kNear);
    again.push_back(spawn(h1.reconsider(std::move(lease), Clock::now() + 10s)));
  }
  run_ready();
  EXPECT_EQ(take_openers(again).size(), 3u) << "each goes on with its own handshake at once";
}

TEST_F(PipeWaitTest, AnOriginKnownToSpeakHttp11IsNotWaitedFor) {
  start_eleven();
  gate_.opened(connection_to(), decider_);
  run_ready();
  std::vector<Gate::Lease> leases = take_openers(waiting_);
  leases.resize(1);
  std::vector<Pending> again = reconsider_all(leases, kFar);
  run_ready();
  EXPECT_EQ(take_openers(again).size(), 1u);
}

TEST_F(PipeWaitTest, Http11RequiredStopsTheSharingAndTheOffer) {
  start_eleven();
  gate_.opened(std::make_shared<SharedConnection>(kOrigin), decider_);
  run_ready();
  EXPECT_TRUE(gate_.offers_http2(kOrigin));
  gate_.require_http1(kOrigin);
  EXPECT_FALSE(gate_.offers_http2(kOrigin));
  Pending later = start();
  run_ready();
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ((*later)->connection, nullptr) << "the HTTP/2 connection takes no more";
}

TEST_F(PipeWaitTest, AClosedSharedConnectionLeavesThePool) {
  start_eleven();
  auto shared = std::make_shared<SharedConnection>(kOrigin);
  gate_.opened(shared, decider_);
  run_ready();
  shared->close();
  Pending later = start();
  run_ready();
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ((*later)->connection, nullptr);
  EXPECT_EQ(pool_.idle(), 0u);
}

// --parallel-max-host: a hard cap for every origin.
class CappedGateTest : public ConnectionGateTest {
 protected:
  Gate capped_{pool_, kPatience, 2};
  Pending start_capped(const OriginKey& origin, Clock::time_point deadline = Clock::now() + 10s) {
    return spawn(capped_.acquire(origin, deadline));
  }
};

TEST_F(CappedGateTest, PlainHttpQueuesOnceTheCapIsInUse) {
  std::vector<Pending> requests;
  for (int n = 0; n < 5; ++n) requests.push_back(start_capped(kPlainOrigin));
  run_ready();
  EXPECT_EQ(done(requests), 2u) << "two may open, three wait";
  std::vector<Gate::Lease> leases = take_openers(requests);
  ASSERT_EQ(leases.size(), 2u);
  // A finished request hands its connection to the first waiter, with its lease.
  capped_.give_back(connection_to(kPlainOrigin), std::move(leases[0]));
  run_ready();
  EXPECT_EQ(done(requests), 1u);
  // A connection that closes instead frees its place: the next waiter opens one.
  leases[1] = Gate::Lease{};
  run_ready();
  EXPECT_EQ(done(requests), 2u);
  EXPECT_EQ(take_openers(requests).size(), 1u);
}

TEST_F(CappedGateTest, OtherOriginsAreNotHeldUp) {
  std::vector<Pending> requests;
  for (int n = 0; n < 3; ++n) requests.push_back(start_capped(kPlainOrigin));
  const Pending other = start_capped(OriginKey{Scheme::http, "b", 80});
  run_ready();
  EXPECT_EQ(done(requests), 2u);
  EXPECT_TRUE(other->has_value());
}

TEST_F(CappedGateTest, AWaiterGivesUpAtItsDeadline) {
  std::vector<Pending> requests;
  for (int n = 0; n < 2; ++n) requests.push_back(start_capped(kOrigin));
  run_ready();
  std::vector<Gate::Lease> leases = take_openers(requests);
  const Pending late = start_capped(kOrigin, Clock::now() + 50ms);
  run_ready();
  EXPECT_FALSE(late->has_value());
  run_for(2s);
  ASSERT_TRUE(late->has_value()) << "never past its deadline";
  EXPECT_EQ((*late)->connection, nullptr);
}

}  // namespace
}  // namespace fetch
