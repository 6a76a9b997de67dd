#pragma once
// The definitions of BasicHttp1Connection (connection.hpp): included by the one translation
// unit that instantiates it for the program's Stream, and by the tests for their in-memory
// streams.

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <optional>
#include <utility>

#include "fetch/body/body_sink.hpp"
#include "fetch/core/request.hpp"
#include "fetch/http1/connection.hpp"
#include "fetch/http1/request_writer.hpp"
#include "fetch/http1/response_parser.hpp"
#include "fetch/transport/watchdog.hpp"

namespace fetch {

// What the exchange says about failures, in words that say what arrived and which option
// governs it (defined in src/http1/connection.cpp).
namespace http1_detail {

namespace http = boost::beast::http;
using boost::system::error_code;

// Beast sizes each read by the buffer's free capacity: an unreserved buffer reads a large
// body ~1 KiB per system call (10x slower than curl on a 32 MiB body). 64 KiB reads keep
// bulk transfers at socket speed for 64 KiB of memory per connection.
inline constexpr std::size_t kReadBufferSize = 64 * 1024;

// The peer closed or reset the connection: on a connection used before, this means the
// server dropped it while idle, and a fresh connection may well succeed.
bool is_connection_gone(const error_code& ec);
Exchange retry_on_fresh_connection();
// Why reading a body failed.
FetchError body_failure(const error_code& ec, const ResponseParser& parser, const BodySink& body,
                        const Deadline& deadline, bool timed_out);
// Why reading a response head failed. `nothing_received`: not one byte of any response.
FetchError head_failure(const error_code& ec, bool nothing_received);
// A parser for the next response head on this connection.
void prepare(std::optional<ResponseParser>& parser, BodySink& body, bool head);

}  // namespace http1_detail

template <class StreamType>
BasicHttp1Connection<StreamType>::BasicHttp1Connection(OriginKey origin, StreamType stream,
                                                       HandshakeTurn turn)
    : Connection(std::move(origin)), stream_(std::move(stream)), turn_(std::move(turn)) {
  buffer_.reserve(http1_detail::kReadBufferSize);
}

template <class StreamType>
asio::awaitable<Exchange> BasicHttp1Connection<StreamType>::exchange(const RequestSpec& spec,
                                                                     const Target& target,
                                                                     BodySink& body,
                                                                     Watchdog& watchdog,
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

template <class StreamType>
template <class AsyncStream>
asio::awaitable<Exchange> BasicHttp1Connection<StreamType>::exchange_on(
    AsyncStream& stream, const RequestSpec& spec, const Target& target, BodySink& body,
    Watchdog& watchdog, const Deadline& deadline) {
  const bool used_before = served_ > 0;
  if (!stream_.arm(watchdog, deadline.at())) {
    co_return Exchange::failed(deadline.expired("before sending the request"));
  }
  write_request(spec, target, request_);
  auto [write_error, written] =
      co_await asio::async_write(stream, asio::buffer(request_), use_tuple);
  if (write_error) {
    if (watchdog.expired()) {
      co_return Exchange::failed(deadline.expired("sending the request"));
    }
    if (used_before && http1_detail::is_connection_gone(write_error)) {
      co_return http1_detail::retry_on_fresh_connection();
    }
    co_return Exchange::failed(
        {Stage::write, errc::write_failed, "cannot send request: " + write_error.message()});
  }
  const Clock::time_point sent = Clock::now();

  Exchange exchange;
  std::optional<ResponseParser> parser;
  for (bool first_message = true;; first_message = false) {
    http1_detail::prepare(parser, body, spec.head());
    auto [head_error, head_bytes] =
        co_await boost::beast::http::async_read_header(stream, buffer_, *parser, use_tuple);
    if (head_error == boost::beast::http::error::body_limit) {
      // A Content-Length above --max-filesize is refused as soon as the head is read.
      exchange.status = parser->status();
      exchange.content_length = parser->content_length().value_or(0);
      exchange.error = http1_detail::body_failure(head_error, *parser, body, deadline, false);
      co_return exchange;
    }
    if (head_error) {
      if (watchdog.expired()) {
        co_return Exchange::failed(deadline.expired("waiting for the response"));
      }
      const bool nothing_received = first_message && head_bytes == 0 && buffer_.size() == 0;
      if (used_before && nothing_received && http1_detail::is_connection_gone(head_error)) {
        co_return http1_detail::retry_on_fresh_connection();
      }
      co_return Exchange::failed(http1_detail::head_failure(head_error, nothing_received));
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
    auto [body_error, body_bytes] =
        co_await boost::beast::http::async_read(stream, buffer_, *parser, use_tuple);
    if (body_error) {
      exchange.error =
          http1_detail::body_failure(body_error, *parser, body, deadline, watchdog.expired());
      co_return exchange;
    }
  }
  // Bytes past the end of the response mean the server framed it wrongly; the connection's
  // stream position is unknowable, so it must not carry another request.
  exchange.reusable = parser->keep_alive() && buffer_.size() == 0;
  exchange.location = parser->location();
  co_return exchange;
}

template <class StreamType>
void BasicHttp1Connection<StreamType>::close() noexcept {
  closed_ = true;
  stream_.close();
}

}  // namespace fetch
