#pragma once
// HTTP/1.1 behind the connection seam: one request at a time on one stream, with the read
// buffer that belongs to this connection alone (bytes left over never reach another).
//
// A template over its stream so that the same exchange runs over in-memory streams in the
// unit tests (tests/unit/http1_exchange_test.cpp). The program uses Http1Connection, over a
// TCP or TLS Stream; the definitions are in connection_impl.hpp, instantiated once in
// src/http1/connection.cpp. A stream type provides:
//   visit(f)         calls f with the AsyncStream to speak over
//   arm(watchdog, t) makes the watchdog close the stream at t (false: it already expired)
//   close()          closes it at once

#include <boost/beast/core/flat_buffer.hpp>
#include <string>

#include "fetch/tls/sessions.hpp"
#include "fetch/transport/connection.hpp"
#include "fetch/transport/stream.hpp"

namespace fetch {

template <class StreamType>
class BasicHttp1Connection final : public Connection {
 public:
  // `turn`: when this connection made the first TLS handshake to its origin, the turn that
  // holds the connections waiting for its session; it ends with the first response (servers
  // send tickets before any response byte).
  BasicHttp1Connection(OriginKey origin, StreamType stream, HandshakeTurn turn = {});

  Protocol protocol() const noexcept override { return Protocol::http1; }
  bool can_take_request() const noexcept override { return !busy_ && !closed_; }
  bool idle() const noexcept override { return !busy_; }

  // One request, one response. The watchdog closes the stream at the deadline, which ends
  // whatever operation is pending. A response the server framed wrongly (bytes past its
  // end), or one that ends the connection, leaves the connection not reusable. The request
  // is safe to retry (retry_safe) when the connection had carried a response before and
  // closes before any byte of this one.
  asio::awaitable<Exchange> exchange(const RequestSpec& spec, const Target& target, BodySink& body,
                                     Watchdog& watchdog, const Deadline& deadline) override;

  void close() noexcept override;

  StreamType& stream() noexcept { return stream_; }

 private:
  template <class AsyncStream>
  asio::awaitable<Exchange> exchange_on(AsyncStream& stream, const RequestSpec& spec,
                                        const Target& target, BodySink& body, Watchdog& watchdog,
                                        const Deadline& deadline);

  StreamType stream_;
  boost::beast::flat_buffer buffer_;
  std::string request_;  // reused for every request: its capacity is allocated once
  HandshakeTurn turn_;
  unsigned served_ = 0;  // responses read to their end
  bool busy_ = false;
  bool closed_ = false;
};

using Http1Connection = BasicHttp1Connection<Stream>;
extern template class BasicHttp1Connection<Stream>;

}  // namespace fetch
