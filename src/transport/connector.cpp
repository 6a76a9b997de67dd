#include "fetch/transport/connector.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/ssl/stream_base.hpp>
#include <tuple>
#include <utility>
#include <vector>

#include "fetch/dns/cares_driver.hpp"
#include "fetch/dns/resolver.hpp"
#include "fetch/http1/connection.hpp"
#include "fetch/http2/connection.hpp"
#include "fetch/tls/context.hpp"
#include "fetch/tls/sessions.hpp"
#include "fetch/transport/stream.hpp"
#include "fetch/transport/tunnel.hpp"
#include "fetch/transport/watchdog.hpp"

namespace fetch {

namespace ssl = asio::ssl;
using boost::system::error_code;

// A TCP connection made, or why not.
struct Connector::Dialled {
  std::optional<TcpStream> tcp;
  std::optional<FetchError> error;
  std::chrono::microseconds round_trip{};
  Clock::time_point connected;

  static Dialled failed(FetchError error) {
    Dialled dialled;
    dialled.error = std::move(error);
    return dialled;
  }
};

namespace {

// "example.org:443", as messages name the server.
std::string where(const OriginKey& origin) {
  return fmt::format("{}:{}", origin.host(), origin.port());
}

// Where an origin's TCP connection goes (its route's proxy or --connect-to target, or the
// origin itself), and how messages name it.
struct Peer {
  Endpoint endpoint;
  bool proxy = false;
  std::string label;  // "example.org:443", "proxy 127.0.0.1:3128", ...
};

Peer peer_of(const OriginKey& origin) {
  const Route* route = origin.route();
  if (route == nullptr) {
    return {Endpoint{origin.host(), origin.port(), origin.host_is_ip()}, false, where(origin)};
  }
  if (route->proxy) return {route->dial, true, "proxy " + route->dial.authority()};
  return {route->dial, false,
          fmt::format("{} (--connect-to, for {})", route->dial.authority(), where(origin))};
}

FetchError cannot_connect(const Peer& peer, const error_code& ec) {
  const errc code = peer.proxy                              ? errc::proxy_connect_failed
                    : ec == asio::error::connection_refused ? errc::connect_refused
                                                            : errc::connect_failed;
  return {peer.proxy ? Stage::proxy : Stage::connect, code,
          fmt::format("cannot connect to {}: {}", peer.label, ec.message())};
}

FetchError cannot_resolve(const Peer& peer, const error_code& ec) {
  if (peer.proxy) {
    return {Stage::proxy, errc::proxy_connect_failed,
            fmt::format("cannot resolve {}: {}", peer.label, ec.message())};
  }
  const errc code = is_name_not_found(ec) ? errc::host_not_found : errc::resolve_failed;
  return {Stage::resolve, code,
          fmt::format("cannot resolve '{}': {}", peer.endpoint.host, ec.message())};
}

// The CONNECT target of a tunnel to `origin`: a --connect-to target, or the origin.
std::string tunnel_authority(const OriginKey& origin) {
  const Route* route = origin.route();
  return route->tunnel_to ? route->tunnel_to->authority() : origin.authority();
}

// Tries the addresses in order until one accepts, as asio's range connect does, but keeps
// the socket already opened for the first one: asio's closes and reopens it for every
// address, three more system calls per connection. Returns the last address's error when
// none accepts, or when the watchdog closed the socket.
asio::awaitable<error_code> connect_to_any(TcpStream& tcp,
                                           const std::vector<asio::ip::tcp::endpoint>& endpoints,
                                           const Watchdog& watchdog) {
  error_code error = asio::error::host_not_found;
  for (std::size_t index = 0; index < endpoints.size() && !watchdog.expired(); ++index) {
    if (index > 0) {
      error_code ignored;
      tcp.close(ignored);
      tcp.open(endpoints[index].protocol(), error);
      if (error) {
        break;
      }
    }
    std::tie(error) = co_await tcp.async_connect(endpoints[index], use_tuple);
    if (!error) {
      break;
    }
  }
  co_return error;
}

// The kernel's estimate of the connection's round-trip time, which its TCP handshake gave;
// zero when the kernel cannot say, which counts as a near server.
std::chrono::microseconds round_trip(TcpStream& tcp) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (getsockopt(tcp.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &length) != 0) {
    return {};
  }
  return std::chrono::microseconds{info.tcpi_rtt};
}

// The protocol the server chose by ALPN speaks over the stream (HTTP/1.1 when none was).
std::shared_ptr<Connection> speak(const OriginKey& origin, Stream stream, HandshakeTurn turn = {}) {
  if (stream.alpn() == "h2") {
    return std::make_shared<Http2Connection>(origin, std::move(stream), std::move(turn));
  }
  return std::make_shared<Http1Connection>(origin, std::move(stream), std::move(turn));
}

}  // namespace

Connector::Connector(asio::any_io_executor executor, ssl::context& tls, TlsSessions& sessions,
                     Resolver& resolver, ConnectionGate& gate, bool verify_tls)
    : executor_(std::move(executor)),
      tls_(tls),
      sessions_(sessions),
      resolver_(resolver),
      gate_(gate),
      verify_tls_(verify_tls) {}

asio::awaitable<Opened> Connector::open(const OriginKey& origin, ConnectionGate::Lease& lease,
                                        Watchdog& watchdog, const Deadline& phase) {
  const Clock::time_point started = Clock::now();
  ConnectTimings timings;
  Dialled dialled = co_await dial(origin, watchdog, phase, timings);
  if (dialled.error) {
    co_return Opened{nullptr, std::move(dialled.error), timings};
  }
  if (const Route* route = origin.route(); route && route->proxy && origin.tls()) {
    // The tunnel step: its answer counts as connect time, as curl counts it.
    const Clock::time_point asked = Clock::now();
    std::optional<FetchError> refused =
        co_await open_tunnel(*dialled.tcp, tunnel_authority(origin), route->proxy_authorization,
                             route->dial.authority(), watchdog, phase);
    dialled.connected = Clock::now();
    timings.connect_ms += milliseconds(asked, dialled.connected);
    if (refused) co_return Opened{nullptr, std::move(refused), timings};
  }
  lease.connected(dialled.round_trip);
  if (!origin.tls()) {
    lease.opened(Clock::now() - started);
    Opened opened{speak(origin, Stream{std::move(*dialled.tcp)}), std::nullopt, timings};
    gate_.opened(opened.connection, lease);
    co_return opened;
  }
  Opened opened = co_await secure(origin, std::move(dialled), lease, watchdog, phase, started);
  opened.timings.resolve_ms = timings.resolve_ms;
  opened.timings.connect_ms = timings.connect_ms;
  co_return opened;
}

// Resolves `origin` and makes a TCP connection to one of its addresses.
asio::awaitable<Connector::Dialled> Connector::dial(const OriginKey& origin, Watchdog& watchdog,
                                                    const Deadline& phase,
                                                    ConnectTimings& timings) {
  const Clock::time_point started = Clock::now();
  const Peer peer = peer_of(origin);
  Resolution resolution =
      co_await resolver_.resolve(peer.endpoint.host, peer.endpoint.port, phase.at());
  const Clock::time_point resolved = Clock::now();
  timings.resolve_ms = milliseconds(started, resolved);
  if (resolution.error == asio::error::timed_out) {
    co_return Dialled::failed(phase.expired("resolving " + peer.label));
  }
  if (resolution.error) {
    co_return Dialled::failed(cannot_resolve(peer, resolution.error));
  }

  TcpStream tcp{executor_};
  // Opened here, not in the connect, so that a failed socket() (EMFILE) is reported as such.
  error_code open_error;
  tcp.open(resolution.endpoints.front().protocol(), open_error);
  if (open_error) {
    co_return Dialled::failed(cannot_connect(peer, open_error));
  }
  if (!watchdog.arm(tcp, phase.at())) {
    co_return Dialled::failed(phase.expired("connecting to " + peer.label));
  }
  const error_code connect_error = co_await connect_to_any(tcp, resolution.endpoints, watchdog);
  const Clock::time_point connected = Clock::now();
  timings.connect_ms = milliseconds(resolved, connected);
  watchdog.release();  // the socket moves; whoever uses it next watches it in its new place
  if (watchdog.expired()) {
    co_return Dialled::failed(phase.expired("connecting to " + peer.label));
  }
  if (connect_error) {
    co_return Dialled::failed(cannot_connect(peer, connect_error));
  }
  ++opened_;
  Dialled dialled;
  dialled.round_trip = round_trip(tcp);
  dialled.connected = connected;
  // Requests are small and sent whole: never let Nagle hold one back.
  error_code ignored;
  tcp.set_option(asio::ip::tcp::no_delay{true}, ignored);
  dialled.tcp.emplace(std::move(tcp));
  co_return dialled;
}

// The TLS handshake on a dialled connection: resumes the origin's last session (after waiting
// for the origin's first handshake where that pays), unless the gate hands over a connection
// in use that came free meanwhile.
asio::awaitable<Opened> Connector::secure(const OriginKey& origin, Dialled dialled,
                                          ConnectionGate::Lease& lease, Watchdog& watchdog,
                                          const Deadline& phase, Clock::time_point started) {
  Opened opened;
  TlsStream tls{std::move(*dialled.tcp), tls_};
  if (!watchdog.arm(tls.next_layer(), phase.at())) {
    opened.error = phase.expired("TLS handshake with " + where(origin));
    co_return opened;
  }
  if (!prepare_tls_stream(tls.native_handle(), origin.host(), origin.host_is_ip(), verify_tls_) ||
      (!gate_.offers_http2(origin) && !offer_http11_only(tls.native_handle()))) {
    opened.error = FetchError{Stage::tls, errc::tls_setup_failed,
                              "cannot set up TLS for host '" + origin.host() + "'"};
    co_return opened;
  }
  HandshakeTurn turn =
      co_await sessions_.prepare(tls.native_handle(), origin, phase.at(), dialled.round_trip);
  // Now that the origin may be known to be near (its first handshake has ended): a connection
  // in use may come free sooner than this one's handshake would end.
  auto [handed, kept] = co_await gate_.reconsider(std::move(lease), phase.at());
  lease = std::move(kept);
  if (handed) {
    watchdog.release();
    error_code ignored;
    tls.next_layer().close(ignored);
    opened.connection = std::move(handed);
    opened.handed_over = true;
    co_return opened;
  }
  const Clock::time_point handshake_started = Clock::now();
  const std::chrono::nanoseconds busy_at_start = busy_time();
  auto [handshake_error] = co_await tls.async_handshake(ssl::stream_base::client, use_tuple);
  const Clock::time_point handshaken = Clock::now();
  const std::chrono::nanoseconds idle = idle_since(handshake_started, busy_at_start);
  opened.timings.tls_ms = milliseconds(dialled.connected, handshaken);
  watchdog.release();
  if (watchdog.expired()) {
    opened.error = phase.expired("TLS handshake with " + where(origin));
    co_return opened;
  }
  if (handshake_error) {
    opened.error = tls_failure(tls.native_handle(), handshake_error);
    co_return opened;
  }
  turn.succeeded(handshaken - handshake_started);
  lease.opened(handshaken - started, idle);
  opened.connection = speak(origin, Stream{std::move(tls)}, std::move(turn));
  gate_.opened(opened.connection, lease);
  co_return opened;
}

}  // namespace fetch
