#pragma once
// Fetches one URL: pool -> resolve -> connect -> TLS -> request -> response, redirects,
// deadlines. Expected failures come back inside the Result, never as exceptions.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "fetch/input/line_source.hpp"
#include "fetch/client/result.hpp"

namespace fetch {

class ConnectionGate;
class ConnectionPool;
class Resolver;
class TlsSessions;

struct ClientSettings {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds max_time{30'000};
  unsigned max_redirects = 10;
  std::optional<std::uint64_t> max_filesize;
  bool verify_tls = true;
  std::string user_agent;
  bool head = false;  // HEAD requests: the response never has a body
};

// The long-lived objects every fetch shares. All live on one single-threaded io_context.
struct Session {
  boost::asio::any_io_executor executor;
  boost::asio::ssl::context& tls;
  TlsSessions& tls_sessions;
  Resolver& resolver;
  ConnectionPool& pool;  // idle connections
  ConnectionGate& gate;  // takes and gives back connections, from the pool or in turn
  ClientSettings settings;
};

// Fetches the URL on `line` and reports what happened.
boost::asio::awaitable<Result> fetch_url(Session& session, InputLine line);

}  // namespace fetch
