// TLS session resumption, as nginx saw it: $ssl_session_reused per connection. The first
// handshake to an origin is full; connections opened beside it wait for its session and
// resume; sessions never cross origins; servers that offer nothing to resume, or that fail
// the handshake, hold nobody up.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common.hpp"
#include "support/delay_proxy.hpp"
#include "support/fake_dns_server.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

// What the TLS handshakes of one batch of requests came to, one entry per connection.
struct Handshakes {
  std::size_t connections = 0;
  std::size_t resumed = 0;
  std::vector<std::string> protocols;  // one per connection
};

class Resumption : public ::testing::Test {
 protected:
  // Fetches `count` URLs "<base>?<tag>-<n>" at once (-j count) and expects every one to end
  // with status 200.
  TsvRun fetch_all(const std::string& base, std::string_view tag, int count,
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"-j", std::to_string(count), "--cacert", ca_file()};
    args.insert(args.end(), extra.begin(), extra.end());
    for (int n = 0; n < count; ++n) {
      args.push_back(base + "?" + std::string(tag) + "-" + std::to_string(n));
    }
    TsvRun run = fetch_tsv(args);
    EXPECT_EQ(run.process.exit_code, 0) << describe(run.process);
    EXPECT_EQ(run.records.size(), static_cast<std::size_t>(count)) << describe(run.process);
    for (const TsvRecord& record : run.records) {
      EXPECT_EQ(record["status"], "200") << record.text();
    }
    return run;
  }

  // The handshakes behind the logged requests whose target starts with `prefix`.
  Handshakes handshakes(std::string_view prefix, std::size_t requests) {
    EXPECT_TRUE(nginx.wait_for_requests(prefix, requests));
    std::map<std::uint64_t, AccessLogEntry> first_per_connection;
    for (const AccessLogEntry& entry : nginx.requests(prefix)) {
      first_per_connection.try_emplace(entry.connection, entry);
    }
    Handshakes result;
    for (const auto& [connection, entry] : first_per_connection) {
      ++result.connections;
      result.resumed += entry.tls_resumed ? 1 : 0;
      result.protocols.push_back(entry.tls_protocol);
    }
    return result;
  }

  NginxServer nginx;
};

TEST_F(Resumption, ConnectionsBesideTheFirstResumeItsSession) {
  // Ten URLs started together need ten connections; one full handshake, nine resumed.
  fetch_all(nginx.https_url("/page.html"), "tls13", 10);
  const Handshakes seen = handshakes("/page.html?tls13-", 10);
  ASSERT_GE(seen.connections, 2u) << "the test needs parallel connections to mean anything";
  EXPECT_EQ(seen.resumed, seen.connections - 1);
  for (const std::string& protocol : seen.protocols) EXPECT_EQ(protocol, "TLSv1.3");
}

TEST_F(Resumption, AFarServerBehindANearbyTerminatorGetsParallelFullHandshakes) {
  // 40 ms away through a relay on loopback: the kernel's round trip says near, but the first
  // handshake waits on the network, so nobody waits for its session (each would lose ~80 ms
  // to save ~0.5 ms of CPU) and nobody queues for a connection: ten handshakes at once.
  const DelayProxy relay{nginx.https_port(), 40};
  fetch_all(nginx.https_url_at(relay.port(), "/page.html"), "relayed", 10);
  const Handshakes seen = handshakes("/page.html?relayed-", 10);
  EXPECT_EQ(seen.connections, 10u) << "queued for connections in use: the origin looked near";
  EXPECT_EQ(seen.resumed, 0u) << "waited for the first handshake's session";
}

TEST_F(Resumption, Tls12SessionsResumeToo) {
  fetch_all(nginx.https_url_at(nginx.tls12_only_port(), "/page.html"), "tls12", 10);
  const Handshakes seen = handshakes("/page.html?tls12-", 10);
  ASSERT_GE(seen.connections, 2u);
  EXPECT_EQ(seen.resumed, seen.connections - 1);
  for (const std::string& protocol : seen.protocols) EXPECT_EQ(protocol, "TLSv1.2");
}

TEST_F(Resumption, NoSessionidMakesEveryHandshakeFull) {
  fetch_all(nginx.https_url("/page.html"), "off", 10, {"--no-sessionid"});
  const Handshakes seen = handshakes("/page.html?off-", 10);
  ASSERT_GE(seen.connections, 2u);
  EXPECT_EQ(seen.resumed, 0u);
}

TEST_F(Resumption, AServerWithNothingToResumeHoldsNobodyUp) {
  // No tickets and no session cache: the connections waiting for the first one's session
  // give up on it and make full handshakes; every URL still succeeds.
  fetch_all(nginx.https_url_at(nginx.no_resumption_port(), "/page.html"), "none", 10);
  const Handshakes seen = handshakes("/page.html?none-", 10);
  ASSERT_GE(seen.connections, 2u);
  EXPECT_EQ(seen.resumed, 0u);
}

TEST_F(Resumption, SessionsNeverCrossOrigins) {
  // One server, three origins (127.0.0.1, localhost, [::1]), one after another: each origin's
  // first handshake is full although the server would resume any of them.
  const std::vector<std::string> urls{
      nginx.https_url("/small.txt?cross-1"), nginx.https_url_localhost("/small.txt?cross-2"),
      nginx.https_url_v6("/small.txt?cross-3"),
      nginx.https_url_at(nginx.tls12_only_port(), "/small.txt?cross-4")};
  std::vector<std::string> args{"-j", "1", "--cacert", ca_file()};
  args.insert(args.end(), urls.begin(), urls.end());
  const TsvRun run = fetch_tsv(args);
  ASSERT_EQ(run.records.size(), urls.size()) << describe(run.process);
  const Handshakes seen = handshakes("/small.txt?cross-", urls.size());
  EXPECT_EQ(seen.connections, urls.size());
  EXPECT_EQ(seen.resumed, 0u);
}

TEST_F(Resumption, ALaterConnectionResumesTheSessionOfAClosedOne) {
  // One worker: the first body is over --max-filesize, so its connection is closed; the next
  // URL needs a new connection and resumes the first one's session.
  const TsvRun run =
      fetch_tsv({"-j", "1", "--max-filesize", "1000", "--cacert", ca_file(),
                 nginx.https_url("/page.html?later-1"), nginx.https_url("/status/404?later-2")});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  EXPECT_EQ(run.records[1]["status"], "404") << run.records[1].text();
  EXPECT_EQ(run.records[1]["reused"], "false") << run.records[1].text();
  ASSERT_TRUE(nginx.wait_for_requests("/status/404?later-2", 1));
  const std::vector<AccessLogEntry> second = nginx.requests("/status/404?later-2");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(second[0].tls_resumed);
  const std::vector<AccessLogEntry> first = nginx.requests("/page.html?later-1");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_FALSE(first[0].tls_resumed);
  EXPECT_NE(first[0].connection, second[0].connection);
}

TEST_F(Resumption, AFailingFirstHandshakeFailsEachUrlOnItsOwn) {
  // Six URLs to a server with an expired certificate: the first handshake fails, the five
  // waiting behind it make their own and fail the same way; nobody waits for a session.
  std::vector<std::string> args{"-j", "6", "--cacert", ca_file()};
  for (int n = 0; n < 6; ++n) {
    args.push_back(nginx.bad_cert_url(BadCert::expired, "/small.txt?bad-" + std::to_string(n)));
  }
  const TsvRun run = fetch_tsv(args);
  EXPECT_EQ(run.process.exit_code, 1) << describe(run.process);
  ASSERT_EQ(run.records.size(), 6u) << describe(run.process);
  for (const TsvRecord& record : run.records) {
    EXPECT_EQ(record["error_stage"], "tls") << record.text();
    EXPECT_TRUE(contains_ci(record["error_message"], "expired")) << record.text();
  }
}

}  // namespace
}  // namespace fetch::test

namespace fetch::test {
namespace {

// Full handshakes that present a chain already verified: another origin sharing the
// certificate is accepted without verifying the chain again, a name the certificate does
// not cover is still refused.
TEST(VerifiedChains, AnotherOriginOnTheSameCertificateStillHasItsNameChecked) {
  NginxServer nginx;
  FakeDnsServer dns;  // ok*.test resolves to 127.0.0.1, which the `good` leaf does not name
  const std::string port = std::to_string(nginx.https_port());
  const TsvRun run =
      fetch_tsv({"-j", "1", "--cacert", ca_file(), "--dns-servers", dns.address(),
                 nginx.https_url("/small.txt"), nginx.https_url_localhost("/small.txt"),
                 "https://ok-other.test:" + port + "/small.txt", nginx.https_url_v6("/small.txt")});
  ASSERT_EQ(run.records.size(), 4u) << describe(run.process);
  EXPECT_EQ(run.records[0]["status"], "200") << run.records[0].text();
  EXPECT_EQ(run.records[1]["status"], "200") << run.records[1].text();
  EXPECT_EQ(run.records[2]["error_stage"], "tls") << run.records[2].text();
  EXPECT_TRUE(contains_ci(run.records[2]["error_message"], "hostname mismatch"))
      << run.records[2].text();
  EXPECT_EQ(run.records[3]["status"], "200") << run.records[3].text();
}

}  // namespace
}  // namespace fetch::test
