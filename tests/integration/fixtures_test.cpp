// Checks of the test fixtures themselves, without fetch: when one of these fails, the other
// integration failures say nothing about fetch.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "support/misbehaving_server.hpp"
#include "support/net.hpp"
#include "support/nginx_server.hpp"
#include "support/process.hpp"

namespace fetch::test {
namespace {

// Decodes a chunked body (no trailers, no extensions); nullopt when malformed.
std::optional<std::string> dechunk(std::string_view body) {
  std::string decoded;
  for (;;) {
    const std::size_t end = body.find("\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    const std::size_t size = std::strtoul(std::string(body.substr(0, end)).c_str(), nullptr, 16);
    body.remove_prefix(end + 2);
    if (size == 0) return decoded;
    if (body.size() < size + 2) return std::nullopt;
    decoded += body.substr(0, size);
    body.remove_prefix(size + 2);
  }
}

TEST(NginxFixture, ServesFilesOfTheDocumentedSizes) {
  NginxServer nginx;
  EXPECT_EQ(nginx.file_size("small.txt"), 1400u);
  EXPECT_EQ(nginx.file_size("page.html"), 100u * 1024);
  EXPECT_EQ(nginx.file_size("large.bin"), 32u * 1024 * 1024);
  for (std::string name : {"small.txt", "page.html", "large.bin"}) {
    const auto reply = http_get("127.0.0.1", nginx.http_port(), "/" + name);
    ASSERT_TRUE(reply) << name;
    EXPECT_EQ(reply->status, 200) << name;
    EXPECT_EQ(reply->body.size(), nginx.file_size(name)) << name;
    EXPECT_EQ(header_value(reply->head, "Content-Length"), std::to_string(nginx.file_size(name)));
  }
}

TEST(NginxFixture, ServesStatusLocations) {
  NginxServer nginx;
  auto status = [&](std::string_view path) {
    const auto reply = http_get("127.0.0.1", nginx.http_port(), path);
    return reply ? reply->status : -1;
  };
  EXPECT_EQ(status("/missing.txt"), 404);
  EXPECT_EQ(status("/status/404"), 404);
  EXPECT_EQ(status("/status/500"), 500);
}

TEST(NginxFixture, ChunkedLocationIsChunkedWithoutLength) {
  NginxServer nginx;
  const auto reply = http_get("127.0.0.1", nginx.http_port(), "/chunked");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(header_value(reply->head, "Transfer-Encoding"), "chunked");
  EXPECT_FALSE(header_value(reply->head, "Content-Length"));
  EXPECT_EQ(dechunk(reply->body), nginx.chunked_body());
}

TEST(NginxFixture, RedirectLocationsAreAsDocumented) {
  NginxServer nginx;
  auto location = [&](std::string_view path) {
    const auto reply = http_get("127.0.0.1", nginx.http_port(), path);
    return reply ? header_value(reply->head, "Location").value_or("<none>") : "<no reply>";
  };
  EXPECT_EQ(location("/redirect/relative"), "../small.txt");
  EXPECT_EQ(location("/redirect/root-relative"), "/small.txt");
  EXPECT_EQ(location("/redirect/absolute"), nginx.http_url("/small.txt"));
  EXPECT_EQ(location("/redirect/loop-a"), "/redirect/loop-b");
  EXPECT_EQ(location("/redirect/loop-b"), "/redirect/loop-a");
  EXPECT_EQ(location("/redirect/chain/12"), "/redirect/chain/11");
  EXPECT_EQ(location("/redirect/chain/1"), "/small.txt");
  const auto absolute = http_get("127.0.0.1", nginx.http_port(), "/redirect/absolute");
  const auto relative = http_get("127.0.0.1", nginx.http_port(), "/redirect/relative");
  ASSERT_TRUE(absolute && relative);
  EXPECT_EQ(absolute->status, 301);
  EXPECT_EQ(relative->status, 302);
}

// The check that keeps a test from talking to another test's server on a reused free port.
TEST(NginxFixture, ItsListenersAreItsOwnAndNoOneElses) {
  NginxServer nginx;
  EXPECT_FALSE(listens_on(::getpid(), nginx.http_port())) << "the test process holds none";
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  EXPECT_TRUE(listens_on(::getpid(), ntohs(address.sin_port)));
  ::close(fd);
}

TEST(NginxFixture, EveryListenerAccepts) {
  NginxServer nginx;
  EXPECT_TRUE(can_connect("127.0.0.1", nginx.http_port()));
  EXPECT_TRUE(can_connect("::1", nginx.http_port()));
  EXPECT_TRUE(can_connect("127.0.0.1", nginx.https_port()));
  EXPECT_TRUE(can_connect("::1", nginx.https_port()));
  for (BadCert kind : kAllBadCerts) {
    EXPECT_TRUE(can_connect("127.0.0.1", nginx.bad_cert_port(kind))) << to_string(kind);
  }
  const auto v6 = http_get("::1", nginx.http_port(), "/small.txt");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->status, 200);
}

TEST(NginxFixture, AccessLogCountsConnections) {
  NginxServer nginx;
  ASSERT_TRUE(http_get("127.0.0.1", nginx.http_port(), "/small.txt?fixture-1"));
  ASSERT_TRUE(http_get("127.0.0.1", nginx.http_port(), "/small.txt?fixture-2"));
  ASSERT_TRUE(http_get("127.0.0.1", nginx.http_port(), "/page.html?other"));
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?fixture", 2));
  EXPECT_EQ(nginx.distinct_connections("/small.txt?fixture"), 2u);
  const auto entries = nginx.requests("/page.html");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].connection_requests, 1u);
  EXPECT_EQ(entries[0].server_port, nginx.http_port());
  EXPECT_EQ(entries[0].status, 200);
  EXPECT_EQ(entries[0].request, "GET /page.html?other HTTP/1.1");
}

TEST(NginxFixture, InstancesAreIndependentAndCleanUp) {
  std::filesystem::path first_dir;
  {
    NginxServer first;
    NginxServer second;
    first_dir = first.dir();
    EXPECT_NE(first.http_port(), second.http_port());
    EXPECT_NE(first.dir(), second.dir());
  }
  if (std::getenv("FETCH_TEST_KEEP_DIRS") == nullptr) {
    EXPECT_FALSE(std::filesystem::exists(first_dir));
  }
}

TEST(MisbehavingFixture, ReportsItsPortAndCountsConnections) {
  MisbehavingServer server;
  EXPECT_EQ(server.connections_accepted(), 0);
  const auto reply = http_get("127.0.0.1", server.port(), "/ok");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "ok\n");
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(MisbehavingFixture, BreaksTheProtocolAsDocumented) {
  MisbehavingServer server;
  auto get = [&](std::string_view path) {
    return http_get("127.0.0.1", server.port(), path).value_or(RawReply{"<no reply>", "", -1});
  };
  const RawReply truncated = get("/truncated");
  EXPECT_EQ(header_value(truncated.head, "Content-Length"), "1000");
  EXPECT_EQ(truncated.body.size(), 10u);
  EXPECT_EQ(get("/garbage-status").head, "HTTP/1.1 abc def");
  EXPECT_EQ(get("/empty").head, "");
  EXPECT_EQ(get("/http09").status, 0);
  EXPECT_EQ(get("/reset").status, -1);  // ECONNRESET
  EXPECT_FALSE(http_get("127.0.0.1", server.port(), "/never", 300ms));
  EXPECT_EQ(dechunk(get("/chunked").body), "hello chunked world\n");
  EXPECT_EQ(get("/no-length").body, "body delimited by close\n");
  EXPECT_EQ(header_value(get("/redirect-ftp").head, "Location"), "ftp://127.0.0.1/file");
}

TEST(MisbehavingFixture, BreaksFramingAsDocumented) {
  MisbehavingServer server;
  auto get = [&](std::string_view path) {
    return http_get("127.0.0.1", server.port(), path).value_or(RawReply{"<no reply>", "", -1});
  };
  auto count = [](std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count(get("/cl-conflict").head, "Content-Length: "), 2u);
  const RawReply longer = get("/longer-than-declared");
  EXPECT_EQ(header_value(longer.head, "Content-Length"), "5");
  EXPECT_EQ(longer.body.size(), 16u);
  const RawReply no_content = get("/204-with-body");
  EXPECT_EQ(no_content.status, 204);
  EXPECT_EQ(no_content.body.size(), 16u);
  EXPECT_EQ(get("/status-999").status, 999);
  EXPECT_EQ(count(get("/many-headers").head, "\r\nh:v"), 10000u);
  EXPECT_EQ(header_value(get("/huge-header").head, "X-Huge").value_or("").size(), 100u * 1024);
  EXPECT_EQ(get("/header-nul").head.find('\0') != std::string::npos, true);
  EXPECT_EQ(get("/chunk-size-overflow").body.substr(0, 20), "ffffffffffffffffff\r\n");
  EXPECT_EQ(get("/headers-cut").head, "HTTP/1.1 200 OK\r\nContent-Type: text/pl");
}

TEST(MisbehavingFixture, RedirectsWhereAskedAndLogsRequests) {
  MisbehavingServer server;
  const auto redirect =
      http_get("127.0.0.1", server.port(), "/redirect?to=file%3A%2F%2F%2Fetc%2Fpasswd&status=307");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 307);
  EXPECT_EQ(header_value(redirect->head, "Location"), "file:///etc/passwd");
  const auto userinfo = http_get("127.0.0.1", server.port(), "/redirect-userinfo");
  ASSERT_TRUE(userinfo);
  EXPECT_EQ(header_value(userinfo->head, "Location"),
            "http://eve:leaked-in-location@127.0.0.1:" + std::to_string(server.port()) + "/ok");
  const auto log = server.requests_received();
  ASSERT_TRUE(log);
  EXPECT_NE(log->find("GET /redirect?to=file%3A%2F%2F%2Fetc%2Fpasswd&status=307 HTTP/1.1\r\n"),
            std::string::npos)
      << *log;
  EXPECT_NE(log->find("GET /redirect-userinfo HTTP/1.1\r\n"), std::string::npos) << *log;
  EXPECT_EQ(log->find("/requests"), std::string::npos) << "the log logs its own queries:\n" << *log;
  EXPECT_EQ(server.connections_accepted(), 2) << "queries are not counted";
}

TEST(SilentListenerFixture, ConnectsButNeverAnswers) {
  SilentListener silent;
  EXPECT_TRUE(can_connect("127.0.0.1", silent.port()));
  EXPECT_FALSE(http_get("127.0.0.1", silent.port(), "/", 300ms));
}

TEST(MisbehavingFixture, ServesIpv6AndTls) {
  MisbehavingServer v6({.tls = false, .host = "::1"});
  EXPECT_EQ(v6.url("/ok"), "http://[::1]:" + std::to_string(v6.port()) + "/ok");
  const auto reply = http_get("::1", v6.port(), "/ok");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  MisbehavingServer tls({.tls = true});
  EXPECT_EQ(tls.url("/ok"), "https://127.0.0.1:" + std::to_string(tls.port()) + "/ok");
  EXPECT_TRUE(can_connect("127.0.0.1", tls.port()));
}

TEST(ChildProcessFixture, PipesAllStreamsWithoutDeadlock) {
  const std::string big(1 << 20, 'x');  // far more than a pipe holds
  ChildProcess child({"/bin/sh", "-c", "cat; echo oops >&2; exit 3"});
  child.set_stdin(big);
  const ProcessResult result = child.wait(10s);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out.size(), big.size());
  EXPECT_EQ(result.err, "oops\n");
}

TEST(ChildProcessFixture, AppliesLimitsAndReportsPeakMemory) {
  Limits limits;
  limits.open_files = 64;
  ChildProcess child(with_limits({"/bin/sh", "-c", "ulimit -Sn; ulimit -Hn; sleep 0.2"}, limits));
  const ProcessResult result = child.wait(10s);
  EXPECT_EQ(result.out, "64\n64\n") << describe(result);
  // The shell's own few MiB, not the test process's (which spawned it).
  EXPECT_GT(result.peak_rss_kib, 0);
  EXPECT_LT(result.peak_rss_kib, 16 * 1024);
}

TEST(ChildProcessFixture, KillsAChildThatOutlivesItsDeadline) {
  ChildProcess child({"/bin/sleep", "30"});
  const ProcessResult result = child.wait(200ms);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGKILL);
  EXPECT_LT(result.elapsed, 5s);
}

TEST(ChildProcessFixture, ReportsSignalsAndLines) {
  ChildProcess child({"/bin/sh", "-c", "echo one; echo two; exec sleep 30"});
  const auto lines = child.wait_for_lines(2, 5s);
  ASSERT_TRUE(lines);
  EXPECT_EQ(*lines, (std::vector<std::string>{"one", "two"}));
  child.send_signal(SIGINT);
  const ProcessResult result = child.wait(5s);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.term_signal, SIGINT);
  EXPECT_EQ(result.exit_code, 130);
}

}  // namespace
}  // namespace fetch::test
