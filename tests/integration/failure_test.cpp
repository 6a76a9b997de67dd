// Servers that break HTTP on purpose (tests/servers/misbehaving_server.py), refused
// connections and deadlines: each failure lands in the documented stage, and no run hangs.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/net.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

// Generous upper bound for runs that must end on a 1-2 s deadline; only guards against hangs.
constexpr auto kPrompt = 8s;

class Failures : public SingleUrlTest {
 protected:
  void expect_failure(const TsvRecord& record, std::string_view stage) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "false");
    EXPECT_EQ(record["error_stage"], stage);
    EXPECT_NE(record["error_message"], "");
    EXPECT_EQ(last_.process.exit_code, 1) << describe(last_.process);
  }

  MisbehavingServer server;
};

TEST_F(Failures, ConnectionRefusedFailsInConnectStage) {
  const std::uint16_t port = free_port();  // nothing listens there
  expect_failure(fetch_one("http://127.0.0.1:" + std::to_string(port) + "/"), "connect");
}

TEST_F(Failures, UnreachableNameServerFailsInResolveStage) {
  // Nothing answers DNS on that port: the lookup gives up (c-ares retries for ~2 s).
  const std::string dns = "127.0.0.1:" + std::to_string(free_port());
  expect_failure(fetch_one("http://no-such-host.test/", {"--dns-servers", dns}), "resolve");
  EXPECT_LT(last_.process.elapsed, kPrompt);
}

TEST_F(Failures, NeverAnsweringServerHitsMaxTime) {
  expect_failure(fetch_one(server.url("/never"), {"-m", "1"}), "timeout");
  EXPECT_LT(last_.process.elapsed, kPrompt);
}

TEST_F(Failures, StallAfterHeadersHitsMaxTime) {
  expect_failure(fetch_one(server.url("/headers-then-stall"), {"-m", "1"}), "timeout");
  EXPECT_LT(last_.process.elapsed, kPrompt);
}

TEST_F(Failures, DrippingBodyHitsMaxTime) {
  expect_failure(fetch_one(server.url("/drip"), {"--max-time", "1.5"}), "timeout");
  EXPECT_LT(last_.process.elapsed, kPrompt);
}

TEST_F(Failures, ConnectTimeoutWhenTheListenQueueIsFull) {
  // A listener with backlog 0 that never accepts: once its queue holds a connection, the
  // kernel drops further SYNs, so the next connect hangs until --connect-timeout.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {  // fill the queue; later ones may stay half-open
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), length);
    fillers.push_back(fd);
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
  const TsvRecord record = fetch_one(url, {"--connect-timeout", "1"});
  for (int fd : fillers) ::close(fd);
  ::close(listener);

  SCOPED_TRACE(record.text());
  EXPECT_EQ(record["ok"], "false");
  EXPECT_EQ(record["error_stage"], "timeout");
  EXPECT_LT(last_.process.elapsed, kPrompt);
}

TEST_F(Failures, TruncatedBodyFailsInReadStage) {
  const TsvRecord record = fetch_one(server.url("/truncated"));
  expect_failure(record, "read");
  EXPECT_TRUE(contains_ci(record["error_message"], "truncat")) << record.text();
}

TEST_F(Failures, TruncatedBodyOverTlsFailsInReadStage) {
  MisbehavingServer tls({.tls = true});
  const TsvRecord record = fetch_one(tls.url("/truncated"), {"--cacert", ca_file()});
  expect_failure(record, "read");
  EXPECT_TRUE(contains_ci(record["error_message"], "truncat")) << record.text();
}

TEST_F(Failures, GarbageStatusLineFailsInReadStage) {
  expect_failure(fetch_one(server.url("/garbage-status")), "read");
}

TEST_F(Failures, Http09ReplyFailsInReadStage) {
  expect_failure(fetch_one(server.url("/http09")), "read");
}

TEST_F(Failures, ResetBeforeReplyFailsInReadStage) {
  expect_failure(fetch_one(server.url("/reset")), "read");
}

TEST_F(Failures, EmptyReplyFailsInReadStage) {
  expect_failure(fetch_one(server.url("/empty")), "read");
}

TEST_F(Failures, BadChunkSizeFailsInReadStage) {
  expect_failure(fetch_one(server.url("/bad-chunk")), "read");
}

TEST_F(Failures, HugeHeaderBlockFailsInReadStage) {
  expect_failure(fetch_one(server.url("/huge-headers")), "read");
}

TEST_F(Failures, InterimResponseBeforeTheFinalOneIsSkipped) {
  const TsvRecord record = fetch_one(server.url("/interim-then-ok"));
  EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(record["status"], "200") << record.text();
  EXPECT_EQ(record["bytes"], "6") << record.text();
}

TEST_F(Failures, ValidChunkedBody) {
  const TsvRecord record = fetch_one(server.url("/chunked"));
  EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(record["bytes"], "20") << record.text();
  EXPECT_EQ(record["content_length"], "") << record.text();
}

TEST_F(Failures, BodyDelimitedByClose) {
  const TsvRecord record = fetch_one(server.url("/no-length"));
  EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(record["bytes"], "24") << record.text();
  EXPECT_EQ(record["content_length"], "") << record.text();
}

TEST_F(Failures, PooledConnectionClosedByServerIsRetried) {
  // The server promises keep-alive, then closes: the next request of the same worker must
  // not fail because it picked that dead connection from the pool.
  std::vector<std::string> args{"-j", "1"};
  for (int i = 0; i < 3; ++i) {
    args.push_back(server.url("/close-after-response"));
    args.push_back(server.url("/ok"));
  }
  const TsvRun run = fetch_tsv(args);
  ASSERT_EQ(run.records.size(), 6u) << describe(run.process);
  for (const TsvRecord& record : run.records) EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(run.process.exit_code, 0);
}

TEST_F(Failures, PooledTlsConnectionClosedByServerIsRetried) {
  MisbehavingServer tls({.tls = true});
  std::vector<std::string> args{"-j", "1", "--cacert", ca_file()};
  for (int i = 0; i < 3; ++i) {
    args.push_back(tls.url("/close-after-response"));
    args.push_back(tls.url("/ok"));
  }
  const TsvRun run = fetch_tsv(args);
  ASSERT_EQ(run.records.size(), 6u) << describe(run.process);
  for (const TsvRecord& record : run.records) EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(run.process.exit_code, 0);
}

TEST_F(Failures, OneHangingUrlDoesNotHoldUpTheOthers) {
  NginxServer nginx;
  std::vector<std::string> args{"-j", "4", "-m", "2", server.url("/never")};
  for (int i = 0; i < 10; ++i) args.push_back(nginx.http_url("/small.txt"));
  const TsvRun run = fetch_tsv(args);
  ASSERT_EQ(run.records.size(), 11u) << describe(run.process);
  EXPECT_EQ(run.records.back()["url"], server.url("/never")) << "output is in completion order";
  EXPECT_EQ(run.records.back()["error_stage"], "timeout");
  EXPECT_EQ(run.process.exit_code, 1);
  EXPECT_LT(run.process.elapsed, kPrompt);
}

}  // namespace
}  // namespace fetch::test
