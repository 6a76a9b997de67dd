#include "fetch/http1/connection.hpp"

#include <fmt/format.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <optional>
#include <utility>

#include "fetch/body/body_sink.hpp"
#include "fetch/core/request.hpp"
#include "fetch/http1/request_writer.hpp"
#include "fetch/http1/response_parser.hpp"
#include "fetch/transport/watchdog.hpp"

namespace fetch {

namespace {

namespace http = boost::beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;

// Beast sizes each read by the buffer's free capacity: an unreserved buffer reads a large
// body ~1 KiB per system call (10x slower than curl on a 32 MiB body). 64 KiB reads keep
// bulk transfers at socket speed for 64 KiB of memory per connection.
constexpr std::size_t kReadBufferSize = 64 * 1024;

// The peer closed or reset the connection: on a connection used before, this means the
// server dropped it while idle, and a fresh connection may well succeed.
bool is_connection_gone(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

Exchange retry_on_fresh_connection() {
  Exchange exchange;
  exchange.retry_safe = true;
  return exchange;
}

// Why reading a body failed, in words that say what arrived and which option governs it.
FetchError body_failure(const error_code& ec, const ResponseParser& parser, const BodySink& body,
                        const Deadline& deadline, bool timed_out) {
  const std::uint64_t received = parser.body_bytes();
  if (timed_out) {
    return deadline.expired(fmt::format("reading the body ({} bytes received)", received));
  }
  if (ec == http::error::body_limit) {
    return {Stage::read, errc::body_too_large,
            fmt::format("body larger than --max-filesize ({} bytes)", body.limit().value_or(0))};
  }
  if (ec == http::error::partial_message || is_connection_gone(ec)) {
    std::string message;
    if (const auto declared = parser.content_length()) {
      message = fmt::format("body truncated: connection closed after {} of {} bytes", received,
                            *declared);
    } else if (parser.chunked()) {
      message = fmt::format("chunked body truncated: connection closed after {} bytes", received);
    } else if (ec == ssl::error::stream_truncated) {
      // The body runs until the connection closes; over TLS that close must be authenticated.
      message = fmt::format(
          "body truncated: TLS connection cut without close_notify after {} bytes", received);
    } else {
      message = fmt::format("body truncated: {} after {} bytes", ec.message(), received);
    }
    return {Stage::read, errc::body_truncated, std::move(message)};
  }
  return {Stage::read, errc::bad_body, fmt::format("bad response body: {}", ec.message())};
}

// Why reading a response head failed. `nothing_received`: not one byte of any response.
FetchError head_failure(const error_code& ec, bool nothing_received) {
  if (nothing_received && is_connection_gone(ec)) {
    return {Stage::read, errc::empty_reply,
            "empty reply: connection closed before any response byte"};
  }
  return {Stage::read, errc::bad_response, "bad response header: " + ec.message()};
}

// A parser for the next response head on this connection.
void prepare(std::optional<ResponseParser>& parser, BodySink& body, bool head) {
  parser.emplace(body);
  // A response to HEAD has no body whatever its Content-Length says (RFC 9110 9.3.2):
  // never wait for one.
  parser->skip(head);
  if (const auto limit = body.limit()) {
    parser->body_limit(*limit);
  }
}

}  // namespace

Http1Connection::Http1Connection(OriginKey origin, Stream stream, HandshakeTurn turn)
    : Connection(std::move(origin)), stream_(std::move(stream)), turn_(std::move(turn)) {
  buffer_.reserve(kReadBufferSize);
}

asio::awaitable<Exchange> Http1Connection::exchange(const RequestSpec& spec, const Target& target,
                                                    BodySink& body, Watchdog& watchdog,
                                                    const Deadline& deadline) {
  busy_ = true;
  Exchange exchange = co_await stream_.visit(
      [&](auto& stream) { return exchange_on(stream, spec, target, body, watchdog, deadline); });
  watchdog.release();  // the connection goes back to the pool, or is closed
  busy_ = false;
  // Tickets arrive before the response: the connections waiting for this one's session need
  // wait no longer.
  turn_ = HandshakeTurn{};
  if (exchange.reusable) {
    ++served_;
  }
  co_return exchange;
}

template <class AsyncStream>
asio::awaitable<Exchange> Http1Connection::exchange_on(AsyncStream& stream, const RequestSpec& spec,
                                                       const Target& target, BodySink& body,
                                                       Watchdog& watchdog,
                                                       const Deadline& deadline) {
  const bool used_before = served_ > 0;
  if (!watchdog.arm(stream_.tcp(), deadline.at())) {
    co_return Exchange::failed(deadline.expired("before sending the request"));
  }
  write_request(spec, target, request_);
  auto [write_error, written] =
      co_await asio::async_write(stream, asio::buffer(request_), use_tuple);
  if (write_error) {
    if (watchdog.expired()) {
      co_return Exchange::failed(deadline.expired("sending the request"));
    }
    if (used_before && is_connection_gone(write_error)) {
      co_return retry_on_fresh_connection();
    }
    co_return Exchange::failed(
        {Stage::write, errc::write_failed, "cannot send request: " + write_error.message()});
  }
  const Clock::time_point sent = Clock::now();

  Exchange exchange;
  std::optional<ResponseParser> parser;
  for (bool first_message = true;; first_message = false) {
    prepare(parser, body, spec.head());
    auto [head_error, head_bytes] =
        co_await http::async_read_header(stream, buffer_, *parser, use_tuple);
    if (head_error == http::error::body_limit) {
      // A Content-Length above --max-filesize is refused as soon as the head is read.
      exchange.status = parser->status();
      exchange.content_length = parser->content_length().value_or(0);
      exchange.error = body_failure(head_error, *parser, body, deadline, false);
      co_return exchange;
    }
    if (head_error) {
      if (watchdog.expired()) {
        co_return Exchange::failed(deadline.expired("waiting for the response"));
      }
      const bool nothing_received = first_message && head_bytes == 0 && buffer_.size() == 0;
      if (used_before && nothing_received && is_connection_gone(head_error)) {
        co_return retry_on_fresh_connection();
      }
      co_return Exchange::failed(head_failure(head_error, nothing_received));
    }
    const unsigned status = parser->status();
    // 1xx responses are interim (RFC 9110 section 15.2): the real one follows. 101 would
    // switch protocols, which we never ask for, so it counts as final.
    if (status < 100 || status >= 200 || status == 101) {
      break;
    }
  }
  exchange.ttfb_ms = milliseconds(sent, Clock::now());
  exchange.status = parser->status();
  if (const auto declared = parser->content_length()) {
    exchange.content_length = *declared;
  }

  if (!parser->is_done()) {
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer_, *parser, use_tuple);
    if (body_error) {
      exchange.error = body_failure(body_error, *parser, body, deadline, watchdog.expired());
      co_return exchange;
    }
  }
  // Bytes past the end of the response mean the server framed it wrongly; the connection's
  // stream position is unknowable, so it must not carry another request.
  exchange.reusable = parser->keep_alive() && buffer_.size() == 0;
  exchange.location = parser->location();
  co_return exchange;
}

void Http1Connection::close() noexcept {
  closed_ = true;
  stream_.close();
}

}  // namespace fetch
