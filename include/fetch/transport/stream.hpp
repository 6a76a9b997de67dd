#pragma once
// A connection's byte stream: plain TCP, or TLS over TCP. What the protocols (HTTP/1.1 and,
// later, HTTP/2) read and write; the connector makes them.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <string_view>
#include <utility>
#include <variant>

namespace fetch {

class Watchdog;

using TcpStream = boost::asio::ip::tcp::socket;
using TlsStream = boost::beast::ssl_stream<TcpStream>;

class Stream {
 public:
  explicit Stream(TcpStream tcp) : stream_(std::in_place_type<TcpStream>, std::move(tcp)) {}
  explicit Stream(TlsStream tls) : stream_(std::in_place_type<TlsStream>, std::move(tls)) {}

  // The socket underneath, for deadlines and closing.
  TcpStream& tcp() noexcept;
  // Calls `f` with the stream to speak over (TcpStream& or TlsStream&).
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stream_);
  }
  // Makes `watchdog` close this stream at `when`; false when it has expired already.
  [[nodiscard]] bool arm(Watchdog& watchdog, std::chrono::steady_clock::time_point when);
  // The protocol the server chose by ALPN ("h2", "http/1.1"), or empty: none chosen, or TCP.
  std::string_view alpn() const noexcept;

  // Closes the socket at once (no TLS close_notify): for broken or evicted connections.
  void close() noexcept;

 private:
  std::variant<TcpStream, TlsStream> stream_;
};

}  // namespace fetch
