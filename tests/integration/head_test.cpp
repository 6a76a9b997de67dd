// -I/--head: HEAD requests report status and Content-Length and never wait for a body.
#include <gtest/gtest.h>

#include "common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

TEST(Head, ReportsContentLengthWithoutReadingTheBody) {
  NginxServer nginx;
  const TsvRun run =
      fetch_tsv({"-I", nginx.https_url("/large.bin"), "--cacert", (pki_dir() / "ca.pem").string()});
  ASSERT_EQ(run.records.size(), 1u) << describe(run.process);
  const TsvRecord& record = run.records[0];
  EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(record["status"], "200");
  EXPECT_EQ(record["content_length"], std::to_string(32u << 20));
  EXPECT_EQ(record["bytes"], "0");
  EXPECT_EQ(run.process.exit_code, 0);
}

// If fetch expected the declared body after a HEAD, the second request would be read as
// body bytes or the connection dropped; the second URL must ride the first one's connection.
TEST(Head, ConnectionIsReusedAfterABodylessResponse) {
  NginxServer nginx;
  const TsvRun run =
      fetch_tsv({"-I", "-j", "1", nginx.http_url("/page.html"), nginx.http_url("/small.txt")});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  EXPECT_EQ(run.records[0]["ok"], "true") << run.records[0].text();
  EXPECT_EQ(run.records[1]["ok"], "true") << run.records[1].text();
  EXPECT_EQ(run.records[1]["reused"], "true") << run.records[1].text();
  EXPECT_EQ(run.records[1]["bytes"], "0");
}

// The server declares 100 body bytes and then sends nothing: a GET must time out, a HEAD
// must not wait at all.
TEST(Head, NeverWaitsForTheBodyTheHeadersDeclare) {
  MisbehavingServer server;
  const TsvRun head = fetch_tsv({"-I", "-m", "5", server.url("/headers-then-stall")});
  ASSERT_EQ(head.records.size(), 1u) << describe(head.process);
  EXPECT_EQ(head.records[0]["ok"], "true") << head.records[0].text();
  EXPECT_EQ(head.records[0]["content_length"], "100");
  EXPECT_EQ(head.records[0]["bytes"], "0");

  const TsvRun get = fetch_tsv({"-m", "1", server.url("/headers-then-stall")});
  ASSERT_EQ(get.records.size(), 1u) << describe(get.process);
  EXPECT_EQ(get.records[0]["error_stage"], "timeout") << get.records[0].text();
}

}  // namespace
}  // namespace fetch::test
