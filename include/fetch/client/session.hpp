#pragma once
// What every URL's fetch shares: the long-lived services (owned by the Runtime, see
// app/runtime.hpp) and the settings from the options. All on one single-threaded io_context.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <optional>

#include "fetch/client/retry_policy.hpp"
#include "fetch/core/request.hpp"

namespace fetch {

class ConnectionGate;
class Connector;
class DecoderMemory;
class OutputDir;
class Routes;

struct ClientSettings {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds max_time{30'000};
  unsigned max_redirects = 10;
  std::optional<std::uint64_t> max_filesize;
  bool decode = true;   // undo content codings (--no-compressed: count the body as it came)
  RetrySettings retry;  // --retry and friends (client/retry_policy.hpp)
};

struct Session {
  boost::asio::any_io_executor executor;
  ConnectionGate& gate;           // connections in use and idle (the pool behind it)
  Connector& connector;           // opens new ones
  DecoderMemory& decoder_memory;  // what every body's content decoders share
  Routes& routes;                 // the route (proxy, --connect-to) of each origin
  ClientSettings settings;
  RequestSpec request;              // what is sent to every URL
  OutputDir* output_dir = nullptr;  // --output-dir: where bodies are saved; none: counted only
};

}  // namespace fetch
