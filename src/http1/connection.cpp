#include "fetch/http1/connection.hpp"

#include <fmt/format.h>

#include "fetch/http1/connection_impl.hpp"

namespace fetch {

template class BasicHttp1Connection<Stream>;

namespace http1_detail {

namespace ssl = asio::ssl;

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

FetchError head_failure(const error_code& ec, bool nothing_received) {
  if (nothing_received && is_connection_gone(ec)) {
    return {Stage::read, errc::empty_reply,
            "empty reply: connection closed before any response byte"};
  }
  return {Stage::read, errc::bad_response, "bad response header: " + ec.message()};
}

void prepare(std::optional<ResponseParser>& parser, BodySink& body, bool head) {
  parser.emplace(body);
  // A response to HEAD has no body whatever its Content-Length says (RFC 9110 9.3.2):
  // never wait for one.
  parser->skip(head);
  if (const auto limit = body.limit()) {
    parser->body_limit(*limit);
  }
}

}  // namespace http1_detail

}  // namespace fetch
