#pragma once
// tests/servers/fake_dns_server.py on a loopback UDP port: a name server whose answer depends
// on the first label of the name (ok*, nx*, servfail*, refused*, garbage*, slow*, silent*).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace fetch::test {

class FakeDnsServer {
 public:
  // `slow_seconds`: how long slow* answers take.
  explicit FakeDnsServer(double slow_seconds = 0.5);
  ~FakeDnsServer();  // kills it by PID and removes its query log
  FakeDnsServer(const FakeDnsServer&) = delete;
  FakeDnsServer& operator=(const FakeDnsServer&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  // The value for fetch's --dns-servers.
  std::string address() const;
  // How many queries of DNS type `qtype` (1 = A, 28 = AAAA) arrived for `name`.
  int queries(const std::string& name, int qtype = 1) const;

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace fetch::test
