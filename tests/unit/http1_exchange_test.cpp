// The HTTP/1.1 exchange through the connection seam, over in-memory streams (Beast's
// test::stream): no socket, no process. Each test plays the server's bytes, then reads the
// Exchange the connection gives back.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <variant>

#include "fetch/http1/connection_impl.hpp"
#include "fetch/input/url.hpp"

namespace fetch {
namespace {

using namespace std::chrono_literals;
namespace test = boost::beast::test;

// The connection's end of an in-memory stream pair, as BasicHttp1Connection wants a stream.
struct MemoryStream {
  test::stream stream;

  template <class F>
  decltype(auto) visit(F&& f) {
    return std::forward<F>(f)(stream);
  }
  bool arm(Watchdog& watchdog, Clock::time_point when) { return watchdog.arm(when, &stop, this); }
  void close() noexcept { stream.close(); }
  static void stop(void* self) noexcept { static_cast<MemoryStream*>(self)->stream.close(); }
};

using MemoryConnection = BasicHttp1Connection<MemoryStream>;

// Runs one coroutine to its end on `io`, failing the test (instead of hanging it) when it
// has not finished within `limit`.
template <class T>
std::optional<T> run_coroutine(asio::io_context& io, asio::awaitable<T> coroutine,
                               std::chrono::milliseconds limit = 5s) {
  std::optional<T> result;
  std::exception_ptr failure;
  bool done = false;
  asio::co_spawn(io, std::move(coroutine), [&](std::exception_ptr error, T value) {
    failure = error;
    result = std::move(value);
    done = true;
  });
  // Until it is done, not until the io_context runs out of work: a deadline timer stays
  // armed after the exchange.
  const Clock::time_point end = Clock::now() + limit;
  io.restart();
  while (!done && Clock::now() < end) {
    io.run_one_until(end);
  }
  EXPECT_FALSE(failure) << "the coroutine threw";
  EXPECT_TRUE(result.has_value()) << "the coroutine did not finish within " << limit.count()
                                  << " ms";
  return result;
}

Target target_of(std::string_view url) { return std::get<Target>(parse_target(url)); }

class Http1Exchange : public ::testing::Test {
 protected:
  Http1Exchange()
      : peer_(io_),
        connection_(OriginKey{Scheme::http, "example.test", 80}, MemoryStream{test::stream{io_}}) {
    connection_.stream().stream.connect(peer_);
  }

  // The server's bytes, as the connection will read them.
  void serve(std::string_view bytes) { connection_.stream().stream.append(bytes); }
  // The server closes its end: once the bytes served are read, the connection reads EOF.
  void hang_up() { connection_.stream().stream.close_remote(); }

  // One URL's exchange: its own deadline and watchdog, as the client gives each URL.
  Exchange exchange(const RequestSpec& spec, std::chrono::milliseconds max_time = 5s) {
    const Deadline deadline = Deadline::max_time(Clock::now(), max_time);
    Watchdog watchdog{io_.get_executor()};
    auto exchanged =
        run_coroutine(io_, connection_.exchange(spec, target_, body_, watchdog, deadline));
    return exchanged ? std::move(*exchanged) : Exchange{};
  }
  Exchange get() { return exchange(get_); }

  asio::io_context io_;
  test::stream peer_;  // the server's end: what the connection writes arrives here
  MemoryConnection connection_;
  Target target_ = target_of("http://example.test/path?q=1");
  RequestSpec get_ = default_request("unit-test", false);
  RequestSpec head_ = default_request("unit-test", true);
  BodySink body_;
};

TEST_F(Http1Exchange, SendsTheRequestAndReadsALengthDelimitedResponse) {
  serve("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nLocation: /next\r\n\r\nhello");
  const Exchange result = get();
  EXPECT_FALSE(result.error);
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.content_length, 5u);
  EXPECT_EQ(result.location, "/next");
  EXPECT_EQ(body_.wire_bytes(), 5u);
  EXPECT_TRUE(result.reusable);
  EXPECT_FALSE(result.retry_safe);
  EXPECT_EQ(peer_.str(),
            "GET /path?q=1 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: unit-test\r\n"
            "Accept: */*\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n");
}

TEST_F(Http1Exchange, ReadsAResponseThatArrivesOneByteAtATime) {
  connection_.stream().stream.read_size(1);
  serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  const Exchange result = get();
  EXPECT_FALSE(result.error);
  EXPECT_EQ(result.status, 200u);
  EXPECT_FALSE(result.content_length);
  EXPECT_EQ(body_.wire_bytes(), 5u);
  EXPECT_TRUE(result.reusable);
}

TEST_F(Http1Exchange, InterimResponsesAreSkippedForTheFinalOne) {
  serve(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  const Exchange result = get();
  EXPECT_FALSE(result.error);
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(body_.wire_bytes(), 2u);
  EXPECT_TRUE(result.reusable);
}

TEST_F(Http1Exchange, ABodyCutShortIsTruncatedAndKeepsItsStatus) {
  serve("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd");
  hang_up();
  const Exchange result = get();
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->stage, Stage::read);
  EXPECT_EQ(result.error->code, errc::body_truncated);
  EXPECT_EQ(result.error->message, "body truncated: connection closed after 4 of 10 bytes");
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.content_length, 10u);
  EXPECT_FALSE(result.reusable);
}

TEST_F(Http1Exchange, AChunkedBodyCutShortIsTruncated) {
  serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc");
  hang_up();
  const Exchange result = get();
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, errc::body_truncated);
  EXPECT_EQ(result.error->message, "chunked body truncated: connection closed after 3 bytes");
}

TEST_F(Http1Exchange, StrayBytesAfterTheResponseMakeTheConnectionUnusable) {
  serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n");
  const Exchange result = get();
  EXPECT_FALSE(result.error);
  EXPECT_EQ(body_.wire_bytes(), 2u);
  EXPECT_FALSE(result.reusable);
}

TEST_F(Http1Exchange, ConnectionCloseIsNotReused) {
  serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  const Exchange result = get();
  EXPECT_FALSE(result.error);
  EXPECT_FALSE(result.reusable);
}

TEST_F(Http1Exchange, AReusedConnectionThatDiedIsSafeToRetry) {
  serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(get().reusable);
  hang_up();  // the server's keep-alive timeout closed it while it was idle
  const Exchange result = get();
  EXPECT_TRUE(result.retry_safe);
  ASSERT_TRUE(result.error) << "what to report if the retry meets the same";
  EXPECT_EQ(result.error->code, errc::empty_reply);
  EXPECT_FALSE(result.status);
}

TEST_F(Http1Exchange, AFreshConnectionClosedBeforeAnyByteIsAnEmptyReply) {
  hang_up();
  const Exchange result = get();
  EXPECT_FALSE(result.retry_safe);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, errc::empty_reply);
  EXPECT_EQ(result.error->message, "empty reply: connection closed before any response byte");
}

TEST_F(Http1Exchange, AReusedConnectionThatDiesMidResponseIsNotRetried) {
  serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(get().reusable);
  serve("HTTP/1.1 200 OK\r\nContent-Le");
  hang_up();
  const Exchange result = get();
  EXPECT_FALSE(result.retry_safe);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, errc::bad_response);
}

TEST_F(Http1Exchange, AGarbageHeadIsABadResponse) {
  serve("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n");
  const Exchange result = get();
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->stage, Stage::read);
  EXPECT_EQ(result.error->code, errc::bad_response);
  EXPECT_EQ(result.error->message.rfind("bad response header: ", 0), 0u);
}

TEST_F(Http1Exchange, AResponseToHeadHasNoBodyWhateverItsLength) {
  serve("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  const Exchange result = exchange(head_);
  EXPECT_FALSE(result.error);
  EXPECT_EQ(result.content_length, 1000u);
  EXPECT_EQ(body_.wire_bytes(), 0u);
  EXPECT_TRUE(result.reusable);
  EXPECT_EQ(peer_.str().rfind("HEAD /path?q=1 HTTP/1.1\r\n", 0), 0u);
}

TEST_F(Http1Exchange, ADeclaredLengthAboveTheLimitFailsAtTheHead) {
  body_ = BodySink{10};
  serve("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
  const Exchange result = get();
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, errc::body_too_large);
  EXPECT_EQ(result.error->message, "body larger than --max-filesize (10 bytes)");
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.content_length, 100u);
}

TEST_F(Http1Exchange, TheDeadlineEndsAWaitForTheResponse) {
  const Exchange result = exchange(get_, 50ms);  // the server never answers
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->stage, Stage::timeout);
  EXPECT_EQ(result.error->code, errc::timeout_max_time);
  EXPECT_EQ(result.error->message, "timed out after 0.05 s (--max-time) waiting for the response");
  EXPECT_FALSE(result.reusable);
}

TEST_F(Http1Exchange, AFailedWriteIsAWriteError) {
  test::fail_count fail_first{0};
  MemoryConnection failing{OriginKey{Scheme::http, "example.test", 80},
                           MemoryStream{test::stream{io_, fail_first}}};
  test::stream peer{io_};
  failing.stream().stream.connect(peer);
  const Deadline deadline = Deadline::max_time(Clock::now(), 5s);
  Watchdog watchdog{io_.get_executor()};
  const auto result =
      run_coroutine(io_, failing.exchange(get_, target_, body_, watchdog, deadline));
  ASSERT_TRUE(result && result->error);
  EXPECT_EQ(result->error->stage, Stage::write);
  EXPECT_EQ(result->error->code, errc::write_failed);
}

}  // namespace
}  // namespace fetch
