#include "fetch/connection.hpp"

#include <utility>

namespace fetch {

Connection::Connection(std::string origin, TcpStream tcp)
    : origin_(std::move(origin)), stream_(std::in_place_type<TcpStream>, std::move(tcp)) {}

Connection::Connection(std::string origin, TlsStream tls)
    : origin_(std::move(origin)), stream_(std::in_place_type<TlsStream>, std::move(tls)) {}

TcpStream& Connection::tcp() noexcept {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    return tls->next_layer();
  }
  return std::get<TcpStream>(stream_);
}

void Connection::close() noexcept {
  boost::system::error_code ignored;
  tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  tcp().socket().close(ignored);
}

}  // namespace fetch
