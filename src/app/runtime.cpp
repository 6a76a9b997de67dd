#include "fetch/app/runtime.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <csignal>

namespace fetch {

namespace {

// A session costs ~2 KiB and saves a full handshake (~1 ms of CPU): remember as many origins
// as the pool may keep connections to, and never fewer than a few hundred.
constexpr std::size_t kMinTlsSessionOrigins = 256;
// Chains verified once are not verified again for the next full handshake (see
// verify_cache.hpp); a chain costs a few KiB at most.
constexpr std::size_t kVerifiedChains = 1024;

std::size_t idle_connections(unsigned concurrency) {
  return std::size_t{Runtime::kIdleConnectionsPerWorker} * concurrency;
}

// OpenSSL's atexit clean-up frees its tables one by one: ~1.3 million instructions, a few
// per cent of a short run, for memory the kernel takes back anyway. It must come before any
// other OpenSSL call, so it runs before the TLS context is made.
boost::asio::ssl::context make_context(const TlsSettings& settings) {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
  try {
    return make_tls_context(settings);
  } catch (const std::runtime_error& error) {
    throw SetupError(error.what());
  }
}

Resolver make_resolver(const boost::asio::any_io_executor& executor, const DnsSettings& dns,
                       std::vector<ResolveOverride> overrides) {
  try {
    return Resolver(executor, dns, std::move(overrides));
  } catch (const std::runtime_error& error) {
    throw SetupError(error.what());
  }
}

}  // namespace

Runtime::Runtime(const RuntimeConfig& config)
    : signals_(io_, SIGINT, SIGTERM),
      tls_(make_context(config.tls)),
      verify_cache_(tls_.native_handle(), kVerifiedChains),
      tls_sessions_(tls_.native_handle(),
                    std::max(kMinTlsSessionOrigins, idle_connections(config.concurrency)),
                    config.tls_session_reuse),
      resolver_(make_resolver(io_.get_executor(), config.dns, config.resolve)),
      pool_(idle_connections(config.concurrency)),
      gate_(pool_, ConnectionGate::kMinPatience, config.parallel_max_host, config.tls.http2),
      connector_(io_.get_executor(), tls_, tls_sessions_, resolver_, gate_, config.tls.verify),
      routes_(config.routes),
      session_{io_.get_executor(), gate_,         connector_, decoder_memory_, routes_,
               config.client,      config.request} {}

Runtime::~Runtime() = default;

}  // namespace fetch
