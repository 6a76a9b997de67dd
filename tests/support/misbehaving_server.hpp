#pragma once
// tests/servers/misbehaving_server.py as a test fixture: one URL path per protocol violation
// (see the script's docstring for the list), over plain TCP or TLS (by default with the `good`
// leaf; any certificate of the test PKI, protocol range and security level can be chosen).

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fetch::test {

class MisbehavingServer {
 public:
  struct Config {
    bool tls = false;
    std::string host = "127.0.0.1";  // a numeric address: "127.0.0.1" or "::1"
    // TLS only. Files of pki_dir(): the certificate (a chain when it holds several, leaf
    // first) and its key.
    std::string cert = "good.pem";
    std::string key = "good.key";
    std::string tls_min{};  // lowest protocol version served: "1.0" ... "1.3"; empty: default
    std::string tls_max{};  // highest one; empty: default
    // OpenSSL security level 0 on the server, so that it can serve what a default client
    // must refuse: RSA 1024, SHA-1 signatures, TLS 1.0 and 1.1.
    bool weak_crypto = false;
  };

  // Starts the server and reads its port. Throws std::runtime_error when it does not
  // report one within a few seconds.
  MisbehavingServer();
  explicit MisbehavingServer(Config config);
  ~MisbehavingServer();  // kills it by PID
  MisbehavingServer(const MisbehavingServer&) = delete;
  MisbehavingServer& operator=(const MisbehavingServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  // "http://127.0.0.1:PORT" + path (https, or [::1], as configured).
  std::string url(std::string_view path) const;

  // Connections accepted so far, not counting those opened by these queries.
  // Plain-TCP servers only (the query speaks plain HTTP); -1 when the query failed.
  int connections_accepted() const;

  // Every request head the server received so far (except these queries), each ending in
  // "\r\n\r\n", as it arrived. Plain-TCP servers only; nullopt when the query failed.
  std::optional<std::string> requests_received() const;

 private:
  Config config_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace fetch::test
