#pragma once
// One client connection to an origin: plain TCP or TLS over TCP, with its read buffer.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstdint>
#include <string>
#include <variant>

namespace fetch {

// Deadlines are kept by a Watchdog per fetch, not by the stream (see watchdog.hpp).
using TcpStream = boost::asio::ip::tcp::socket;
using TlsStream = boost::beast::ssl_stream<TcpStream>;

class Connection {
 public:
  Connection(std::string origin, TcpStream tcp);
  Connection(std::string origin, TlsStream tls);

  const std::string& origin() const noexcept { return origin_; }
  TcpStream& tcp() noexcept;  // the socket, for deadlines and closing
  // Calls `f` with the stream to speak HTTP over (TcpStream& or TlsStream&).
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stream_);
  }
  boost::beast::flat_buffer& buffer() noexcept { return buffer_; }
  // Reused for every request on this connection: its capacity is allocated once.
  std::string& request_buffer() noexcept { return request_; }

  // Closes the socket at once (no TLS close_notify): used for broken or evicted connections.
  void close() noexcept;

 private:
  std::string origin_;
  std::variant<TcpStream, TlsStream> stream_;
  // Per connection, never shared: bytes left over belong to this connection only.
  boost::beast::flat_buffer buffer_;
  std::string request_;
};

}  // namespace fetch
