#include "fetch/client/hop.hpp"

#include <fmt/format.h>

#include <memory>
#include <utility>

#include "fetch/body/body_sink.hpp"
#include "fetch/input/url.hpp"
#include "fetch/transport/gate.hpp"

namespace fetch {

namespace {

void add(ConnectTimings& sum, const ConnectTimings& more) {
  sum.resolve_ms += more.resolve_ms;
  sum.connect_ms += more.connect_ms;
  sum.tls_ms += more.tls_ms;
}

// Only a proxy answers 407: through one, plain http gets it as a response to the request
// itself, and it is the proxy's refusal (the status is kept).
void refused_by_proxy(const Target& target, Exchange& exchange) {
  const Route* route = target.origin.route();
  if (!route || !route->proxy || exchange.error || exchange.status != 407u) return;
  exchange.error =
      FetchError{Stage::proxy, errc::proxy_auth_required,
                 fmt::format("proxy {} {} (407)", route->dial.authority(),
                             route->proxy_authorization.empty() ? "asks for credentials"
                                                                : "refused the credentials")};
  exchange.reusable = false;
}

}  // namespace

asio::awaitable<Hop> send_hop(Session& session, const RequestSpec& request, const Target& target,
                              const Deadline& deadline, Watchdog& watchdog, BodySink& body) {
  const OriginKey& origin = target.origin;
  // Time queued for a connection in use is not connect time: only --max-time bounds it (the
  // queue's own patience keeps it short).
  // Not a structured binding: clang (the fuzz build) will not capture one in a lambda.
  ConnectionGate::Acquired acquired = co_await session.gate.acquire(origin, deadline.at());
  std::shared_ptr<Connection> connection = std::move(acquired.connection);
  ConnectionGate::Lease lease = std::move(acquired.lease);
  Hop hop;
  if (!connection && deadline.passed()) {
    hop.exchange = Exchange::failed(deadline.expired(
        fmt::format("waiting for a connection to {}:{}", origin.host(), origin.port())));
    co_return hop;
  }
  Deadline phase =
      Deadline::connect_phase(Clock::now(), session.settings.connect_timeout, deadline);
  bool retried = false;
  for (;;) {
    hop.reused = connection != nullptr;
    if (!connection) {
      Opened opened = co_await session.connector.open(origin, lease, watchdog, phase);
      if (opened.error) {
        add(hop.timings, opened.timings);
        hop.exchange = Exchange::failed(std::move(*opened.error));
        co_return hop;
      }
      // A connection handed over was open already: its phases are not this request's.
      if (!opened.handed_over) {
        add(hop.timings, opened.timings);
      }
      connection = std::move(opened.connection);
      hop.reused = opened.handed_over;
    }
    hop.protocol = connection->protocol();
    hop.sent = true;
    hop.exchange = co_await connection->exchange(request, target, body, watchdog, deadline);
    refused_by_proxy(target, hop.exchange);
    const bool shared = hop.protocol == Protocol::http2;
    if (hop.exchange.retry_safe && !retried) {
      // Once, never more: a server that refuses every time gets the request twice.
      retried = true;
      body.reset();
      if (hop.exchange.http1_required) session.gate.require_http1(origin);
      phase = Deadline::connect_phase(Clock::now(), session.settings.connect_timeout, deadline);
      if (!shared) {
        // The same lease carries the fresh connection, with a connect phase of its own.
        connection->close();
        connection.reset();
        continue;
      }
      // A shared connection is left to its other streams; the gate finds another (or the
      // same one, for a stream it refused) as for a new request.
      connection.reset();
      acquired = co_await session.gate.acquire(origin, deadline.at());
      connection = std::move(acquired.connection);
      lease = std::move(acquired.lease);
      continue;
    }
    if (shared) {
      co_return hop;  // it stays in the pool while it lives, for every request to its origin
    }
    if (hop.exchange.reusable) {
      session.gate.give_back(std::move(connection), std::move(lease));
    } else {
      connection->close();
    }
    co_return hop;
  }
}

}  // namespace fetch
