// The lean response parser, fed bytes directly (no sockets): what it keeps and what it rejects.
#include "fetch/http1/response_parser.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string_view>

namespace fetch {
namespace {

namespace http = boost::beast::http;
using boost::beast::error_code;

// Feeds `bytes` in pieces of `step` bytes, as a socket might deliver them; returns the first
// error. Unconsumed bytes are carried over to the next piece, as a read buffer would.
error_code feed(ResponseParser& parser, std::string_view bytes, std::size_t step = 7) {
  std::string pending;
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    pending.append(bytes.substr(at, step));
    error_code ec;
    while (!pending.empty() && !parser.is_done()) {
      const std::size_t used = parser.put(boost::asio::buffer(pending), ec);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) return ec;
      pending.erase(0, used);
      if (used == 0) break;
    }
  }
  return {};
}

TEST(ResponseParser, KeepsStatusLocationAndCountsBody) {
  BodySink body;
  ResponseParser parser{body};
  const auto ec = feed(parser,
                       "HTTP/1.1 302 Found\r\nLocation: /next\r\nLocation: /second\r\n"
                       "Content-Length: 5\r\nX-Other: y\r\n\r\nhello");
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(parser.status(), 302u);
  EXPECT_EQ(parser.location(), "/next");
  EXPECT_EQ(parser.body_bytes(), 5u);
  EXPECT_EQ(parser.content_length().value_or(0), 5u);
  EXPECT_TRUE(parser.keep_alive());
}

TEST(ResponseParser, CountsDecodedChunkedBytes) {
  BodySink body;
  ResponseParser parser{body};
  const auto ec = feed(parser,
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "4\r\nabcd\r\na;ext=1\r\n0123456789\r\n0\r\n\r\n",
                       3);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_done());
  EXPECT_TRUE(parser.chunked());
  EXPECT_EQ(parser.body_bytes(), 14u);
  EXPECT_FALSE(parser.content_length());
}

TEST(ResponseParser, RejectsAnInvalidChunkSize) {
  BodySink body;
  ResponseParser parser{body};
  const auto ec =
      feed(parser, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
  EXPECT_TRUE(ec);
}

TEST(ResponseParser, RejectsConflictingContentLengths) {
  BodySink body;
  ResponseParser parser{body};
  const auto ec =
      feed(parser, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc");
  EXPECT_TRUE(ec);
}

TEST(ResponseParser, RejectsAGarbageStatusLine) {
  BodySink body;
  ResponseParser parser{body};
  EXPECT_TRUE(feed(parser, "HTTP/1.1 abc def\r\n\r\n"));
}

TEST(ResponseParser, EnforcesTheBodyLimit) {
  BodySink body;
  ResponseParser parser{body};
  parser.body_limit(4);
  const auto ec = feed(parser, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
  EXPECT_EQ(ec, http::error::body_limit);
}

TEST(ResponseParser, NeverPreallocatesForAHugeDeclaredBody) {
  BodySink body;
  ResponseParser parser{body};
  // 100 GiB declared: the parser must only count what arrives.
  const auto ec = feed(parser, "HTTP/1.1 200 OK\r\nContent-Length: 107374182400\r\n\r\nabc");
  EXPECT_FALSE(ec);
  EXPECT_FALSE(parser.is_done());
  EXPECT_EQ(parser.body_bytes(), 3u);
}

TEST(ResponseParser, ConnectionCloseIsNotKeptAlive) {
  BodySink body;
  ResponseParser parser{body};
  ASSERT_FALSE(feed(parser, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"));
  EXPECT_TRUE(parser.is_done());
  EXPECT_FALSE(parser.keep_alive());
}

TEST(ResponseParser, RejectsStatusesOutsideTheDefinedRange) {
  for (const char* line : {"HTTP/1.1 000 OK\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n",
                           "HTTP/1.1 600 X\r\n\r\n", "HTTP/1.1 999 X\r\n\r\n"}) {
    BodySink body;
    ResponseParser parser{body};
    EXPECT_EQ(feed(parser, line), http::error::bad_status) << line;
  }
}

}  // namespace
}  // namespace fetch
