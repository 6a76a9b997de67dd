#pragma once
// The long-lived services of a run, built in one documented order and torn down in reverse,
// so that nothing outlives what it refers to. Used alike by the program (app.cpp), the
// fuzzers and the tests:
//
//   io_context       the one thread everything runs on
//   signals          SIGINT/SIGTERM, caught before any slow set-up so that none is lost
//   TLS context      trust store, verification, ALPN, cipher suites
//   verify cache     certificate chains verified once in this run (refers to the context)
//   TLS sessions     resumption per origin (refers to the context)
//   resolver         c-ares, the per-host cache
//   pool             idle connections (hold TLS streams: after the context, before nothing)
//   gate             connections in use, late binding (refers to the pool)
//   connector        opens connections (refers to all of the above)
//   decoder memory   the budget every content decoder allocates from
//   routes           proxies and --connect-to rules, decided when the options were read
//   session          what each URL's fetch sees
//
// Construction throws SetupError, with a message for the user, when a setting cannot be used
// (an unreadable --cacert, malformed --dns-servers); other exceptions mean that the system
// refused a resource (descriptors for epoll or the signal pipe).

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "fetch/body/decoder_memory.hpp"
#include "fetch/client/routes.hpp"
#include "fetch/client/session.hpp"
#include "fetch/core/request.hpp"
#include "fetch/dns/cares_driver.hpp"
#include "fetch/dns/resolver.hpp"
#include "fetch/tls/context.hpp"
#include "fetch/tls/sessions.hpp"
#include "fetch/tls/verify_cache.hpp"
#include "fetch/transport/connector.hpp"
#include "fetch/transport/gate.hpp"
#include "fetch/transport/pool.hpp"

namespace fetch {

struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RuntimeConfig {
  unsigned concurrency = 50;       // -j: sizes the pool and the session cache
  unsigned parallel_max_host = 0;  // --parallel-max-host: connections per origin; 0: no cap
  TlsSettings tls;
  bool tls_session_reuse = true;  // false with --no-sessionid
  DnsSettings dns;
  std::vector<ResolveOverride> resolve;  // --resolve
  ClientSettings client;
  RequestSpec request;
  Routes routes;  // built from the options and the environment (client/routes.hpp)
};

class Runtime {
 public:
  explicit Runtime(const RuntimeConfig& config);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  boost::asio::io_context& io() noexcept { return io_; }
  boost::asio::signal_set& signals() noexcept { return signals_; }
  Session& session() noexcept { return session_; }
  const ConnectionPool& pool() const noexcept { return pool_; }
  // Closes every idle connection (--cold, between passes): the next requests open their own.
  void close_idle_connections() { pool_.clear(); }
  const Connector& connector() const noexcept { return connector_; }

  // Idle connections kept per -j: as curl does (4x its parallel transfers), so that with -j 50
  // over 200 origins each origin keeps its connection between visits.
  static constexpr unsigned kIdleConnectionsPerWorker = 4;

 private:
  boost::asio::io_context io_{1};
  boost::asio::signal_set signals_;
  boost::asio::ssl::context tls_;
  VerifyCache verify_cache_;
  TlsSessions tls_sessions_;
  Resolver resolver_;
  ConnectionPool pool_;
  ConnectionGate gate_;
  Connector connector_;
  DecoderMemory decoder_memory_;
  Routes routes_;
  Session session_;
};

}  // namespace fetch
