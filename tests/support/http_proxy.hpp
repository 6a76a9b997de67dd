#pragma once
// tests/servers/http_proxy.py as a test fixture: an HTTP/1.1 proxy on loopback (CONNECT
// tunnels for https, absolute-form forwarding for plain http) that only ever connects to
// loopback targets, with Basic proxy credentials, refusal modes, counters and a log of the
// request heads it received (see the script's docstring for the exact behaviour).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fetch::test {

class HttpProxy {
 public:
  // How the proxy answers every CONNECT instead of tunnelling (after the credentials check).
  enum class Refusal {
    none,           // tunnel
    status_403,     // 403, Connection: close, then close
    status_407,     // 407 with Proxy-Authenticate: Basic realm="test", then close
    status_502,     // 502, then close
    close,          // close without a byte
    garbage,        // "HTTP/1.1 abc def" and an empty header block, then close
    ok_then_close,  // "HTTP/1.1 200 Connection established", then close at once
    never,          // read the request, never answer
  };

  struct Config {
    std::string host = "127.0.0.1";  // a numeric address: "127.0.0.1" or "::1"
    // "user:password": every proxied request then needs Proxy-Authorization: Basic with
    // these (407 otherwise). Empty: no credentials asked.
    std::string auth{};
    Refusal refuse = Refusal::none;
    // Answer absolute-form (plain http) requests by `refuse` too (ok_then_close: a 200 with
    // Content-Length: 100 and no body, then close).
    bool refuse_forward = false;
    // Wait this long after each CONNECT or absolute-form request head before answering.
    std::chrono::milliseconds delay{0};
    // Host names the proxy treats as these loopback addresses ("proxied.test", "127.0.0.1").
    std::vector<std::pair<std::string, std::string>> map_hosts{};
  };

  // The proxy's counters, as /__proxy/stats reports them.
  struct Stats {
    int connections = 0;      // client connections accepted (not the fixture's queries)
    int open = 0;             // of those, still open
    int connects = 0;         // CONNECT requests received, refused ones included
    int tunnels = 0;          // CONNECTs answered 200
    int forwarded = 0;        // absolute-form requests sent on to an origin
    int auth_failures = 0;    // 407s for missing or wrong credentials
    int refused_targets = 0;  // 403s for targets beyond loopback
  };

  // Starts the proxy and reads its port. Throws std::runtime_error when it does not report
  // one within a few seconds.
  HttpProxy();
  explicit HttpProxy(Config config);
  ~HttpProxy();  // kills it by PID
  HttpProxy(const HttpProxy&) = delete;
  HttpProxy& operator=(const HttpProxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  const std::string& host() const noexcept { return config_.host; }
  // "http://127.0.0.1:PORT" (or "http://[::1]:PORT"): the value for a client's proxy option.
  std::string url() const;
  // The same with the configured credentials in it: "http://user:password@127.0.0.1:PORT".
  std::string url_with_credentials() const;
  // The Proxy-Authorization value the configured credentials make: "Basic dXNlcjpwYXNz".
  std::string expected_authorization() const;

  // The counters now; nullopt when the query failed.
  std::optional<Stats> stats() const;
  // Every request head the proxy received from clients so far (not the fixture's queries,
  // not the bytes inside tunnels), each exactly as it arrived, ending in "\r\n\r\n",
  // Proxy-Authorization included. nullopt when the query failed.
  std::optional<std::vector<std::string>> requests_received() const;

 private:
  Config config_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// "Basic " + base64(user_colon_password): the value of a Basic (Proxy-)Authorization header.
std::string basic_authorization(std::string_view user_colon_password);

}  // namespace fetch::test
