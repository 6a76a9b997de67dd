// DNS through c-ares against a name server of our own that misbehaves on purpose.
#include <gtest/gtest.h>

#include "common.hpp"
#include "support/fake_dns_server.hpp"
#include "support/misbehaving_server.hpp"

namespace fetch::test {
namespace {

// A URL on the misbehaving server's port, reached through `name` (which the fake DNS maps to
// 127.0.0.1 when it answers).
std::string url_via(const std::string& name, const MisbehavingServer& server,
                    std::string_view path = "/ok") {
  return "http://" + name + ":" + std::to_string(server.port()) + std::string(path);
}

TEST(Dns, NameThatDoesNotExistFailsAtResolve) {
  FakeDnsServer dns;
  const auto run = fetch_tsv({"--dns-servers", dns.address(), "http://nx.test/"});
  ASSERT_EQ(run.records.size(), 1u) << describe(run.process);
  EXPECT_EQ(run.records[0]["ok"], "false");
  EXPECT_EQ(run.records[0]["error_stage"], "resolve");
  EXPECT_TRUE(contains_ci(run.records[0]["error_message"], "not found"))
      << run.records[0]["error_message"];
  EXPECT_EQ(run.process.exit_code, 1);
}

TEST(Dns, ServerFailureFailsAtResolve) {
  FakeDnsServer dns;
  const auto run =
      fetch_tsv({"--dns-servers", dns.address(), "http://servfail.test/", "http://refused.test/"});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  for (const TsvRecord& record : run.records) {
    EXPECT_EQ(record["error_stage"], "resolve") << record.text();
    EXPECT_FALSE(record["error_message"].empty());
  }
}

TEST(Dns, GarbageRepliesEndInAClearFailure) {
  FakeDnsServer dns;
  const auto run =
      fetch_tsv({"--dns-servers", dns.address(), "--connect-timeout", "1", "http://garbage.test/"});
  ASSERT_EQ(run.records.size(), 1u) << describe(run.process);
  const std::string& stage = run.records[0]["error_stage"];
  EXPECT_TRUE(stage == "resolve" || stage == "timeout") << run.records[0].text();
  EXPECT_EQ(run.process.exit_code, 1);
}

TEST(Dns, SlowAnswerWithinTheTimeoutSucceeds) {
  MisbehavingServer server;
  FakeDnsServer dns{0.3};
  const auto run = fetch_tsv({"--dns-servers", dns.address(), url_via("slow.test", server)});
  ASSERT_EQ(run.records.size(), 1u) << describe(run.process);
  EXPECT_EQ(run.records[0]["ok"], "true") << run.records[0].text();
}

// The case that matters most: a name server that never answers for one host must not delay
// any other host. Completion order proves it without timing anything: the good host's line
// comes first although it is listed second, and the silent one ends by --connect-timeout.
TEST(Dns, SilentLookupDoesNotDelayOtherHosts) {
  MisbehavingServer server;
  FakeDnsServer dns;
  const auto run = fetch_tsv({"--dns-servers", dns.address(), "--connect-timeout", "2",
                              url_via("silent.test", server), url_via("ok.test", server)});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  EXPECT_EQ(run.records[0]["url"], url_via("ok.test", server));
  EXPECT_EQ(run.records[0]["ok"], "true") << run.records[0].text();
  EXPECT_EQ(run.records[1]["url"], url_via("silent.test", server));
  EXPECT_EQ(run.records[1]["error_stage"], "timeout") << run.records[1].text();
  EXPECT_TRUE(contains_ci(run.records[1]["error_message"], "resolving"));
}

TEST(Dns, ADeadAddressFallsThroughToTheNextOne) {
  // second.test is 127.0.0.2 (nothing listens there: refused) and then 127.0.0.1; c-ares
  // keeps that order (strace: connect to .2, then to .1 on the same descriptor).
  MisbehavingServer server;
  FakeDnsServer dns;
  const auto dead = fetch_tsv({"--dns-servers", dns.address(), "--connect-timeout", "5",
                               "http://127.0.0.2:" + std::to_string(server.port()) + "/ok"});
  ASSERT_EQ(dead.records.size(), 1u) << describe(dead.process);
  ASSERT_EQ(dead.records[0]["error_stage"], "connect") << "127.0.0.2 must refuse for this test";
  const auto run = fetch_tsv(
      {"--dns-servers", dns.address(), "--connect-timeout", "5", url_via("second.test", server)});
  ASSERT_EQ(run.records.size(), 1u) << describe(run.process);
  EXPECT_EQ(run.records[0]["ok"], "true") << run.records[0].text();
  EXPECT_EQ(run.process.exit_code, 0);
}

TEST(Dns, EachHostIsLookedUpOncePerRun) {
  MisbehavingServer server;
  FakeDnsServer dns;
  std::vector<std::string> args{"--dns-servers", dns.address(), "-j", "4"};
  for (int i = 0; i < 12; ++i) {
    args.push_back(url_via("ok.test", server, "/ok?" + std::to_string(i)));
  }
  for (int i = 0; i < 3; ++i) {
    args.push_back("http://nx.test/" + std::to_string(i));
  }
  const auto run = fetch_tsv(args);
  ASSERT_EQ(run.records.size(), 15u) << describe(run.process);
  EXPECT_EQ(dns.queries("ok.test"), 1);
  EXPECT_EQ(dns.queries("nx.test"), 1) << "a failed lookup is remembered too";
}

TEST(Dns, MalformedServerListIsAUsageError) {
  const auto run = fetch_tsv({"--dns-servers", "not an address", "http://ok.test/"});
  EXPECT_EQ(run.process.exit_code, 2) << describe(run.process);
  EXPECT_TRUE(run.records.empty());
}

TEST(Dns, UnresolvableDotInvalidNeverHangs) {
  FakeDnsServer dns;
  const auto run = fetch_tsv({"--dns-servers", dns.address(), "--connect-timeout", "1",
                              "http://nx.invalid/", "http://silent.invalid/"});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  EXPECT_FALSE(run.process.timed_out);
}

}  // namespace
}  // namespace fetch::test
