#pragma once
// HTTP/2 behind the connection seam: one connection carries many exchanges at once, each a
// stream. The protocol is Http2ClientSession (client_session.hpp), without I/O; this class
// owns the socket, with one reader and one writer coroutine on the one io_context. A URL's
// coroutine submits its request and waits on its stream; the session's callbacks only
// update state and wake waiters.
//
// Failure semantics (RFC 9113): a URL's deadline resets its stream (RST_STREAM CANCEL), never
// the connection; a stream the server refused (REFUSED_STREAM, or above a GOAWAY's last
// stream id) or one on a connection that died before any frame of its response came is safe
// to retry elsewhere (Exchange::retry_safe); HTTP_1_1_REQUIRED says so
// (Exchange::http1_required); every other stream error fails the URL with the RFC 9113
// error's name.

#include <memory>

#include "fetch/http2/client_session.hpp"
#include "fetch/tls/sessions.hpp"
#include "fetch/transport/connection.hpp"
#include "fetch/transport/stream.hpp"

namespace fetch {

class Http2Connection final : public Connection {
 public:
  // Starts the session on `stream` (negotiated "h2", or h2c by prior knowledge): queues the
  // preface and SETTINGS and starts reading. `turn`: as for HTTP/1.1, held until the first
  // response.
  Http2Connection(OriginKey origin, Stream stream, HandshakeTurn turn = {},
                  Http2Limits limits = {});
  ~Http2Connection() override;  // closes it

  Protocol protocol() const noexcept override { return Protocol::http2; }
  // The session is alive, took no GOAWAY, and has a stream to spare under the server's
  // SETTINGS_MAX_CONCURRENT_STREAMS.
  bool can_take_request() const noexcept override;

  asio::awaitable<Exchange> exchange(const RequestSpec& spec, const Target& target, BodySink& body,
                                     Watchdog& watchdog, const Deadline& deadline) override;

  void close() noexcept override;
  bool idle() const noexcept override;

  std::size_t open_streams() const noexcept;

 private:
  struct Session;
  std::shared_ptr<Session> session_;  // shared with the reader and writer coroutines
};

}  // namespace fetch
