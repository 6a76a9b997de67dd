#pragma once
// tests/servers/misbehaving_server.py as a test fixture: one URL path per protocol violation
// (see the script's docstring for the list), over plain TCP or TLS with the `good` leaf.

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace fetch::test {

class MisbehavingServer {
 public:
  struct Config {
    bool tls = false;
    std::string host = "127.0.0.1";  // a numeric address: "127.0.0.1" or "::1"
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

 private:
  Config config_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace fetch::test
