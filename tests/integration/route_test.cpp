// --resolve and --connect-to against real servers: connections go where the options say,
// while Host and the TLS name stay the URL's, and connections are never shared between
// origins that happen to go to the same place.

#include <gtest/gtest.h>

#include <string>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"

namespace fetch::test {
namespace {

class Routes : public MatrixTest {
 protected:
  std::string port_of(const MisbehavingServer& s) { return std::to_string(s.port()); }
};

TEST_F(Routes, ResolveAnswersForTheNameAndPort) {
  MisbehavingServer server;
  const std::string url = "http://app.test:" + port_of(server) + "/ok";
  const TsvRecord record =
      fetch_one(url, {"--resolve", "app.test:" + port_of(server) + ":127.0.0.1"});
  expect_ok(record, "200", "3");
  EXPECT_NE(server.requests_received().value_or("").find("\r\nHost: app.test:" + port_of(server)),
            std::string::npos);
  const TsvRecord other_port = fetch_one(url, {"--resolve", "app.test:1:127.0.0.1"});
  EXPECT_EQ(other_port["error_stage"], "resolve") << "an entry is for its port only";
  const TsvRecord any_host = fetch_one(url, {"--resolve", "*:" + port_of(server) + ":127.0.0.1"});
  expect_ok(any_host, "200", "3");
}

TEST_F(Routes, ResolveKeepsVerifyingTheUrlsName) {
  MisbehavingServer server({.tls = true});
  const std::string entry = ":" + port_of(server) + ":127.0.0.1";
  const TsvRecord good = fetch_one("https://localhost:" + port_of(server) + "/ok",
                                   {"--cacert", ca_file(), "--resolve", "localhost" + entry});
  expect_ok(good, "200", "3");
  const TsvRecord wrong = fetch_one("https://app.test:" + port_of(server) + "/ok",
                                    {"--cacert", ca_file(), "--resolve", "app.test" + entry});
  EXPECT_EQ(wrong["error_code"], "tls_verify_failed") << wrong.text();
}

TEST_F(Routes, ConnectToKeepsHostAndTlsName) {
  MisbehavingServer plain;
  MisbehavingServer secure({.tls = true});
  const TsvRecord record =
      fetch_one("http://app.test/ok", {"--connect-to", "app.test:80:127.0.0.1:" + port_of(plain)});
  expect_ok(record, "200", "3");
  EXPECT_NE(plain.requests_received().value_or("").find("\r\nHost: app.test\r\n"),
            std::string::npos);
  const TsvRecord tls = fetch_one(
      "https://localhost/ok",
      {"--cacert", ca_file(), "--connect-to", "localhost:443:127.0.0.1:" + port_of(secure)});
  expect_ok(tls, "200", "3");
  const TsvRecord wrong = fetch_one("https://app.test/ok", {"--cacert", ca_file(), "--connect-to",
                                                            ":443:127.0.0.1:" + port_of(secure)});
  EXPECT_EQ(wrong["error_code"], "tls_verify_failed") << wrong.text();
}

TEST_F(Routes, ConnectToFailuresNameBothEnds) {
  const TsvRecord record =
      fetch_one("http://app.test/ok", {"--connect-to", "app.test:80:127.0.0.1:1"});
  expect_failure(record, "connect", {"127.0.0.1:1 (--connect-to, for app.test:80)"});
}

TEST_F(Routes, OriginsThatShareATargetNeverShareConnections) {
  MisbehavingServer server;
  last_ =
      fetch_tsv({"-j", "1", "--connect-to", "::127.0.0.1:" + port_of(server), "http://a.test/ok",
                 "http://a.test/ok?2", "http://b.test/ok", "http://b.test/ok?2"});
  ASSERT_EQ(last_.records.size(), 4u) << describe(last_.process);
  for (const TsvRecord& record : last_.records) EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(server.connections_accepted(), 2) << "one connection per origin";
}

}  // namespace
}  // namespace fetch::test
