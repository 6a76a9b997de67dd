#pragma once
// Loopback helpers: free ports, readiness checks and a tiny blocking HTTP/1.1 client used to
// check the test servers themselves (never the code under test).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fetch::test {

using namespace std::chrono_literals;

// A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read it, close). Someone
// else may take it before we use it: callers that bind it must cope with EADDRINUSE.
std::uint16_t free_port();

// True once a TCP connection to host:port succeeds (host is a numeric IPv4 or IPv6 address).
bool can_connect(const std::string& host, std::uint16_t port);

// Whether process `pid` holds a listening TCP socket on `port` (IPv4 or IPv6), by the socket
// inodes of /proc/PID/fd and /proc/net/tcp{,6}: that the listener a test reaches is its own
// server's, not another test's that took the same free port first.
bool listens_on(int pid, std::uint16_t port);

// The pieces of a reply, exactly as they arrived.
struct RawReply {
  std::string head;  // status line and headers, without the blank line
  std::string body;  // everything after the blank line (still chunk-encoded, if it was)
  int status = 0;    // 0 when the status line did not parse
};

// Sends "GET path HTTP/1.1" with Connection: close over plain TCP and reads until the server
// closes. nullopt on any socket failure or when `timeout` passes.
std::optional<RawReply> http_get(const std::string& host, std::uint16_t port, std::string_view path,
                                 std::chrono::milliseconds timeout = 5s);

// The value of header `name` (case-insensitive) in a reply head, if present.
std::optional<std::string> header_value(std::string_view head, std::string_view name);

// One blocking TCP connection to a loopback server, for speaking a protocol by hand (a
// CONNECT, then HTTP inside the tunnel). Every read waits at most the timeout given at
// connection. Closed by the destructor.
class RawClient {
 public:
  // Throws std::system_error when host:port (a numeric address) cannot be connected to.
  RawClient(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout = 5s);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Sends all of `bytes`; false on a socket error.
  bool send(std::string_view bytes);
  // Reads until what arrived holds `delimiter`; returns everything up to and including it
  // (the rest stays buffered for the next read). nullopt when the peer closed, the
  // connection failed or the timeout passed first (see last_error()).
  std::optional<std::string> read_until(std::string_view delimiter);
  // Everything until the peer closes (what was buffered included); nullopt on a reset or
  // when the timeout passes first (see last_error()).
  std::optional<std::string> read_to_end();
  // The errno of the last failed read: EAGAIN when it timed out, ECONNRESET on a reset, 0
  // when the peer closed.
  int last_error() const noexcept { return last_error_; }

 private:
  // Appends one recv() to buffer_; false on end of stream, error or timeout.
  bool receive();

  int fd_ = -1;
  std::string buffer_;
  int last_error_ = 0;
};

// A TCP listener on 127.0.0.1 that never accepts: the kernel completes clients' handshakes
// into its backlog, so they connect, send, and never hear a byte back (a TLS handshake that
// never answers). Closed by the destructor.
class SilentListener {
 public:
  SilentListener();  // throws std::system_error
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  std::uint16_t port() const noexcept { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace fetch::test
