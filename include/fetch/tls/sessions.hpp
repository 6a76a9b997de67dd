#pragma once
// TLS session resumption: the last session each origin issued, offered on the next handshake
// to it, and a gate that lets the first handshake to an origin finish before its siblings so
// that they resume instead of paying for a full handshake each.
//
// A full TLS 1.3 handshake costs the client ~4.8M instructions (decoding the certificate,
// verifying two ECDSA signatures, an X25519 exchange); a resumed one skips the certificate
// work. Fifteen URLs to one host started together would otherwise make fifteen full
// handshakes. Waiting costs round trips, though: the rest of the first handshake, then the
// ticket, which a TLS 1.3 server sends a round trip after it. So only connections to a near
// server wait (see prepare()); to a far one, fifteen parallel full handshakes are sooner.

#include <openssl/ssl.h>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "fetch/core/busy_clock.hpp"
#include "fetch/core/origin_key.hpp"
#include "fetch/core/wait_list.hpp"

namespace fetch {

class TlsSessions;

// The first handshake to an origin, held from before the handshake until that connection's
// first response is read: the connections waiting behind it go on once a session arrives,
// or once it is clear that none will (the handshake failed, no ticket came in time, or the
// response came without one: servers send tickets before any response byte). Empty for
// every other handshake.
class HandshakeTurn {
 public:
  HandshakeTurn() = default;
  HandshakeTurn(std::weak_ptr<TlsSessions*> sessions, OriginKey origin);
  ~HandshakeTurn();  // ends the turn
  HandshakeTurn(HandshakeTurn&& other) noexcept;
  HandshakeTurn& operator=(HandshakeTurn&& other) noexcept;
  HandshakeTurn(const HandshakeTurn&) = delete;
  HandshakeTurn& operator=(const HandshakeTurn&) = delete;

  // The handshake succeeded after `took`. A TLS 1.3 server sends its tickets right after
  // the handshake, about one round trip later: waiters allow it as long again as the
  // handshake took (kMinTicketWait at least) before making full handshakes of their own.
  void succeeded(std::chrono::steady_clock::duration took);

 private:
  void end() noexcept;

  // Empty unless this connection was the first. Weak: a coroutine destroyed at shutdown may
  // outlive the cache.
  std::weak_ptr<TlsSessions*> sessions_;
  OriginKey origin_;
};

class TlsSessions {
 public:
  using Clock = std::chrono::steady_clock;
  // The least time waiters allow for a ticket after the first handshake: scheduling jitter
  // on a busy machine must not turn a dozen resumptions into full handshakes.
  static constexpr std::chrono::milliseconds kMinTicketWait{50};
  // The client CPU a resumed handshake saves over a full one (perf stat, 15 URLs to one
  // host: 4.4 to 9 ms less for 14 resumptions). It is what a waiting connection gains.
  static constexpr std::chrono::microseconds kCpuSavedPerResumption{500};

  // Caches sessions from handshakes made with `context`, for at most `capacity` origins
  // (least recently used forgotten first). With `enabled` false nothing is cached and
  // nobody waits (--no-sessionid). `context` must outlive this object.
  TlsSessions(SSL_CTX* context, std::size_t capacity, bool enabled);
  ~TlsSessions();
  TlsSessions(const TlsSessions&) = delete;
  TlsSessions& operator=(const TlsSessions&) = delete;

  // Call before the handshake on `ssl` to `origin` (a session is never offered to another
  // name or port), whose TCP round trip is `round_trip`. While the
  // first handshake to `origin` is in progress, waits for its session (until `deadline` at
  // the latest) if that is worth two round trips: if they cost less than the CPU saved by the
  // connections opened beside the first so far, this one included (kCpuSavedPerResumption
  // each). The wait ends early once the first handshake has waited kFarIdle for the network:
  // the server is far, whatever `round_trip` (the first hop's) said. Then offers the cached
  // session, if any, and marks `ssl` so that sessions the server issues on it are cached for
  // `origin`.
  boost::asio::awaitable<HandshakeTurn> prepare(SSL* ssl, const OriginKey& origin,
                                                Clock::time_point deadline,
                                                std::chrono::microseconds round_trip);

  std::size_t cached() const noexcept;  // origins with a session

 private:
  friend class HandshakeTurn;

  enum class State {
    first_in_progress,   // the first handshake is under way: others wait for it
    waiting_for_ticket,  // it succeeded; TLS 1.3 tickets are on their way
    open,                // a session is cached, or none came: nobody waits
  };
  struct Origin {
    State state = State::first_in_progress;
    SSL_SESSION* session = nullptr;  // owned reference, or null
    Clock::time_point ticket_deadline = Clock::time_point::max();
    std::size_t joined = 0;  // connections opened while the first handshake was under way
    // When the first handshake began, and our busy time then: its idle time so far tells a
    // far server behind a nearby TCP terminator (core/busy_clock.hpp).
    Clock::time_point first_started{};
    std::chrono::nanoseconds busy_at_first_start{};
    std::shared_ptr<WaitList> waiters = std::make_shared<WaitList>();
    std::uint64_t last_used = 0;
  };

  // Whether the `joined` connections opened beside the first handshake save more CPU by
  // resuming than waiting for its session costs them in round trips.
  static bool worth_waiting(std::size_t joined, std::chrono::microseconds round_trip);
  static int on_new_session(SSL* ssl, SSL_SESSION* session);
  void store(const OriginKey& origin, SSL_SESSION* session);
  void first_handshake_succeeded(const OriginKey& origin, Clock::duration took);
  void first_turn_ended(const OriginKey& origin);
  void evict_if_full();

  SSL_CTX* context_;
  std::size_t capacity_;
  bool enabled_;
  std::shared_ptr<TlsSessions*> self_;  // expires with this object
  std::unordered_map<OriginKey, Origin, OriginKeyHash> origins_;
  std::uint64_t uses_ = 0;
};

}  // namespace fetch
