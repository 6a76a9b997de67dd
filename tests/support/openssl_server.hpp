#pragma once
// `openssl s_server -www` on 127.0.0.1 with a certificate of the test PKI, speaking exactly
// one protocol version. Unlike Python's asyncio TLS, which closes silently when a handshake
// fails, it answers a client it cannot talk to with the proper alert ("protocol version").

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace fetch::test {

class OpensslServer {
 public:
  // `protocol`: "tls1", "tls1_1", "tls1_2" or "tls1_3" (s_server's option, without the dash).
  // Legacy versions are served at security level 0, as OpenSSL 3 requires. Throws
  // std::runtime_error when the server reports no port.
  explicit OpensslServer(std::string_view protocol, std::string_view cert = "good.pem",
                         std::string_view key = "good.key");
  ~OpensslServer();  // kills it by PID
  OpensslServer(const OpensslServer&) = delete;
  OpensslServer& operator=(const OpensslServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  // "https://127.0.0.1:PORT" + path.
  std::string url(std::string_view path) const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace fetch::test
