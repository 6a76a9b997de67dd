// Plain fetches against nginx: HTTP, HTTPS, IPv6, body sizes, chunked bodies, error statuses.

#include <gtest/gtest.h>

#include "common.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

class HttpFetch : public SingleUrlTest {
 protected:
  // A successful 200 of `size` bytes with a Content-Length, no redirect, no error.
  void expect_ok(const TsvRecord& record, const std::string& url, std::uint64_t size) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["line"], "1");
    EXPECT_EQ(record["url"], url);
    EXPECT_EQ(record["final_url"], url);
    EXPECT_EQ(record["ok"], "true");
    EXPECT_EQ(record["status"], "200");
    EXPECT_EQ(record["content_length"], std::to_string(size));
    EXPECT_EQ(record["bytes"], std::to_string(size));
    EXPECT_EQ(record["redirects"], "0");
    EXPECT_EQ(record["error_stage"], "");
    EXPECT_EQ(record["error_message"], "");
    for (std::string_view column :
         {"elapsed_ms", "resolve_ms", "connect_ms", "tls_ms", "ttfb_ms"}) {
      EXPECT_TRUE(is_number(record[column])) << column << " = " << record[column];
    }
    EXPECT_EQ(record["reused"], "false");
    EXPECT_EQ(last_.process.exit_code, 0) << describe(last_.process);
  }

  NginxServer nginx;
};

TEST_F(HttpFetch, PlainHttpSmallFile) {
  const std::string url = nginx.http_url("/small.txt");
  expect_ok(fetch_one(url), url, nginx.file_size("small.txt"));
}

TEST_F(HttpFetch, HttpsSmallFileWithCacert) {
  const std::string url = nginx.https_url("/small.txt");
  const TsvRecord record = fetch_one(url, {"--cacert", ca_file()});
  expect_ok(record, url, nginx.file_size("small.txt"));
  ASSERT_TRUE(is_number(record["tls_ms"]));
  EXPECT_GT(std::stod(record["tls_ms"]), 0.0) << "a fresh TLS connection took no TLS time";
}

TEST_F(HttpFetch, HttpsByHostNameLocalhost) {
  const std::string url = nginx.https_url_localhost("/small.txt");
  expect_ok(fetch_one(url, {"--cacert", ca_file()}), url, nginx.file_size("small.txt"));
}

TEST_F(HttpFetch, PageOfAHundredKibibytes) {
  const std::string url = nginx.http_url("/page.html");
  expect_ok(fetch_one(url), url, nginx.file_size("page.html"));
}

TEST_F(HttpFetch, LargeBodyIsCountedInFull) {
  const std::string url = nginx.http_url("/large.bin");
  expect_ok(fetch_one(url), url, nginx.file_size("large.bin"));
}

TEST_F(HttpFetch, LargeBodyOverHttps) {
  const std::string url = nginx.https_url("/large.bin");
  expect_ok(fetch_one(url, {"--cacert", ca_file()}), url, nginx.file_size("large.bin"));
}

TEST_F(HttpFetch, ChunkedBodyHasBytesButNoContentLength) {
  const TsvRecord record = fetch_one(nginx.http_url("/chunked"));
  EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(record["status"], "200");
  EXPECT_EQ(record["content_length"], "") << record.text();
  EXPECT_EQ(record["bytes"], std::to_string(nginx.chunked_body().size())) << record.text();
  EXPECT_EQ(last_.process.exit_code, 0);
}

TEST_F(HttpFetch, Ipv6Http) {
  const std::string url = nginx.http_url_v6("/small.txt");
  expect_ok(fetch_one(url), url, nginx.file_size("small.txt"));
}

TEST_F(HttpFetch, Ipv6Https) {
  const std::string url = nginx.https_url_v6("/small.txt");
  expect_ok(fetch_one(url, {"--cacert", ca_file()}), url, nginx.file_size("small.txt"));
}

TEST_F(HttpFetch, NotFoundIsAFailedResultWithItsStatus) {
  const TsvRecord record = fetch_one(nginx.http_url("/missing.txt"));
  EXPECT_EQ(record["ok"], "false") << record.text();
  EXPECT_EQ(record["status"], "404");
  EXPECT_EQ(record["error_stage"], "") << "a response arrived: no stage failed";
  EXPECT_EQ(last_.process.exit_code, 1) << describe(last_.process);
}

TEST_F(HttpFetch, ServerErrorIsAFailedResultWithItsStatus) {
  const TsvRecord record = fetch_one(nginx.http_url("/status/500"));
  EXPECT_EQ(record["ok"], "false") << record.text();
  EXPECT_EQ(record["status"], "500");
  EXPECT_EQ(record["error_stage"], "") << "a response arrived: no stage failed";
  EXPECT_EQ(last_.process.exit_code, 1) << describe(last_.process);
}

TEST_F(HttpFetch, MaxFilesizeFailsLargerBodies) {
  const TsvRecord record = fetch_one(nginx.http_url("/large.bin"), {"--max-filesize", "100000"});
  EXPECT_EQ(record["ok"], "false") << record.text();
  EXPECT_NE(record["error_stage"], "") << record.text();
  EXPECT_NE(record["error_message"], "");
  EXPECT_EQ(last_.process.exit_code, 1);
}

TEST_F(HttpFetch, MaxFilesizeAllowsSmallerBodies) {
  const std::string url = nginx.http_url("/small.txt");
  expect_ok(fetch_one(url, {"--max-filesize", "100000"}), url, nginx.file_size("small.txt"));
}

TEST_F(HttpFetch, ManyUrlsAllSucceed) {
  std::vector<std::string> args{"-j", "8", "--cacert", ca_file()};
  for (int i = 0; i < 10; ++i) {
    args.push_back(nginx.http_url("/small.txt?n=" + std::to_string(i)));
    args.push_back(nginx.https_url("/page.html?n=" + std::to_string(i)));
  }
  const TsvRun run = fetch_tsv(args);
  ASSERT_EQ(run.records.size(), 20u) << describe(run.process);
  for (const TsvRecord& record : run.records) {
    EXPECT_EQ(record["ok"], "true") << record.text();
  }
  EXPECT_EQ(run.process.exit_code, 0);
}

}  // namespace
}  // namespace fetch::test
