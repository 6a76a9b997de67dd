// Content decoding end to end, over plain TCP and TLS: fetch asks for gzip, deflate, br and
// zstd; each is decoded as it streams in and counted; stacked codings, unknown ones, corrupt,
// cut and trailing streams, a bomb, and --no-compressed.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"
#include "transport_param.hpp"

namespace fetch::test {
namespace {

constexpr std::string_view kPageBytes = "100000";  // what every good coded body decodes to

class ContentCoding : public MatrixTest, public ::testing::WithParamInterface<Transport> {
 protected:
  ContentCoding() : server(MisbehavingServer::Config{.tls = GetParam().tls}) {}

  TsvRecord fetch_path(std::string_view path, std::vector<std::string> options = {}) {
    if (GetParam().tls) options.insert(options.end(), {"--cacert", ca_file()});
    return fetch_one(server.url(path), std::move(options));
  }
  void expect_decoded(const TsvRecord& record, std::string_view encoding) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "true");
    EXPECT_EQ(record["decoded_bytes"], kPageBytes);
    EXPECT_EQ(record["content_encoding"], encoding);
    EXPECT_LT(std::stoull(record["bytes"]), 20000u) << "the wire carried the coded bytes";
    expect_exit(0);
  }
  void expect_decode_error(const TsvRecord& record, std::string_view code) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "false");
    EXPECT_EQ(record["error_stage"], "read");
    EXPECT_EQ(record["error_code"], code);
    expect_exit(1);
  }

  MisbehavingServer server;
};

TEST_P(ContentCoding, EachCodingIsDecoded) {
  for (const auto& [name, encoding] :
       std::vector<std::pair<std::string, std::string>>{{"gzip", "gzip"},
                                                        {"x-gzip", "x-gzip"},
                                                        {"deflate", "deflate"},
                                                        {"deflate-raw", "deflate"},
                                                        {"br", "br"},
                                                        {"zstd", "zstd"}}) {
    SCOPED_TRACE(name);
    expect_decoded(fetch_path("/coded/" + name), encoding);
  }
}

TEST_P(ContentCoding, AChunkedCodedBodyIsDecoded) {
  expect_decoded(fetch_path("/coded-chunked"), "gzip");
}

TEST_P(ContentCoding, TwoStackedCodingsAreUndone) {
  expect_decoded(fetch_path("/coded/gzip-br"), "gzip, br");
}

TEST_P(ContentCoding, MoreThanTwoAreRefused) {
  expect_decode_error(fetch_path("/coded/triple"), "decode_too_many_codings");
}

TEST_P(ContentCoding, AnUnknownCodingIsReportedAndCountedUndecoded) {
  const TsvRecord record = fetch_path("/coded/unknown");
  expect_ok(record, "200", "24");
  EXPECT_EQ(record["decoded_bytes"], "24");
  EXPECT_EQ(record["content_encoding"], "compress");
}

TEST_P(ContentCoding, CorruptCutAndTrailingStreamsAreErrors) {
  for (const char* path : {"/coded/corrupt", "/coded/cut", "/coded/trailing"}) {
    SCOPED_TRACE(path);
    expect_decode_error(fetch_path(path), "decode_corrupt");
  }
}

TEST_P(ContentCoding, ABombStopsAtTheRatioCap) {
  const TsvRecord record = fetch_path("/coded/bomb");
  expect_decode_error(record, "decode_bomb");
  EXPECT_LT(last_.process.elapsed, kPromptly);
}

TEST_P(ContentCoding, MaxFilesizeBoundsTheDecodedBody) {
  const TsvRecord record = fetch_path("/coded/gzip", {"--max-filesize", "50000"});
  expect_decode_error(record, "body_too_large");
  EXPECT_NE(record["error_message"].find("decoded"), std::string::npos) << record.text();
}

TEST_P(ContentCoding, NoCompressedCountsACodedBodyAsItCame) {
  const TsvRecord record = fetch_path("/coded/gzip", {"--no-compressed"});
  SCOPED_TRACE(record.text());
  EXPECT_EQ(record["ok"], "true");
  EXPECT_EQ(record["decoded_bytes"], record["bytes"]);
  EXPECT_EQ(record["content_encoding"], "gzip");
}

TEST_P(ContentCoding, NoBodyToDecodeOnANotModified) {
  const TsvRecord record = fetch_path("/coded-304");
  expect_ok(record, "304", "0");
  EXPECT_EQ(record["content_encoding"], "gzip");
}

INSTANTIATE_TEST_SUITE_P(Over, ContentCoding, both_transports(), transport_name);

// The server's request log is read over plain HTTP: TCP only.
class ContentCodingRequest : public MatrixTest {
 protected:
  TsvRecord fetch_path(std::string_view path, std::vector<std::string> options = {}) {
    return fetch_one(server.url(path), std::move(options));
  }
  MisbehavingServer server;
};

TEST_F(ContentCodingRequest, AcceptEncodingIsSentUnlessNoCompressed) {
  fetch_path("/ok");
  fetch_path("/ok", {"--compressed"});
  fetch_path("/ok", {"--no-compressed"});
  const std::optional<std::string> requests = server.requests_received();
  ASSERT_TRUE(requests);
  const std::string header = "\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n";
  std::size_t count = 0;
  for (std::size_t at = requests->find(header); at != std::string::npos;
       at = requests->find(header, at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << *requests;
}

}  // namespace
}  // namespace fetch::test
