// fetch through an HTTP proxy (tests/servers/http_proxy.py): CONNECT tunnels for https,
// absolute-form requests for plain http, credentials that are sent and never printed, each
// way a proxy can refuse, the environment variables as curl reads them, and NO_PROXY.

#include <gtest/gtest.h>

#include <cstdlib>
#include <ostream>
#include <string>
#include <vector>

#include "matrix.hpp"
#include "support/h2_server.hpp"
#include "support/http_proxy.hpp"
#include "support/misbehaving_server.hpp"
#include "support/net.hpp"

namespace fetch::test {
namespace {

using Refusal = HttpProxy::Refusal;

MisbehavingServer::Config tls_origin() { return {.tls = true}; }

// "https://localhost:PORT/PATH": the name the test certificate carries, which the proxy
// resolves (fetch leaves it to the proxy).
std::string localhost_url(const MisbehavingServer& server, std::string_view path) {
  return "https://localhost:" + std::to_string(server.port()) + std::string(path);
}

class Proxy : public MatrixTest {};

TEST_F(Proxy, PlainHttpGoesInAbsoluteForm) {
  MisbehavingServer origin;
  HttpProxy proxy;
  const TsvRecord record = fetch_one(origin.url("/ok"), {"-x", proxy.url()});
  expect_ok(record, "200", "3");
  const auto log = proxy.requests_received();
  ASSERT_TRUE(log && log->size() == 1u);
  EXPECT_TRUE(log->front().starts_with("GET " + origin.url("/ok") + " HTTP/1.1\r\n"))
      << log->front();
  EXPECT_EQ(proxy.stats()->forwarded, 1);
  EXPECT_TRUE(origin.requests_received().value_or("").starts_with("GET /ok HTTP/1.1\r\n"));
}

TEST_F(Proxy, TheProxyResolvesTheNameOfAPlainHttpUrl) {
  MisbehavingServer origin;
  HttpProxy proxy({.map_hosts = {{"proxied.test", "127.0.0.1"}}});
  const TsvRecord record = fetch_one("http://proxied.test:" + std::to_string(origin.port()) + "/ok",
                                     {"-x", proxy.url()});
  expect_ok(record, "200", "3");  // fetch itself cannot resolve proxied.test
}

TEST_F(Proxy, HttpsGoesThroughATunnelAndVerifiesTheOrigin) {
  MisbehavingServer origin(tls_origin());
  HttpProxy proxy;
  const TsvRecord record =
      fetch_one(localhost_url(origin, "/ok"), {"-x", proxy.url(), "--cacert", ca_file()});
  expect_ok(record, "200", "3");
  const auto log = proxy.requests_received();
  ASSERT_TRUE(log && log->size() == 1u);
  EXPECT_TRUE(log->front().starts_with("CONNECT localhost:" + std::to_string(origin.port()) +
                                       " HTTP/1.1\r\n"))
      << log->front();
  EXPECT_EQ(proxy.stats()->tunnels, 1);
  // Without the test CA the certificate must not verify, tunnel or not.
  const TsvRecord untrusted = fetch_one(localhost_url(origin, "/ok"), {"-x", proxy.url()});
  EXPECT_EQ(untrusted["error_code"], "tls_verify_failed") << untrusted.text();
}

TEST_F(Proxy, ConnectionsThroughTheProxyAreKeptAndReused) {
  MisbehavingServer plain;
  MisbehavingServer secure(tls_origin());
  HttpProxy proxy;
  last_ = fetch_tsv({"-j", "1", "-x", proxy.url(), "--cacert", ca_file(), plain.url("/ok"),
                     plain.url("/ok?2"), plain.url("/ok?3"), localhost_url(secure, "/ok"),
                     localhost_url(secure, "/ok?2"), localhost_url(secure, "/ok?3")});
  ASSERT_EQ(last_.records.size(), 6u) << describe(last_.process);
  for (const TsvRecord& record : last_.records) EXPECT_EQ(record["ok"], "true") << record.text();
  const auto stats = proxy.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->tunnels, 1) << "one tunnel carried the three https URLs";
  EXPECT_EQ(stats->forwarded, 3);
  EXPECT_EQ(stats->connections, 2) << "one kept connection per origin";
}

TEST_F(Proxy, Http2RidesATunnelSharedByEveryStream) {
  H2Server origin;
  HttpProxy proxy;
  const std::string base = "https://localhost:" + std::to_string(origin.port());
  last_ = fetch_tsv({"-j", "10", "-x", proxy.url(), "--cacert", ca_file(), base + "/delay/100",
                     base + "/delay/100?2", base + "/delay/100?3", base + "/ok"});
  ASSERT_EQ(last_.records.size(), 4u) << describe(last_.process);
  for (const TsvRecord& record : last_.records) {
    EXPECT_EQ(record["ok"], "true") << record.text();
    EXPECT_EQ(record["http_version"], "2") << record.text();
  }
  // Each request dials (and tunnels) before the first handshake tells the protocol, as
  // without a proxy; those tunnels close unused, and one HTTP/2 connection carries all four.
  EXPECT_EQ(origin.stats()->connections, 1);
  EXPECT_EQ(origin.stats()->streams, 4);
}

TEST_F(Proxy, CredentialsAreSentAndNeverPrinted) {
  MisbehavingServer plain;
  MisbehavingServer secure(tls_origin());
  HttpProxy proxy({.auth = "alice:s3cret-pw"});
  for (const char* format : {"tsv", "json", "text"}) {
    const ProcessResult result =
        run_fetch({"--format", format, "--color", "never", "-x", proxy.url_with_credentials(),
                   "--cacert", ca_file(), plain.url("/ok"), localhost_url(secure, "/ok")});
    EXPECT_EQ(result.exit_code, 0) << describe(result);
    for (const std::string& secret : {std::string("s3cret-pw"), proxy.expected_authorization()}) {
      EXPECT_EQ((result.out + result.err).find(secret.substr(secret.find(' ') + 1)),
                std::string::npos)
          << format << " printed a proxy credential:\n"
          << describe(result);
    }
  }
  const auto log = proxy.requests_received();
  ASSERT_TRUE(log);
  for (const std::string& head : *log) {
    EXPECT_NE(head.find("\r\nProxy-Authorization: " + proxy.expected_authorization() + "\r\n"),
              std::string::npos)
        << head;
  }
  EXPECT_EQ(proxy.stats()->auth_failures, 0);
  EXPECT_EQ(plain.requests_received().value_or("").find("Proxy-Authorization"), std::string::npos)
      << "the proxy's credentials went on to the origin";
}

struct RefusalCase {
  const char* name;
  Refusal refusal;
  const char* stage;
  const char* code;
  const char* says;  // a fragment of the message

  friend void PrintTo(const RefusalCase& c, std::ostream* out) { *out << c.name; }
};

class ProxyRefusal : public Proxy, public ::testing::WithParamInterface<RefusalCase> {};

TEST_P(ProxyRefusal, IsAnErrorOfItsOwn) {
  const RefusalCase& c = GetParam();
  MisbehavingServer origin(tls_origin());
  HttpProxy proxy({.refuse = c.refusal});
  const TsvRecord record =
      fetch_one(localhost_url(origin, "/ok"),
                {"-x", proxy.url(), "--cacert", ca_file(), "--connect-timeout", "1"}, kPromptly);
  expect_failure(record, c.stage, {c.says});
  EXPECT_EQ(record["error_code"], c.code) << record.text();
  EXPECT_EQ(record["status"], "") << "the proxy's status is not the URL's";
  EXPECT_EQ(proxy.stats()->connects, 1) << "asked once, never again";
}

INSTANTIATE_TEST_SUITE_P(
    Modes, ProxyRefusal,
    ::testing::Values(
        RefusalCase{"Forbidden", Refusal::status_403, "proxy", "proxy_refused", "status 403"},
        RefusalCase{"AuthRequired", Refusal::status_407, "proxy", "proxy_auth_required",
                    "asks for credentials"},
        RefusalCase{"BadGateway", Refusal::status_502, "proxy", "proxy_refused", "status 502"},
        RefusalCase{"Close", Refusal::close, "proxy", "proxy_bad_response",
                    "closed the connection before answering"},
        RefusalCase{"Garbage", Refusal::garbage, "proxy", "proxy_bad_response", "no HTTP response"},
        RefusalCase{"Silent", Refusal::never, "timeout", "timeout_connect", "waiting for proxy"},
        RefusalCase{"TunnelClosesAtOnce", Refusal::ok_then_close, "tls", "tls_handshake_failed",
                    "handshake"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(Proxy, WrongCredentialsAreRefusedByName) {
  MisbehavingServer plain;
  MisbehavingServer secure(tls_origin());
  HttpProxy proxy({.auth = "alice:right"});
  std::string wrong = proxy.url();
  wrong.insert(wrong.find("://") + 3, "alice:wrong@");
  last_ = fetch_tsv(
      {"-x", wrong, "--cacert", ca_file(), plain.url("/ok"), localhost_url(secure, "/ok")});
  ASSERT_EQ(last_.records.size(), 2u) << describe(last_.process);
  for (const TsvRecord& record : last_.records) {
    EXPECT_EQ(record["error_stage"], "proxy") << record.text();
    EXPECT_EQ(record["error_code"], "proxy_auth_required") << record.text();
    EXPECT_TRUE(contains_ci(record["error_message"], "refused the credentials")) << record.text();
  }
  EXPECT_EQ(find_record(last_.records, "url", plain.url("/ok"))->operator[]("status"), "407")
      << "plain http: the proxy's 407 is the response";
  EXPECT_EQ(proxy.stats()->auth_failures, 2);
}

TEST_F(Proxy, AProxyThatCannotBeReachedIsAProxyError) {
  MisbehavingServer origin;
  const std::string closed = "http://127.0.0.1:" + std::to_string(free_port());
  const TsvRecord record = fetch_one(origin.url("/ok"), {"-x", closed});
  expect_failure(record, "proxy", {"cannot connect to proxy 127.0.0.1"});
  EXPECT_EQ(record["error_code"], "proxy_connect_failed");
  const TsvRecord unknown = fetch_one(origin.url("/ok"), {"-x", "http://no-such-proxy.invalid"});
  EXPECT_EQ(unknown["error_code"], "proxy_connect_failed") << unknown.text();
}

TEST_F(Proxy, TheTunnelsAnswerCountsAsConnectTime) {
  MisbehavingServer origin(tls_origin());
  HttpProxy proxy({.delay = 300ms});
  const TsvRecord record =
      fetch_one(localhost_url(origin, "/ok"), {"-x", proxy.url(), "--cacert", ca_file()});
  expect_ok(record, "200", "3");
  EXPECT_GE(std::atof(record["connect_ms"].c_str()), 250.0) << record.text();
  EXPECT_LT(std::atof(record["tls_ms"].c_str()), 250.0) << record.text();
}

TEST_F(Proxy, RedirectsGoThroughTheProxyToo) {
  MisbehavingServer first;
  MisbehavingServer second;
  HttpProxy proxy;
  const TsvRecord record =
      fetch_one(first.url(redirect_path(second.url("/ok"))), {"-x", proxy.url()});
  expect_ok(record, "200", "3");
  EXPECT_EQ(proxy.stats()->forwarded, 2);
}

// --- the environment -----------------------------------------------------------------------------

class ProxyEnvironment : public Proxy {
 protected:
  TsvRecord fetch_with(const std::vector<std::string>& environment, const std::string& url,
                       std::vector<std::string> options = {}) {
    options.insert(options.end(), {"--cacert", ca_file(), url});
    last_ = fetch_tsv(options, {}, 20s, environment);
    EXPECT_EQ(last_.records.size(), 1u) << describe(last_.process);
    return last_.records.empty() ? TsvRecord("") : last_.records.front();
  }
  int used() { return proxy.stats()->forwarded + proxy.stats()->tunnels; }

  MisbehavingServer plain;
  MisbehavingServer secure{tls_origin()};
  HttpProxy proxy;
};

TEST_F(ProxyEnvironment, LowerCaseHttpProxyOnly) {
  fetch_with({"HTTP_PROXY=" + proxy.url()}, plain.url("/ok"));
  EXPECT_EQ(used(), 0) << "HTTP_PROXY is never read (httpoxy)";
  const TsvRecord record = fetch_with({"http_proxy=" + proxy.url()}, plain.url("/ok"));
  expect_ok(record, "200", "3");
  EXPECT_EQ(proxy.stats()->forwarded, 1);
}

TEST_F(ProxyEnvironment, HttpsProxyInEitherCaseThenAllProxy) {
  fetch_with({"HTTPS_PROXY=" + proxy.url()}, localhost_url(secure, "/ok"));
  EXPECT_EQ(proxy.stats()->tunnels, 1);
  fetch_with({"https_proxy=" + proxy.url()}, localhost_url(secure, "/ok"));
  EXPECT_EQ(proxy.stats()->tunnels, 2);
  fetch_with({"ALL_PROXY=" + proxy.url()}, plain.url("/ok"));
  EXPECT_EQ(proxy.stats()->forwarded, 1);
  fetch_with({"http_proxy=" + proxy.url()}, localhost_url(secure, "/ok"));
  EXPECT_EQ(used(), 3) << "http_proxy is for http URLs only";
}

TEST_F(ProxyEnvironment, NoProxyAndWhatOverridesIt) {
  const std::vector<std::string> both{"http_proxy=" + proxy.url(), "NO_PROXY=localhost,127.0.0.1"};
  expect_ok(fetch_with(both, plain.url("/ok")), "200", "3");
  EXPECT_EQ(used(), 0) << "NO_PROXY exempts 127.0.0.1";
  expect_ok(fetch_with(both, plain.url("/ok"), {"--noproxy", ""}), "200", "3");
  EXPECT_EQ(used(), 1) << "--noproxy '' replaces NO_PROXY";
  expect_ok(fetch_with({"http_proxy=" + proxy.url(), "no_proxy=*"}, plain.url("/ok")), "200", "3");
  expect_ok(fetch_with({"http_proxy=" + proxy.url()}, plain.url("/ok"), {"-x", ""}), "200", "3");
  expect_ok(fetch_with({}, plain.url("/ok"), {"-x", proxy.url(), "--noproxy", "127.0.0.0/8"}),
            "200", "3");
  EXPECT_EQ(used(), 1) << "'*', -x '' and a CIDR --noproxy all went direct";
}

TEST_F(ProxyEnvironment, AnUnusableProxyVariableIsAUsageErrorNamingIt) {
  const ProcessResult result =
      run_fetch({plain.url("/ok")}, {}, 20s, {}, {"ALL_PROXY=socks5://127.0.0.1:1080"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_TRUE(contains_ci(result.err, "ALL_PROXY")) << describe(result);
  EXPECT_EQ(result.out, "");
}

}  // namespace
}  // namespace fetch::test
