#include "fetch/transport/tunnel.hpp"

#include <fmt/format.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <string>

#include "fetch/body/body_sink.hpp"
#include "fetch/http1/response_parser.hpp"
#include "fetch/transport/watchdog.hpp"

namespace fetch {

namespace {

std::string connect_request(std::string_view authority, std::string_view authorization) {
  std::string out = fmt::format("CONNECT {0} HTTP/1.1\r\nHost: {0}\r\n", authority);
  if (!authorization.empty()) out += fmt::format("Proxy-Authorization: {}\r\n", authorization);
  out += "\r\n";
  return out;
}

FetchError proxy_error(errc code, std::string message) {
  return FetchError{Stage::proxy, code, std::move(message)};
}

// What the proxy's status says about the tunnel, once its head is read.
std::optional<FetchError> judge(unsigned status, std::string_view authority, bool sent_credentials,
                                std::string_view proxy) {
  if (status >= 200 && status < 300) return std::nullopt;
  if (status == 407) {
    return proxy_error(errc::proxy_auth_required,
                       sent_credentials
                           ? fmt::format("proxy {} refused the credentials (407)", proxy)
                           : fmt::format("proxy {} asks for credentials (407): give them in the "
                                         "proxy URL, http://USER:PASSWORD@HOST:PORT",
                                         proxy));
  }
  return proxy_error(errc::proxy_refused, fmt::format("proxy {} refused CONNECT to {}: status {}",
                                                      proxy, authority, status));
}

}  // namespace

asio::awaitable<std::optional<FetchError>> open_tunnel(TcpStream& tcp, std::string_view authority,
                                                       std::string_view authorization,
                                                       std::string_view proxy, Watchdog& watchdog,
                                                       const Deadline& phase) {
  const std::string waiting = fmt::format("waiting for proxy {} to open a tunnel", proxy);
  if (!watchdog.arm(tcp, phase.at())) co_return phase.expired(waiting);
  const std::string request = connect_request(authority, authorization);
  auto [write_error, written] = co_await asio::async_write(tcp, asio::buffer(request), use_tuple);
  // The answer to CONNECT has no body, whatever it declares (RFC 9110 9.3.6): read as HEAD.
  BodySink ignored;
  ResponseParser parser{ignored, true};
  boost::beast::flat_buffer buffer;
  std::optional<FetchError> failure;
  while (!write_error && !parser.done() && !parser.failure()) {
    auto [read_error, n] = co_await tcp.async_read_some(buffer.prepare(4096), use_tuple);
    if (n == 0) {
      write_error = read_error;
      break;
    }
    buffer.commit(n);
    const auto data = buffer.data();
    buffer.consume(parser.parse({static_cast<const char*>(data.data()), data.size()}));
  }
  watchdog.release();
  if (watchdog.expired()) co_return phase.expired(waiting);
  if (parser.failure()) {
    co_return proxy_error(errc::proxy_bad_response,
                          fmt::format("proxy {} answered CONNECT with no HTTP response: {}", proxy,
                                      parser.failure()->message));
  }
  if (!parser.done()) {
    co_return proxy_error(errc::proxy_bad_response,
                          fmt::format("proxy {} closed the connection before answering CONNECT{}",
                                      proxy, parser.bytes_consumed() > 0 ? " completely" : ""));
  }
  failure = judge(parser.status(), authority, !authorization.empty(), proxy);
  if (!failure && buffer.size() > 0) {
    // The origin speaks only after our ClientHello: bytes now came from the proxy.
    failure = proxy_error(errc::proxy_bad_response,
                          fmt::format("proxy {} sent bytes after opening the tunnel", proxy));
  }
  co_return failure;
}

}  // namespace fetch
