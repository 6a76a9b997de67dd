#pragma once
// HTTP/1.1 behind the connection seam: one request at a time on one stream, with the read
// buffer that belongs to this connection alone (bytes left over never reach another).

#include <boost/beast/core/flat_buffer.hpp>
#include <string>

#include "fetch/tls/sessions.hpp"
#include "fetch/transport/connection.hpp"
#include "fetch/transport/stream.hpp"

namespace fetch {

class Http1Connection final : public Connection {
 public:
  // `turn`: when this connection made the first TLS handshake to its origin, the turn that
  // holds the connections waiting for its session; it ends with the first response (servers
  // send tickets before any response byte).
  Http1Connection(OriginKey origin, Stream stream, HandshakeTurn turn = {});

  Protocol protocol() const noexcept override { return Protocol::http1; }
  bool can_take_request() const noexcept override { return !busy_ && !closed_; }

  // One request, one response. The watchdog closes the socket at the deadline, which ends
  // whatever operation is pending. A response the server framed wrongly (bytes past its
  // end), or one that ends the connection, leaves the connection not reusable.
  asio::awaitable<Exchange> exchange(const RequestSpec& spec, const Target& target, BodySink& body,
                                     Watchdog& watchdog, const Deadline& deadline) override;

  void close() noexcept override;

 private:
  template <class AsyncStream>
  asio::awaitable<Exchange> exchange_on(AsyncStream& stream, const RequestSpec& spec,
                                        const Target& target, BodySink& body, Watchdog& watchdog,
                                        const Deadline& deadline);

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::string request_;  // reused for every request: its capacity is allocated once
  HandshakeTurn turn_;
  unsigned served_ = 0;  // responses read to their end
  bool busy_ = false;
  bool closed_ = false;
};

}  // namespace fetch
