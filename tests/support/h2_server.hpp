#pragma once
// tests/servers/h2_server.py as a test fixture: an HTTP/2 server (python3-h2) with one URL
// path per protocol violation (see the script's docstring for the list), over TLS with ALPN
// "h2" (by default with the `good` leaf of the test PKI) or h2c with prior knowledge, plus a
// plain HTTP/1.1 control port for its counters and its request log.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fetch::test {

class H2Server {
 public:
  struct Config {
    // false: the main port speaks h2c with prior knowledge on plain TCP.
    bool tls = true;
    // TLS only: also serve h2c with prior knowledge on a second port (h2c_port()).
    bool also_h2c = false;
    std::string host = "127.0.0.1";  // a numeric address: "127.0.0.1" or "::1"
    // TLS only. Files of pki_dir(): the certificate (a chain when it holds several, leaf
    // first) and its key.
    std::string cert = "good.pem";
    std::string key = "good.key";
    std::string alpn{};  // the ALPN protocols accepted, comma-separated; empty: "h2"
    // A connection-level misbehaviour from each connection's start: "stop-reading",
    // "settings-flood" or "ping-flood"; empty: none.
    std::string mode{};
    std::optional<int> max_concurrent_streams{};  // SETTINGS_MAX_CONCURRENT_STREAMS (100)
    std::optional<int> initial_window_size{};     // SETTINGS_INITIAL_WINDOW_SIZE (65535)
    // How long the server waits before handing back, by WINDOW_UPDATE, the window that
    // request bodies used; 0: at once.
    double window_update_delay_seconds = 0;
  };

  // What the server counted since it started (or since reset()); see the script's /stats.
  struct Stats {
    long connections = 0;             // accepted on the HTTP/2 ports (TLS: handshake complete)
    long h2_connections = 0;          // of those, the ones that spoke HTTP/2
    long h1_connections = 0;          // the ones answered over HTTP/1.1 (no "h2" negotiated)
    long streams = 0;                 // requests received, on all connections
    long max_concurrent_streams = 0;  // the most streams open at once on one connection
    long rst_stream_received = 0;
    long goaway_received = 0;
    long ping_received = 0;
    long settings_received = 0;  // not counting ACKs
    long window_update_received = 0;
    long data_bytes_received = 0;  // request bodies
  };

  // One request, as the server received it.
  struct Request {
    long connection = 0;   // the connection's number: 1 for the first the server accepted
    long stream = 0;       // its stream id (0 over HTTP/1.1)
    std::string protocol;  // "h2", "h2c" or "http/1.1"
    std::string method;
    std::string path;                                          // with the query string
    std::vector<std::pair<std::string, std::string>> headers;  // pseudo-headers included
  };

  // Starts the server and reads its ports. Throws std::runtime_error when it does not report
  // them within a few seconds.
  H2Server();
  explicit H2Server(Config config);
  ~H2Server();  // kills it by PID
  H2Server(const H2Server&) = delete;
  H2Server& operator=(const H2Server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::uint16_t control_port() const noexcept { return control_port_; }
  std::uint16_t h2c_port() const noexcept { return h2c_port_; }  // 0 unless also_h2c
  // "https://127.0.0.1:PORT" + path (http:// when !tls; [::1] as configured).
  std::string url(std::string_view path) const;
  // "http://127.0.0.1:H2C_PORT" + path: the also_h2c port.
  std::string h2c_url(std::string_view path) const;

  // The counters; nullopt when the query failed.
  std::optional<Stats> stats() const;
  // Every request received so far, in order of arrival; nullopt when the query failed.
  std::optional<std::vector<Request>> requests() const;
  // Zeroes the counters and empties the request log; false when the query failed.
  bool reset() const;

 private:
  std::string base(bool tls, std::uint16_t port) const;

  Config config_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t control_port_ = 0;
  std::uint16_t h2c_port_ = 0;
};

}  // namespace fetch::test
