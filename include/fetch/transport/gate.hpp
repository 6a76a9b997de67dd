#pragma once
// Late binding of requests to connections on near origins: a request that finds no idle
// connection either opens one or waits for one in use to come free, whichever is sooner.
//
// On a loopback or LAN server a TLS handshake costs far more than the round trips it takes:
// ~0.5 ms of our one thread's CPU and as much of the server's, more than a 100 KiB response
// takes to arrive. Fifteen pages started together measured 19.7 ms over fifteen connections
// and 14.3 ms over four (-j 4), and 10 000 small URLs are as fast over six connections as over
// fifty: beyond a few connections, more only add handshakes. So once an origin is known to be
// near, at most kConnectionsPerNearOrigin connections are opened to it while the ones in use
// keep coming free; further requests queue for them, first come first served. A far server
// is different: each connection opens its own congestion window and round trips dominate,
// so requests to it never wait. Plain HTTP follows the same rule, not for the CPU (a TCP
// connect costs little) but for the server: one that serves a connection at a time keeps
// the others in its listen queue, and the queue overflows (below).
//
// Near or far (see kNearRoundTrip) is known once the origin's first connection is ready.
// Until an origin is known to be far, at most kConnectionsPerNearOrigin connections to it are
// being opened (TCP connect, TLS handshake) at once; further requests wait for one of those
// to open or fail. A server's listen queue may be short and its acceptor slow: Python's
// http.server, single-threaded, keeps five; fifty SYNs at once had 44 dropped, retried by the
// kernel after 1 s, then 3 s, and its TLS handshakes waited in the queue, so 300 URLs took
// 4.3 s and 1 000 failed 251 at the connect timeout (curl, which waits for the first ALPN
// answer before connecting, lost 1 s to the same drops). Far is known from the first TCP
// connect's round trip, or from the first opening waiting for the network for kFarOpeningIdle
// before it ends (a TCP terminator in the path answers the connect nearby); a far origin's
// requests all open at once, so the rule costs a far server that little, and a near one
// nothing: six connections are what it gets anyway.
//
// A TCP connection once made goes on to its handshake (it may wait for the origin's first
// handshake, tls_sessions.hpp, and for an ALPN answer, below): a single-threaded server that
// accepted it waits for its ClientHello and serves nobody else meanwhile.
//
// Waiting must never cost much: a queued request opens a connection of its own as soon as
// no connection to the origin has come free for as long as opening one takes (at least
// kMinPatience), so a slow server still gets every request in parallel, a few ms late (six
// openings at a time). A server that serves one connection at a time makes progress every
// few ms, connection after connection, and keeps the queue waiting.
//
// HTTP/2 (near and far alike): one connection carries every request to its origin. While
// the handshake that will tell an origin's protocol is under way, the requests that made TCP
// connections beside it (five at most until the origin is known to be far; the others wait
// for a place, and get the shared connection there) wait, right before their own handshakes,
// for its ALPN answer (as curl's PIPEWAIT does, but after their TCP connects, so that an
// HTTP/1.1 server loses at most the rest of one handshake). "h2": they all ride it, and their TCP
// connections close unused; "http/1.1": they go on with handshakes of their own. They never wait
// longer than their own handshake would take (what the origin's last opening took, else
// kPipeWaitRoundTrips of a far round trip; kMinPatience at least); an origin that only looks near
// (its kernel round trip, which a TCP terminator in the path fakes) with nothing measured yet is
// waited for until the answer or the connect deadline, as curl does. The gate remembers each
// origin's protocol, and which origins want HTTP/1.1 only (HTTP_1_1_REQUIRED), for as many origins
// as kLearnedOrigins.
// --parallel-max-host is a hard cap on top, for every origin (plain HTTP too): once that
// many connections to an origin are in use, further requests queue, however long it takes,
// until one comes free or closes. Idle ones are taken first, so an origin never has more
// connections open than the cap, idle ones included.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "fetch/core/busy_clock.hpp"
#include "fetch/core/origin_key.hpp"
#include "fetch/transport/connection.hpp"

namespace fetch {

class ConnectionPool;

class ConnectionGate {
 public:
  using Clock = std::chrono::steady_clock;
  // An origin is near when a TCP connect to it shows a round trip below kNearRoundTrip and
  // its first TLS handshake waited less than kFarIdle (core/busy_clock.hpp) for the network:
  // a new TLS connection to it then costs more in CPU (ours and the server's, ~0.5 ms each)
  // than in round trips. The second condition sees what the first cannot: a terminator that
  // accepts TCP nearby for a server far away (through one adding 20 ms, fifteen pages took
  // 152 ms with the queue and 107 ms without). Idle time, not the handshake's wall time, so
  // that a loaded machine (a sanitizer build, fifty handshakes started together, valgrind)
  // does not make a near server look far.
  static constexpr std::chrono::microseconds kNearRoundTrip{500};
  // How many connections a near origin gets before requests queue for them, and how many
  // are opened at once to an origin not known to be far. Browsers open six per host; here
  // six carry 10 000 small URLs as fast as fifty (see above); a listen queue of five (Python's)
  // holds six.
  static constexpr std::size_t kConnectionsPerNearOrigin = 6;
  // An origin's first connection that has waited this long for the network and is not open
  // yet shows a far server (a near one answers a connect, or a TLS hello, within a
  // millisecond or two of its own work): the others stop waiting for it.
  static constexpr std::chrono::milliseconds kFarOpeningIdle{3};
  // The least time a queued request waits for a connection to come free before it opens
  // one: scheduling stalls of a few ms must not turn a queue back into handshakes.
  static constexpr std::chrono::milliseconds kMinPatience{10};
  // How long a request waits for another connection's ALPN answer, in round trips of its
  // own TCP connect: a TLS 1.2 handshake takes two, TLS 1.3 one, plus the server's work.
  static constexpr int kPipeWaitRoundTrips = 3;
  static constexpr std::size_t kLearnedOrigins = 4096;

  struct Origin;

  // A connection to one origin in use: being opened, or carrying a request. Counts towards
  // the origin's connections while it lives; ending it without giving the connection back
  // (it was closed) lets a queued request open one of its own.
  class Lease {
   public:
    Lease() = default;
    // `opening`: the lease is for a connection about to be opened (not one that exists).
    Lease(std::shared_ptr<Origin> origin, bool opening);
    ~Lease();
    Lease(Lease&& other) noexcept
        : origin_(std::move(other.origin_)),
          decides_(std::exchange(other.decides_, false)),
          opening_(std::exchange(other.opening_, false)) {}
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    // What opening the leased connection shows about its origin, for the requests behind it:
    // its TCP connect completed with this round trip (tcpi_rtt); it is ready (TLS included)
    // after `took`, of which its TLS handshake spent `handshake_idle` waiting for the network
    // (none for plain TCP).
    void connected(std::chrono::microseconds round_trip);
    void opened(Clock::duration took, std::chrono::nanoseconds handshake_idle = {});

   private:
    friend class ConnectionGate;
    void end() noexcept;
    // Its connection opened, or will not: it no longer counts among the origin's openings.
    void done_opening() noexcept;

    std::shared_ptr<Origin> origin_;
    bool decides_ = false;  // its handshake will tell the origin's protocol; others wait
    bool opening_ = false;  // counted in the origin's openings
  };

  // A connection to use, or none: then open one under the lease. An HTTP/2 connection comes
  // without a lease: it is shared, and counts for no request in particular.
  struct Acquired {
    std::shared_ptr<Connection> connection;
    Lease lease;
  };

  // `pool` keeps the idle connections; it must outlive every call. `min_patience` replaces
  // kMinPatience in tests, whose machines may stall for longer. `max_per_origin`: the most
  // connections in use per origin (--parallel-max-host); 0 for no cap. `http2`: whether TLS
  // connections offer "h2" at all (false with --http1.1: nobody waits for an ALPN answer).
  explicit ConnectionGate(ConnectionPool& pool,
                          std::chrono::milliseconds min_patience = kMinPatience,
                          std::size_t max_per_origin = 0, bool http2 = true);
  ~ConnectionGate();
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // A connection for a request to `origin`: an idle one, or one that a request finishing on
  // it hands over, or else a lease to open a new one. Only requests to an https origin known
  // to be near, or to an origin at its --parallel-max-host cap, ever wait, never past
  // `deadline` (then they come back with a lease and no connection).
  boost::asio::awaitable<Acquired> acquire(OriginKey origin, Clock::time_point deadline);

  // Call right before the TLS handshake of a connection opened under `lease`: when its
  // origin turned out to be near and enough other connections to it are in use, queues as
  // acquire() would. Comes back with a connection
  // to use instead (the TCP one is then not needed), or with none and a lease to go on.
  boost::asio::awaitable<Acquired> reconsider(Lease lease, Clock::time_point deadline);

  // `connection` opened under `lease` (after its TLS handshake, if any): the gate learns its
  // origin's protocol. An HTTP/2 connection becomes shared: it goes to the pool, to every
  // request queued for the origin, and the lease ends. An HTTP/1.1 one lets the requests
  // waiting for the protocol go on.
  void opened(const std::shared_ptr<Connection>& connection, Lease& lease);

  // An HTTP/1.1 `connection` finished a response and can carry another: it goes to the
  // request that has waited longest for its origin, with its lease, or else to the pool.
  void give_back(std::shared_ptr<Connection> connection, Lease lease);

  // The origin answered HTTP_1_1_REQUIRED: from now on its connections offer HTTP/1.1 only
  // and its HTTP/2 connections take no more requests.
  void require_http1(const OriginKey& origin);
  // Whether a new connection to `origin` may offer h2 by ALPN.
  bool offers_http2(const OriginKey& origin) const;

  std::size_t origins() const noexcept;  // origins with a connection in use or a request queued

 private:
  struct Origins;  // shared with the leases, which may outlive the gate at shutdown

  std::shared_ptr<Origin> origin(const OriginKey& key);
  // A shared HTTP/2 connection to `key` with a stream to spare, unless the origin wants
  // HTTP/1.1 only; or an idle HTTP/1.1 one.
  std::shared_ptr<Connection> take_idle(const OriginKey& key);
  // Where a request asks for its turn: before opening a connection (acquire()), or with a
  // TCP connection made, right before its TLS handshake (reconsider()).
  enum class Turn { open, handshake };
  // Queues for a connection to `entry` while the rules for `turn` say to: before opening,
  // keep_waiting_until(); before a handshake, only while another connection's handshake
  // will tell the origin's protocol, or the origin is at its --parallel-max-host cap.
  boost::asio::awaitable<Acquired> wait_in_turn(std::shared_ptr<Origin> entry,
                                                Clock::time_point deadline, Turn turn);

  ConnectionPool& pool_;
  std::chrono::milliseconds min_patience_;
  std::size_t max_per_origin_;
  bool http2_;
  std::shared_ptr<Origins> origins_;
};

}  // namespace fetch
