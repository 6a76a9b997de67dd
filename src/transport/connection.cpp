#include "fetch/transport/connection.hpp"

#include <utility>

namespace fetch {

namespace {
// Beast sizes each read by the buffer's free capacity: an unreserved buffer reads a large
// body ~1 KiB per system call (10x slower than curl on a 32 MiB body). 64 KiB reads keep
// bulk transfers at socket speed for 64 KiB of memory per connection.
constexpr std::size_t kReadBufferSize = 64 * 1024;
}  // namespace

Connection::Connection(std::string origin, TcpStream tcp)
    : origin_(std::move(origin)), stream_(std::in_place_type<TcpStream>, std::move(tcp)) {
  buffer_.reserve(kReadBufferSize);
}

Connection::Connection(std::string origin, TlsStream tls)
    : origin_(std::move(origin)), stream_(std::in_place_type<TlsStream>, std::move(tls)) {
  buffer_.reserve(kReadBufferSize);
}

TcpStream& Connection::tcp() noexcept {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    return tls->next_layer();
  }
  return std::get<TcpStream>(stream_);
}

void Connection::close() noexcept {
  boost::system::error_code ignored;
  tcp().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  tcp().close(ignored);
}

}  // namespace fetch
