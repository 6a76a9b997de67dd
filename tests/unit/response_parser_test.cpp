// The HTTP/1.1 response parser, fed bytes directly (no sockets): what it keeps, how it frames
// a body whatever the order of the fields, what it tolerates and what it refuses.
#include "fetch/http1/response_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace fetch {
namespace {

// Everything a test looks at once the bytes have been fed.
struct Parsed {
  bool done = false;
  std::optional<ResponseParser::Failure> failure;
  unsigned status = 0;
  std::optional<std::uint64_t> content_length;
  std::string location;
  bool chunked = false;
  bool keep_alive = false;
  std::uint64_t body = 0;
  std::string left_over;  // bytes after the end of the response, not consumed

  bool failed_with(errc code) const { return failure && failure->code == code; }
};

struct Feed {
  std::size_t step = 7;    // bytes per "read", as a socket might deliver them
  bool head = false;       // the request was HEAD
  bool end = false;        // the connection closes after the bytes
  std::string_view cut{};  // ... and how (empty: cleanly)
  std::optional<std::uint64_t> limit{};
  bool redirects_followed = false;
};

// Feeds `bytes` in pieces of `feed.step` bytes, carrying unconsumed bytes over to the next
// piece as a read buffer would, until the response ends or fails.
Parsed parse(std::string_view bytes, Feed feed = {}) {
  BodySink body{feed.limit, feed.redirects_followed};
  ResponseParser parser{body, feed.head};
  std::string pending;
  std::size_t at = 0;
  while (at < bytes.size() && !parser.done() && !parser.failure()) {
    pending.append(bytes.substr(at, feed.step));
    at += feed.step;
    pending.erase(0, parser.parse(pending));
  }
  if (feed.end && !parser.done() && !parser.failure()) parser.end_of_stream(feed.cut);
  if (at < bytes.size()) pending.append(bytes.substr(at));
  return Parsed{parser.done(),           parser.failure(),  parser.status(),
                parser.content_length(), parser.location(), parser.chunked(),
                parser.keep_alive(),     body.wire_bytes(), pending};
}

// --- what it keeps --------------------------------------------------------------------------

TEST(ResponseParser, KeepsStatusLocationAndCountsBody) {
  const Parsed p = parse(
      "HTTP/1.1 302 Found\r\nLocation: /next\r\nLocation: /second\r\n"
      "Content-Length: 5\r\nX-Other: y\r\n\r\nhello");
  ASSERT_FALSE(p.failure) << p.failure->message;
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.status, 302u);
  EXPECT_EQ(p.location, "/next");
  EXPECT_EQ(p.body, 5u);
  EXPECT_EQ(p.content_length, 5u);
  EXPECT_TRUE(p.keep_alive);
}

TEST(ResponseParser, CountsDecodedChunkedBytes) {
  const Parsed p = parse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nabcd\r\na;ext=1\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n",
      {.step = 3});
  ASSERT_FALSE(p.failure) << p.failure->message;
  EXPECT_TRUE(p.done);
  EXPECT_TRUE(p.chunked);
  EXPECT_EQ(p.body, 14u);
  EXPECT_FALSE(p.content_length);
  EXPECT_TRUE(p.keep_alive);
}

TEST(ResponseParser, NeverPreallocatesForAHugeDeclaredBody) {
  // 100 GiB declared: the parser only counts what arrives.
  const Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 107374182400\r\n\r\nabc");
  EXPECT_FALSE(p.failure);
  EXPECT_FALSE(p.done);
  EXPECT_EQ(p.body, 3u);
}

TEST(ResponseParser, LeavesTheBytesAfterTheResponseAlone) {
  const Parsed p =
      parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200", {.step = 100});
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.body, 2u);
  EXPECT_EQ(p.left_over, "HTTP/1.1 200");
}

TEST(ResponseParser, InterimResponsesComeBeforeTheFinalOne) {
  const Parsed p = parse(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.status, 200u);
  EXPECT_EQ(p.body, 2u);
}

TEST(ResponseParser, NoBodyForHeadNoContentOrNotModified) {
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", {.head = true}).done);
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    const Parsed p = parse(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 3\r\n\r\nabc",
                           {.step = 100});
    EXPECT_TRUE(p.done) << status;
    EXPECT_EQ(p.body, 0u) << status;
    EXPECT_EQ(p.left_over, "abc") << status;
  }
}

TEST(ResponseParser, ConnectionCloseAndHttp10AreNotKeptAlive) {
  EXPECT_FALSE(parse("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n").keep_alive);
  EXPECT_FALSE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(
      parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
}

TEST(ResponseParser, ABodyToTheCloseEndsWithACleanClose) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\n\r\nall of it", {.end = true});
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.body, 9u);
  EXPECT_FALSE(p.keep_alive);
  const Parsed cut = parse("HTTP/1.1 200 OK\r\n\r\nall", {.end = true, .cut = "TLS cut"});
  ASSERT_TRUE(cut.failed_with(errc::body_truncated));
  EXPECT_EQ(cut.failure->message, "body truncated: TLS cut after 3 bytes");
}

TEST(ResponseParser, BodiesCutShortAreTruncated) {
  const Parsed length = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd", {.end = true});
  ASSERT_TRUE(length.failed_with(errc::body_truncated));
  EXPECT_EQ(length.failure->message, "body truncated: connection closed after 4 of 10 bytes");
  const Parsed chunked =
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc", {.end = true});
  ASSERT_TRUE(chunked.failed_with(errc::body_truncated));
  EXPECT_EQ(chunked.failure->message, "chunked body truncated: connection closed after 3 bytes");
  const Parsed head = parse("HTTP/1.1 200 OK\r\nContent-Le", {.end = true});
  ASSERT_TRUE(head.failed_with(errc::bad_response));
  EXPECT_EQ(head.status, 200u) << "the status line had arrived";
}

// --- bare LF line endings (RFC 9112 2.2) ------------------------------------------------------

struct LineEndings {
  const char* name;
  const char* bytes;
};
void PrintTo(const LineEndings& c, std::ostream* out) { *out << c.name; }

class BareLf : public ::testing::TestWithParam<LineEndings> {};

TEST_P(BareLf, IsAcceptedWhereverALineEnds) {
  for (const std::size_t step : {std::size_t{1}, std::size_t{4}, std::size_t{1000}}) {
    const Parsed p = parse(GetParam().bytes, {.step = step});
    ASSERT_FALSE(p.failure) << p.failure->message << " (step " << step << ")";
    EXPECT_TRUE(p.done) << step;
    EXPECT_EQ(p.status, 200u);
    EXPECT_EQ(p.body, 5u);
    EXPECT_EQ(p.left_over, "") << step;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Lines, BareLf,
    ::testing::Values(
        LineEndings{"StatusLine", "HTTP/1.1 200 OK\nContent-Length: 5\r\n\r\nhello"},
        LineEndings{"Fields", "HTTP/1.1 200 OK\r\nContent-Length: 5\nX: y\n\nhello"},
        LineEndings{"Everywhere", "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello"},
        LineEndings{"ChunkSizes",
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\n3\ncde\n0\n\n"},
        LineEndings{"Trailers",
                    "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n5\nhello\n0\nT: x\n\n"}),
    [](const ::testing::TestParamInfo<LineEndings>& info) { return info.param.name; });

TEST(ResponseParser, ABareCrIsRefused) {
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n").failed_with(errc::bad_response));
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n").failed_with(errc::bad_response));
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\rX")
                  .failed_with(errc::bad_body));
}

// --- other leniency -----------------------------------------------------------------------------

TEST(ResponseParser, AcceptsWhatEveryClientAccepts) {
  EXPECT_TRUE(parse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").done) << "no reason phrase";
  EXPECT_TRUE(parse("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").done) << "an empty one";
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabc").body, 3u)
      << "whitespace before the colon";
  const Parsed folded =
      parse("HTTP/1.1 302 Found\r\nLocation: /a\r\n b\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(folded.location, "/a b") << "obs-fold is read as a space";
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc").body, 3u);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc").body, 3u);
}

// --- refusals ------------------------------------------------------------------------------------

TEST(ResponseParser, RefusesMalformedHeads) {
  for (const char* bytes : {
           "HTTP/1.1 abc def\r\n\r\n",                  // no status code
           "HTTP/1.1 20 OK\r\n\r\n",                    // two digits
           "HTTP/2 200 OK\r\n\r\n",                     // not HTTP/1.x
           "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",  // no colon
           "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",    // a space in the name
           "HTTP/1.1 200 OK\r\n continued\r\n\r\n",     // continuation first
           "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
           "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc",
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
       }) {
    const Parsed p = parse(bytes);
    EXPECT_TRUE(p.failed_with(errc::bad_response)) << bytes;
    EXPECT_EQ(p.failure->message.rfind("bad response header: ", 0), 0u) << p.failure->message;
  }
  const std::string nul("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27);
  EXPECT_TRUE(parse(nul).failed_with(errc::bad_response));
}

TEST(ResponseParser, KeepsTheStatusOfAHeadItRefuses) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nNo colon\r\n\r\n");
  EXPECT_TRUE(p.failed_with(errc::bad_response));
  EXPECT_EQ(p.status, 200u);
}

TEST(ResponseParser, RejectsStatusesOutsideTheDefinedRange) {
  for (const char* line : {"HTTP/1.1 000 OK\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n",
                           "HTTP/1.1 600 X\r\n\r\n", "HTTP/1.1 999 X\r\n\r\n"}) {
    EXPECT_TRUE(parse(line).failed_with(errc::bad_response)) << line;
  }
}

TEST(ResponseParser, SwitchingProtocolsUnaskedIsAnErrorAtOnce) {
  const Parsed p =
      parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n\x00\x00", {.step = 1000});
  ASSERT_TRUE(p.failed_with(errc::bad_response));
  EXPECT_NE(p.failure->message.find("101"), std::string::npos);
}

TEST(ResponseParser, GarbageIsJudgedAsSoonAsItsBytesAllow) {
  // No line end yet: a status line that cannot start "HTTP/" fails at once, and so does a
  // chunk size that cannot be hex; nobody waits for --max-time.
  EXPECT_TRUE(parse("XTTP/1.1 200", {.step = 1000}).failed_with(errc::bad_response));
  EXPECT_TRUE(parse("<html>", {.step = 1000}).failed_with(errc::bad_response));
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz", {.step = 1000})
                  .failed_with(errc::bad_body));
  EXPECT_FALSE(parse("HTTP/1.", {.step = 1000}).failure) << "a prefix of a status line waits";
}

TEST(ResponseParser, RejectsInvalidChunkSizes) {
  for (const char* size : {"zz", "-5", "", "ffffffffffffffffff", "5 x"}) {
    const std::string bytes =
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + size + "\r\nabc\r\n";
    EXPECT_TRUE(parse(bytes).failed_with(errc::bad_body)) << size;
  }
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n")
                  .failed_with(errc::bad_body))
      << "data longer than its chunk";
}

TEST(ResponseParser, HeadsLargerThanTheLimitAreRefused) {
  const std::string big = "HTTP/1.1 200 OK\r\nX: " + std::string(ResponseParser::kMaxHead, 'a');
  const Parsed p = parse(big, {.step = 4096});
  ASSERT_TRUE(p.failed_with(errc::bad_response));
  EXPECT_NE(p.failure->message.find("header"), std::string::npos);
}

// --- Transfer-Encoding and Content-Length: one rule, whatever the order ------------------------

struct Framing {
  const char* name;
  const char* fields;  // between the status line and the blank line
  bool chunked;        // framed by chunks; otherwise by the close
  bool error;          // refused
};
void PrintTo(const Framing& f, std::ostream* out) { *out << f.name; }

class TransferEncoding : public ::testing::TestWithParam<Framing> {};

TEST_P(TransferEncoding, DecidesTheFramingAndNeverTrustsTheLength) {
  const Framing& f = GetParam();
  const std::string body = f.chunked ? "5\r\nhello\r\n0\r\n\r\n" : "hello";
  const Parsed p = parse(std::string("HTTP/1.1 200 OK\r\n") + f.fields + "\r\n" + body,
                         {.step = 1000, .end = !f.chunked});
  if (f.error) {
    EXPECT_TRUE(p.failed_with(errc::bad_response)) << (p.failure ? "" : "accepted");
    return;
  }
  ASSERT_FALSE(p.failure) << p.failure->message;
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.chunked, f.chunked);
  EXPECT_EQ(p.body, 5u);
  EXPECT_FALSE(p.content_length) << "the length beside Transfer-Encoding is never trusted";
  const bool has_length = std::string_view{f.fields}.find("Content-Length") != std::string::npos;
  EXPECT_EQ(p.keep_alive, f.chunked && !has_length) << "odd framing keeps it out of the pool";
}

INSTANTIATE_TEST_SUITE_P(
    Fields, TransferEncoding,
    ::testing::Values(
        Framing{"Chunked", "Transfer-Encoding: chunked\r\n", true, false},
        Framing{"GzipThenChunked", "Transfer-Encoding: gzip, chunked\r\n", true, false},
        Framing{"ChunkedTwiceInOneField", "Transfer-Encoding: chunked, chunked\r\n", false, true},
        Framing{"ChunkedInTwoFields",
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", false, true},
        Framing{"ChunkedNotLast", "Transfer-Encoding: chunked, gzip\r\n", false, false},
        Framing{"UnknownCoding", "Transfer-Encoding: gzip\r\n", false, false},
        Framing{"UnknownCodingThenLength", "Transfer-Encoding: gzip\r\nContent-Length: 3\r\n",
                false, false},
        Framing{"LengthThenUnknownCoding", "Content-Length: 3\r\nTransfer-Encoding: gzip\r\n",
                false, false},
        Framing{"ChunkedThenLength", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", true,
                false},
        Framing{"LengthThenChunked", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", true,
                false}),
    [](const ::testing::TestParamInfo<Framing>& info) { return info.param.name; });

// --- --max-filesize ----------------------------------------------------------------------------

TEST(ResponseParser, EnforcesTheBodyLimit) {
  const Parsed declared =
      parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", {.limit = 4});
  ASSERT_TRUE(declared.failed_with(errc::body_too_large));
  EXPECT_EQ(declared.failure->message, "body larger than --max-filesize (4 bytes)");
  EXPECT_EQ(declared.content_length, 10u);
  const Parsed chunked =
      parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n0\r\n\r\n",
            {.limit = 4});
  EXPECT_TRUE(chunked.failed_with(errc::body_too_large));
}

TEST(ResponseParser, TheLimitIsForTheBodyKeptNotARedirectsBody) {
  const std::string redirect =
      "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 10\r\n\r\n0123456789";
  EXPECT_TRUE(parse(redirect, {.limit = 4, .redirects_followed = true}).done);
  EXPECT_TRUE(parse(redirect, {.limit = 4}).failed_with(errc::body_too_large))
      << "with --max-redirects 0 the redirect is the response kept";
}

}  // namespace
}  // namespace fetch
