#pragma once
// The seam between fetching a URL and speaking a protocol: a Connection takes one request
// and gives back one Exchange, a plain value. HTTP/1.1 implements it (http1/connection.hpp);
// HTTP/2 too (http2/connection.hpp), carrying many exchanges at once.
//
// Below this line nothing follows redirects or retries: as Go's RoundTripper puts it, a
// connection "should not attempt to handle higher-level protocol details such as redirects".
// It says whether a retry is safe (retry_safe); client/ decides.

#include <cstdint>
#include <optional>
#include <string>

#include "fetch/core/asio.hpp"
#include "fetch/core/deadline.hpp"
#include "fetch/core/error.hpp"
#include "fetch/core/origin_key.hpp"

namespace fetch {

class BodySink;
class RequestSpec;
struct Target;
class Watchdog;

enum class Protocol : std::uint8_t { http1, http2 };

// One response, as a value.
struct Exchange {
  std::optional<FetchError> error;
  std::optional<unsigned> status;               // the final response's, once its head arrived
  std::optional<std::uint64_t> content_length;  // its Content-Length, if it sent one
  std::string location;                         // its Location header, or empty
  std::string retry_after;                      // its Retry-After header, or empty
  double ttfb_ms = 0;     // request written -> first byte of the final response's head
  bool reusable = false;  // the response ended cleanly and the connection may carry another
  // The server cannot have acted on the request: the connection, used before, turned out
  // closed before any response byte came. The same request may go again on a fresh one.
  bool retry_safe = false;
  // The server answered HTTP/2's HTTP_1_1_REQUIRED: the request may go again, over HTTP/1.1.
  bool http1_required = false;

  static Exchange failed(FetchError error) {
    Exchange exchange;
    exchange.error = std::move(error);
    return exchange;
  }
};

class Connection {
 public:
  explicit Connection(OriginKey origin) : origin_(std::move(origin)) {}
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const OriginKey& origin() const noexcept { return origin_; }
  virtual Protocol protocol() const noexcept = 0;
  // Whether another request may start on it now (HTTP/1.1: it is idle and open; HTTP/2: it
  // is open, took no GOAWAY, and has a stream to spare).
  virtual bool can_take_request() const noexcept = 0;
  // It carries no request now: closing it would cut nothing short.
  virtual bool idle() const noexcept = 0;

  // Sends `spec` for `target` (whose origin is this connection's) and reads the response,
  // its body into `body`, all before `deadline`, which `watchdog` (one per URL) enforces.
  // Failures come back in the Exchange, never as exceptions.
  virtual asio::awaitable<Exchange> exchange(const RequestSpec& spec, const Target& target,
                                             BodySink& body, Watchdog& watchdog,
                                             const Deadline& deadline) = 0;

  // Ends the connection at once; requests in progress on it fail.
  virtual void close() noexcept = 0;

 private:
  OriginKey origin_;
};

}  // namespace fetch
