#include "fetch/http1/connection.hpp"

#include <fmt/format.h>

#include <boost/asio/ssl/error.hpp>

#include "fetch/http1/connection_impl.hpp"

namespace fetch {

template class BasicHttp1Connection<Stream>;

namespace http1_detail {

namespace ssl = asio::ssl;

bool is_connection_gone(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

Exchange retry_on_fresh_connection() {
  // The failure shows only if the retry, too, meets a closed connection.
  Exchange exchange = Exchange::failed(
      {Stage::read, errc::empty_reply,
       "empty reply: the server closed the kept-alive connection before answering"});
  exchange.retry_safe = true;
  return exchange;
}

FetchError empty_reply() {
  return {Stage::read, errc::empty_reply,
          "empty reply: connection closed before any response byte"};
}

std::optional<FetchError> end_of_response(const error_code& ec, ResponseParser& parser) {
  if (!is_connection_gone(ec)) {
    const char* part = parser.head_complete() ? "bad response body: " : "bad response header: ";
    return FetchError{Stage::read, parser.head_complete() ? errc::bad_body : errc::bad_response,
                      part + ec.message()};
  }
  // A body that runs to the close ends with it; over TLS only an authenticated close
  // (close_notify) ends it, a cut one truncates it. Any other body was cut short.
  if (ec == asio::error::eof) {
    parser.end_of_stream({});
  } else if (ec == ssl::error::stream_truncated) {
    parser.end_of_stream("TLS connection cut without close_notify");
  } else {
    parser.end_of_stream(ec.message());
  }
  return std::nullopt;  // the parser's verdict stands
}

}  // namespace http1_detail

}  // namespace fetch
