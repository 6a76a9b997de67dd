#pragma once
// tests/servers/single_threaded_server.py as a test fixture: a server as Python's http.server
// is, one connection at a time from a listen queue of five, over plain TCP or TLS (with the
// `good` leaf of the test PKI).

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace fetch::test {

class SingleThreadedServer {
 public:
  // Starts the server and reads its port. Throws std::runtime_error when it does not report
  // one within a few seconds.
  explicit SingleThreadedServer(bool tls);
  ~SingleThreadedServer();  // kills it by PID
  SingleThreadedServer(const SingleThreadedServer&) = delete;
  SingleThreadedServer& operator=(const SingleThreadedServer&) = delete;

  // "http://127.0.0.1:PORT" + path (https with TLS).
  std::string url(std::string_view path) const;

 private:
  bool tls_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace fetch::test
