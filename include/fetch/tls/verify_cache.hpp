#pragma once
// Certificate chains already verified in this run, so that a full handshake presenting the
// same chain again (another origin on a shared or wildcard certificate, a server without
// session tickets) skips re-verifying it.
//
// Verifying costs the client ~2.8M instructions per full handshake, a third of it with a
// 200-name certificate: decoding the leaf's extensions, building the chain, an ECDSA
// signature check. What depends on the connection is checked every time: the host name or
// IP address against the leaf (OpenSSL's X509_check_host / X509_check_ip, with the flags the
// connection asked for), the leaf's validity period, and, by OpenSSL in the handshake
// itself, the server's proof that it holds the leaf's private key. Only successes are
// remembered, each for at most kLifetime, as Chromium's caching certificate verifier does.

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace fetch {

class VerifyCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::minutes kLifetime{5};

  // Takes over chain verification for handshakes made with `context`, remembering up to
  // `capacity` chains. `context` must outlive this object.
  VerifyCache(SSL_CTX* context, std::size_t capacity);
  ~VerifyCache();  // hands verification back to OpenSSL
  VerifyCache(const VerifyCache&) = delete;
  VerifyCache& operator=(const VerifyCache&) = delete;

  std::uint64_t hits() const noexcept { return hits_; }
  std::uint64_t misses() const noexcept { return misses_; }

 private:
  static int verify(X509_STORE_CTX* store, void* self);
  int verify(X509_STORE_CTX* store);
  void remember(std::string key, Clock::time_point now);

  SSL_CTX* context_;
  std::size_t capacity_;
  std::unordered_map<std::string, Clock::time_point> verified_;  // chain digest -> when
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace fetch
