// Following Location headers: relative and absolute targets, loops, limits.

#include <gtest/gtest.h>

#include "common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

class Redirects : public SingleUrlTest {
 protected:
  // Ended on /small.txt after `redirects` hops, ok.
  void expect_landed(const TsvRecord& record, const std::string& final_url, unsigned redirects) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "true");
    EXPECT_EQ(record["status"], "200");
    EXPECT_EQ(record["final_url"], final_url);
    EXPECT_EQ(record["redirects"], std::to_string(redirects));
    EXPECT_EQ(record["bytes"], std::to_string(nginx.file_size("small.txt")));
    EXPECT_EQ(record["content_length"], std::to_string(nginx.file_size("small.txt")));
    EXPECT_EQ(record["error_stage"], "");
    EXPECT_EQ(last_.process.exit_code, 0) << describe(last_.process);
  }

  void expect_redirect_failure(const TsvRecord& record) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "false");
    EXPECT_EQ(record["error_stage"], "redirect");
    EXPECT_NE(record["error_message"], "");
    EXPECT_EQ(last_.process.exit_code, 1) << describe(last_.process);
  }

  NginxServer nginx;
};

TEST_F(Redirects, RelativeLocationWithDotSegments) {
  // "Location: ../small.txt" from /redirect/relative resolves to /small.txt (RFC 3986).
  const std::string url = nginx.http_url("/redirect/relative");
  const TsvRecord record = fetch_one(url);
  EXPECT_EQ(record["url"], url);
  expect_landed(record, nginx.http_url("/small.txt"), 1);
}

TEST_F(Redirects, RootRelativeLocation) {
  expect_landed(fetch_one(nginx.http_url("/redirect/root-relative")), nginx.http_url("/small.txt"),
                1);
}

TEST_F(Redirects, AbsoluteLocation) {
  expect_landed(fetch_one(nginx.http_url("/redirect/absolute")), nginx.http_url("/small.txt"), 1);
}

TEST_F(Redirects, AbsoluteLocationOverHttps) {
  expect_landed(fetch_one(nginx.https_url("/redirect/absolute"), {"--cacert", ca_file()}),
                nginx.https_url("/small.txt"), 1);
}

TEST_F(Redirects, LoopFailsInRedirectStage) {
  expect_redirect_failure(fetch_one(nginx.http_url("/redirect/loop-a")));
}

TEST_F(Redirects, TooManyFailsInRedirectStage) {
  // 12 hops against the default limit of 10.
  expect_redirect_failure(fetch_one(nginx.http_url("/redirect/chain/12")));
}

TEST_F(Redirects, DefaultLimitAllowsTenHops) {
  expect_landed(fetch_one(nginx.http_url("/redirect/chain/10")), nginx.http_url("/small.txt"), 10);
}

TEST_F(Redirects, MaxRedirectsIsTheNumberOfHopsAllowed) {
  expect_landed(fetch_one(nginx.http_url("/redirect/chain/3"), {"--max-redirects", "3"}),
                nginx.http_url("/small.txt"), 3);
  expect_redirect_failure(fetch_one(nginx.http_url("/redirect/chain/4"), {"--max-redirects", "3"}));
}

TEST_F(Redirects, MaxRedirectsZeroReportsTheRedirectItself) {
  const std::string url = nginx.http_url("/redirect/absolute");
  const TsvRecord record = fetch_one(url, {"--max-redirects", "0"});
  SCOPED_TRACE(record.text());
  EXPECT_EQ(record["ok"], "true");  // a 3xx is below 400
  EXPECT_EQ(record["status"], "301");
  EXPECT_EQ(record["redirects"], "0");
  EXPECT_EQ(record["final_url"], url);
  EXPECT_EQ(record["error_stage"], "");
  EXPECT_EQ(last_.process.exit_code, 0) << describe(last_.process);
}

TEST_F(Redirects, MissingLocationEndsTheChain) {
  // Whether a 3xx without Location counts as a failure is fetch's choice; it must end the
  // fetch with the 302 reported, not loop or hang.
  MisbehavingServer server;
  const TsvRecord record = fetch_one(server.url("/redirect-no-location"));
  EXPECT_EQ(record["status"], "302") << record.text();
  EXPECT_EQ(record["redirects"], "0") << record.text();
  EXPECT_TRUE(record["error_stage"] == "" || record["error_stage"] == "redirect") << record.text();
}

TEST_F(Redirects, UnsupportedSchemeFailsInRedirectStage) {
  MisbehavingServer server;
  expect_redirect_failure(fetch_one(server.url("/redirect-ftp")));
}

}  // namespace
}  // namespace fetch::test
