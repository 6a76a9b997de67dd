// Checks of the HTTP proxy fixture itself, without fetch: CONNECT tunnels and absolute-form
// forwarding spoken by hand over raw sockets, credentials, the loopback-only rule, each
// refusal mode, and the counters and request log the fetch tests will read.

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "support/http_proxy.hpp"
#include "support/misbehaving_server.hpp"
#include "support/net.hpp"

namespace fetch::test {
namespace {

using Refusal = HttpProxy::Refusal;

// "CONNECT 127.0.0.1:PORT HTTP/1.1" with its Host header and `extra` header lines.
std::string connect_request(const std::string& authority, const std::string& extra = {}) {
  return "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n" + extra + "\r\n";
}

std::string authority_of(const MisbehavingServer& origin) {
  return "127.0.0.1:" + std::to_string(origin.port());
}

// "GET TARGET HTTP/1.1" (absolute or origin form) with Connection: close and `extra` lines.
std::string origin_get(const std::string& target, const std::string& host,
                       const std::string& extra = {}) {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra +
         "Connection: close\r\n\r\n";
}

TEST(ProxyFixture, StartsWithNothingCountedOrLogged) {
  HttpProxy proxy;
  EXPECT_EQ(proxy.url(), "http://127.0.0.1:" + std::to_string(proxy.port()));
  const auto stats = proxy.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->connections, 0);
  EXPECT_EQ(stats->connects, 0);
  EXPECT_EQ(stats->forwarded, 0);
  const auto log = proxy.requests_received();
  ASSERT_TRUE(log);
  EXPECT_TRUE(log->empty());
  EXPECT_EQ(proxy.stats()->connections, 0) << "the fixture's own queries are not counted";
}

TEST(ProxyFixture, TunnelsConnectToALoopbackServer) {
  MisbehavingServer origin;
  HttpProxy proxy;
  {
    RawClient client("127.0.0.1", proxy.port());
    ASSERT_TRUE(client.send(connect_request(authority_of(origin))));
    EXPECT_EQ(client.read_until("\r\n\r\n"), "HTTP/1.1 200 Connection established\r\n\r\n");
    const auto stats = proxy.stats();
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->open, 1);
    ASSERT_TRUE(client.send(origin_get("/ok", authority_of(origin))));
    const auto reply = client.read_to_end();
    ASSERT_TRUE(reply) << "errno " << client.last_error();
    EXPECT_TRUE(reply->starts_with("HTTP/1.1 200 OK\r\n")) << *reply;
    EXPECT_TRUE(reply->ends_with("\r\n\r\nok\n")) << *reply;
  }
  const auto stats = proxy.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->connections, 1);
  EXPECT_EQ(stats->connects, 1);
  EXPECT_EQ(stats->tunnels, 1);
  EXPECT_EQ(stats->forwarded, 0);
  const auto log = proxy.requests_received();
  ASSERT_TRUE(log);
  EXPECT_EQ(*log, std::vector<std::string>{connect_request(authority_of(origin))})
      << "the bytes inside the tunnel are never logged";
  EXPECT_EQ(origin.connections_accepted(), 1);
}

TEST(ProxyFixture, ForwardsAbsoluteFormKeepingTheClientConnection) {
  MisbehavingServer origin;
  HttpProxy proxy;
  const std::string host = authority_of(origin);
  RawClient client("127.0.0.1", proxy.port());
  ASSERT_TRUE(client.send("GET " + origin.url("/ok") + " HTTP/1.1\r\nHost: " + host +
                          "\r\nProxy-Connection: keep-alive\r\n\r\n"));
  const auto first = client.read_until("ok\n");
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->starts_with("HTTP/1.1 200 OK\r\n")) << *first;
  // Chunked, on the same client connection.
  ASSERT_TRUE(client.send(origin_get(origin.url("/chunked"), host)));
  const auto second = client.read_to_end();
  ASSERT_TRUE(second);
  EXPECT_NE(second->find("Transfer-Encoding: chunked\r\n"), std::string::npos) << *second;
  EXPECT_TRUE(
      second->ends_with("\r\n\r\n6\r\nhello \r\n8\r\nchunked \r\n6\r\nworld\n\r\n0\r\n\r\n"))
      << *second;
  const auto stats = proxy.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->connections, 1);
  EXPECT_EQ(stats->forwarded, 2);
  EXPECT_EQ(stats->connects, 0);
  // The origin sees origin form, and not the proxy's own header.
  const auto seen = origin.requests_received();
  ASSERT_TRUE(seen);
  EXPECT_NE(seen->find("GET /ok HTTP/1.1\r\n"), std::string::npos) << *seen;
  EXPECT_EQ(seen->find("Proxy-Connection"), std::string::npos) << *seen;
}

TEST(ProxyFixture, AsksForCredentialsAndLogsThemButNeverForwardsThem) {
  MisbehavingServer origin;
  HttpProxy proxy({.auth = "alice:s3cret"});
  EXPECT_EQ(proxy.expected_authorization(), "Basic YWxpY2U6czNjcmV0");
  EXPECT_EQ(proxy.url_with_credentials(),
            "http://alice:s3cret@127.0.0.1:" + std::to_string(proxy.port()));
  const std::string host = authority_of(origin);

  RawClient without("127.0.0.1", proxy.port());
  ASSERT_TRUE(without.send(connect_request(host)));
  const auto refused = without.read_until("\r\n\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(without.read_until("\n"), "proxy credentials needed\n");
  EXPECT_TRUE(refused->starts_with("HTTP/1.1 407 Proxy Authentication Required\r\n")) << *refused;
  EXPECT_EQ(header_value(*refused, "Proxy-Authenticate"), "Basic realm=\"test\"");
  // Still open: the retry with credentials goes over the same connection.
  const std::string credentials = "Proxy-Authorization: " + proxy.expected_authorization() + "\r\n";
  ASSERT_TRUE(without.send(connect_request(host, credentials)));
  EXPECT_EQ(without.read_until("\r\n\r\n"), "HTTP/1.1 200 Connection established\r\n\r\n");

  RawClient wrong("127.0.0.1", proxy.port());
  ASSERT_TRUE(
      wrong.send(origin_get(origin.url("/ok"), host,
                            "Proxy-Authorization: " + basic_authorization("alice:no") + "\r\n")));
  const auto wrong_reply = wrong.read_until("\r\n\r\n");
  ASSERT_TRUE(wrong_reply);
  EXPECT_TRUE(wrong_reply->starts_with("HTTP/1.1 407 ")) << *wrong_reply;

  RawClient right("127.0.0.1", proxy.port());
  ASSERT_TRUE(right.send(origin_get(origin.url("/ok"), host, credentials)));
  const auto right_reply = right.read_to_end();
  ASSERT_TRUE(right_reply);
  EXPECT_TRUE(right_reply->starts_with("HTTP/1.1 200 OK\r\n")) << *right_reply;

  const auto stats = proxy.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->auth_failures, 2);
  EXPECT_EQ(stats->tunnels, 1);
  EXPECT_EQ(stats->forwarded, 1);
  const auto log = proxy.requests_received();
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 4u);
  EXPECT_EQ(header_value((*log)[0], "Proxy-Authorization"), std::nullopt);
  EXPECT_EQ(header_value((*log)[1], "Proxy-Authorization"), proxy.expected_authorization());
  EXPECT_EQ(header_value((*log)[2], "Proxy-Authorization"), basic_authorization("alice:no"));
  const auto seen = origin.requests_received();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->find("Proxy-Authorization"), std::string::npos) << *seen;
}

TEST(ProxyFixture, RefusesTargetsBeyondLoopback) {
  HttpProxy proxy({.map_hosts = {{"proxied.test", "127.0.0.1"}}});
  for (const std::string target : {"192.0.2.1:443", "example.com:443", "[::ffff:127.0.0.1]:443"}) {
    RawClient client("127.0.0.1", proxy.port());
    ASSERT_TRUE(client.send(connect_request(target)));
    const auto reply = client.read_until("\r\n\r\n");
    ASSERT_TRUE(reply) << target;
    EXPECT_TRUE(reply->starts_with("HTTP/1.1 403 Forbidden\r\n")) << target << ": " << *reply;
  }
  MisbehavingServer origin;
  RawClient mapped("127.0.0.1", proxy.port());
  ASSERT_TRUE(mapped.send(connect_request("proxied.test:" + std::to_string(origin.port()))));
  EXPECT_EQ(mapped.read_until("\r\n\r\n"), "HTTP/1.1 200 Connection established\r\n\r\n");
  const auto stats = proxy.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->refused_targets, 3);
  EXPECT_EQ(stats->tunnels, 1);
}

TEST(ProxyFixture, AnswersEveryConnectAsItsRefusalModeSays) {
  MisbehavingServer origin;
  struct Case {
    Refusal refusal;
    std::string reply_starts;  // what the whole reply, up to the close, starts with
  };
  const Case cases[] = {
      {Refusal::status_403, "HTTP/1.1 403 Forbidden\r\n"},
      {Refusal::status_407, "HTTP/1.1 407 Proxy Authentication Required\r\n"},
      {Refusal::status_502, "HTTP/1.1 502 Bad Gateway\r\n"},
      {Refusal::close, ""},
      {Refusal::garbage, "HTTP/1.1 abc def\r\n\r\n"},
      {Refusal::ok_then_close, "HTTP/1.1 200 Connection established\r\n\r\n"},
  };
  for (const Case& c : cases) {
    HttpProxy proxy({.refuse = c.refusal});
    RawClient client("127.0.0.1", proxy.port());
    ASSERT_TRUE(client.send(connect_request(authority_of(origin))));
    const auto reply = client.read_to_end();
    ASSERT_TRUE(reply) << c.reply_starts << " errno " << client.last_error();
    EXPECT_TRUE(reply->starts_with(c.reply_starts)) << *reply;
    if (c.refusal == Refusal::close || c.refusal == Refusal::garbage ||
        c.refusal == Refusal::ok_then_close) {
      EXPECT_EQ(*reply, c.reply_starts);
    }
    const auto stats = proxy.stats();
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->connects, 1);
    EXPECT_EQ(stats->tunnels, 0);
  }
  EXPECT_EQ(origin.connections_accepted(), 0) << "a refused CONNECT never reaches its target";

  HttpProxy silent({.refuse = Refusal::never});
  RawClient client("127.0.0.1", silent.port(), 300ms);
  ASSERT_TRUE(client.send(connect_request(authority_of(origin))));
  EXPECT_FALSE(client.read_to_end());
  EXPECT_EQ(client.last_error(), EAGAIN);
}

TEST(ProxyFixture, RefusesForwardedRequestsOnlyWhenAsked) {
  MisbehavingServer origin;
  HttpProxy connect_only({.refuse = Refusal::status_502});
  HttpProxy both({.refuse = Refusal::status_502, .refuse_forward = true});
  auto status_line = [&](const HttpProxy& proxy) {
    RawClient client("127.0.0.1", proxy.port());
    EXPECT_TRUE(client.send(origin_get(origin.url("/ok"), authority_of(origin))));
    const auto reply = client.read_until("\r\n");
    return reply.value_or("<no reply>");
  };
  EXPECT_EQ(status_line(connect_only), "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(status_line(both), "HTTP/1.1 502 Bad Gateway\r\n");
}

TEST(ProxyFixture, DelaysItsAnswer) {
  MisbehavingServer origin;
  HttpProxy proxy({.delay = 400ms});
  RawClient client("127.0.0.1", proxy.port());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.send(connect_request(authority_of(origin))));
  EXPECT_EQ(client.read_until("\r\n\r\n"), "HTTP/1.1 200 Connection established\r\n\r\n");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
}

TEST(ProxyFixture, ServesIpv6AndTunnelsToIpv6Targets) {
  MisbehavingServer origin({.host = "::1"});
  HttpProxy proxy({.host = "::1"});
  EXPECT_EQ(proxy.url(), "http://[::1]:" + std::to_string(proxy.port()));
  const std::string authority = "[::1]:" + std::to_string(origin.port());
  RawClient client("::1", proxy.port());
  ASSERT_TRUE(client.send(connect_request(authority)));
  EXPECT_EQ(client.read_until("\r\n\r\n"), "HTTP/1.1 200 Connection established\r\n\r\n");
  ASSERT_TRUE(client.send(origin_get("/ok", authority)));
  const auto reply = client.read_to_end();
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->ends_with("\r\n\r\nok\n")) << *reply;
  EXPECT_EQ(proxy.stats()->tunnels, 1);
}

}  // namespace
}  // namespace fetch::test
