#include "fetch/transport/stream.hpp"

#include <openssl/ssl.h>

#include "fetch/transport/watchdog.hpp"

namespace fetch {

TcpStream& Stream::tcp() noexcept {
  if (auto* tls = std::get_if<TlsStream>(&stream_)) {
    return tls->next_layer();
  }
  return std::get<TcpStream>(stream_);
}

bool Stream::arm(Watchdog& watchdog, std::chrono::steady_clock::time_point when) {
  return watchdog.arm(tcp(), when);
}

std::string_view Stream::alpn() const noexcept {
  const auto* tls = std::get_if<TlsStream>(&stream_);
  if (tls == nullptr) return {};
  const unsigned char* name = nullptr;
  unsigned int length = 0;
  // native_handle() is not const in Beast; the call only reads.
  SSL_get0_alpn_selected(const_cast<TlsStream*>(tls)->native_handle(), &name, &length);
  return {reinterpret_cast<const char*>(name), length};
}

void Stream::close() noexcept {
  boost::system::error_code ignored;
  tcp().shutdown(TcpStream::shutdown_both, ignored);
  tcp().close(ignored);
}

}  // namespace fetch
