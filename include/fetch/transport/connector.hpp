#pragma once
// Opens connections, in short steps: resolve -> dial -> a CONNECT tunnel (https through a
// proxy, transport/tunnel.hpp) -> TLS with ALPN -> the protocol the server chose (HTTP/2 for
// "h2", else HTTP/1.1). The origin's
// route (core/route.hpp) says where the dial goes: the origin, its --connect-to target, or
// the proxy. TLS always verifies the URL's host. Each step reports its own failure with its
// stage and code, and the phase's time (resolve_ms, connect_ms with the tunnel's answer,
// tls_ms).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <optional>

#include "fetch/core/asio.hpp"
#include "fetch/core/deadline.hpp"
#include "fetch/core/error.hpp"
#include "fetch/core/origin_key.hpp"
#include "fetch/transport/connection.hpp"
#include "fetch/transport/gate.hpp"

namespace fetch {

class Resolver;
class TlsSessions;
class Watchdog;

// Wall-clock milliseconds each phase of opening took.
struct ConnectTimings {
  double resolve_ms = 0;
  double connect_ms = 0;
  double tls_ms = 0;
};

// What opening a connection came to: a connection, or the failure.
struct Opened {
  std::shared_ptr<Connection> connection;
  std::optional<FetchError> error;
  ConnectTimings timings;
  // The gate handed over another request's connection while this one waited to start its
  // TLS handshake (see ConnectionGate::reconsider): this one's phases do not count.
  bool handed_over = false;
};

class Connector {
 public:
  // Every reference must outlive the connector. `verify_tls` is false only with --insecure.
  Connector(asio::any_io_executor executor, asio::ssl::context& tls, TlsSessions& sessions,
            Resolver& resolver, ConnectionGate& gate, bool verify_tls);

  // Opens a connection to `origin` under `lease`, every phase before `phase` (the
  // --connect-timeout deadline, or the URL's own if that comes first), which `watchdog`
  // enforces; tells the lease what the TCP connect and the whole opening showed.
  asio::awaitable<Opened> open(const OriginKey& origin, ConnectionGate::Lease& lease,
                               Watchdog& watchdog, const Deadline& phase);

  // Connections whose TCP connect succeeded so far.
  std::uint64_t opened() const noexcept { return opened_; }

 private:
  struct Dialled;
  asio::awaitable<Dialled> dial(const OriginKey& origin, Watchdog& watchdog, const Deadline& phase,
                                ConnectTimings& timings);
  asio::awaitable<Opened> secure(const OriginKey& origin, Dialled dialled,
                                 ConnectionGate::Lease& lease, Watchdog& watchdog,
                                 const Deadline& phase, Clock::time_point started);

  asio::any_io_executor executor_;
  asio::ssl::context& tls_;
  TlsSessions& sessions_;
  Resolver& resolver_;
  ConnectionGate& gate_;
  bool verify_tls_;
  std::uint64_t opened_ = 0;
};

}  // namespace fetch
