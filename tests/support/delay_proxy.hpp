#pragma once
// bench/wan_proxy.py as a test fixture: a TCP relay on loopback in front of a server that
// adds a round trip (and its own TCP handshake's), the way a sidecar or a CONNECT proxy
// nearby puts a far server behind a local TCP terminator: the kernel's round trip to it is
// loopback's, the real one is not.

#include <sys/types.h>

#include <cstdint>

namespace fetch::test {

class DelayProxy {
 public:
  // Relays to 127.0.0.1:`target_port`, adding `rtt_ms` per round trip (no bandwidth limit).
  DelayProxy(std::uint16_t target_port, int rtt_ms);
  ~DelayProxy();  // kills it by PID
  DelayProxy(const DelayProxy&) = delete;
  DelayProxy& operator=(const DelayProxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace fetch::test
