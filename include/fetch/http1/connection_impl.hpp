#pragma once
// The definitions of BasicHttp1Connection (connection.hpp): included by the one translation
// unit that instantiates it for the program's Stream, and by the tests for their in-memory
// streams.

#include <fmt/format.h>

#include <array>
#include <boost/asio/write.hpp>
#include <optional>
#include <string_view>
#include <tuple>
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

using boost::system::error_code;

// Beast sizes each read by the buffer's free capacity: an unreserved buffer reads a large
// body ~1 KiB per system call (10x slower than curl on a 32 MiB body). 64 KiB reads keep
// bulk transfers at socket speed for 64 KiB of memory per connection.
inline constexpr std::size_t kReadBufferSize = 64 * 1024;

// The peer closed or reset the connection: on a connection used before, this means the
// server dropped it while idle, and a fresh connection may well succeed.
bool is_connection_gone(const error_code& ec);
Exchange retry_on_fresh_connection();
FetchError empty_reply();
// A read ended with `ec` before `parser` had the whole response: the connection ended (the
// parser says whether the response was complete then, or what was cut), or reading failed.
std::optional<FetchError> end_of_response(const error_code& ec, ResponseParser& parser);

// What the buffer holds, as text for the parser.
inline std::string_view view(const boost::beast::flat_buffer& buffer) {
  const auto data = buffer.data();
  return {static_cast<const char*>(data.data()), data.size()};
}

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
  const std::string* large_body = write_request(spec, target, request_);
  // Stamped as the write starts: on a socket it completes at once, but the coroutine may
  // resume only after other work, when the response has long arrived.
  const Clock::time_point sent = Clock::now();
  // A large body goes from the spec, not copied, in a write of its own after the head.
  auto [write_error, written] =
      co_await asio::async_write(stream, asio::buffer(request_), use_tuple);
  if (!write_error && large_body) {
    std::tie(write_error, written) =
        co_await asio::async_write(stream, asio::buffer(*large_body), use_tuple);
  }
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

  ResponseParser parser{body, spec.head()};
  std::optional<Clock::time_point> first_byte;
  std::optional<FetchError> read_failure;
  // The response is judged as soon as its bytes allow: whatever arrived is parsed before the
  // next read.
  while (!parser.done() && !parser.failure()) {
    auto [read_error, n] =
        co_await stream.async_read_some(buffer_.prepare(http1_detail::kReadBufferSize), use_tuple);
    if (n > 0) {
      buffer_.commit(n);
      first_byte = first_byte.value_or(Clock::now());
      buffer_.consume(parser.parse(http1_detail::view(buffer_)));
      continue;
    }
    if (watchdog.expired()) {
      read_failure = parser.head_complete()
                         ? deadline.expired(fmt::format("reading the body ({} bytes received)",
                                                        parser.body_bytes()))
                         : deadline.expired("waiting for the response");
      break;
    }
    const bool nothing_received = parser.bytes_consumed() == 0 && buffer_.size() == 0;
    if (nothing_received && http1_detail::is_connection_gone(read_error)) {
      if (used_before) co_return http1_detail::retry_on_fresh_connection();
      co_return Exchange::failed(http1_detail::empty_reply());
    }
    read_failure = http1_detail::end_of_response(read_error, parser);
    break;
  }

  Exchange exchange;
  if (parser.status() != 0) exchange.status = parser.status();  // kept when the rest fails
  exchange.content_length = parser.content_length();
  exchange.ttfb_ms = first_byte ? milliseconds(sent, *first_byte) : 0;
  exchange.location = parser.location();
  exchange.retry_after = parser.retry_after();
  if (read_failure) {
    exchange.error = std::move(read_failure);
  } else if (parser.failure()) {
    exchange.error = FetchError{Stage::read, parser.failure()->code, parser.failure()->message};
  }
  // Bytes past the end of the response mean the server framed it wrongly; the connection's
  // stream position is unknowable, so it must not carry another request.
  exchange.reusable = !exchange.error && parser.keep_alive() && buffer_.size() == 0;
  co_return exchange;
}

template <class StreamType>
void BasicHttp1Connection<StreamType>::close() noexcept {
  closed_ = true;
  stream_.close();
}

}  // namespace fetch
