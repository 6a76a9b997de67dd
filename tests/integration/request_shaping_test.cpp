// The request options against a real server: what arrives is what -X, -H, -d and --json
// say, on every URL and along redirects. The misbehaving server logs every request it
// receives, body included.

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"

namespace fetch::test {
namespace {

class RequestShaping : public MatrixTest {
 protected:
  std::string log() { return server.requests_received().value_or("<no log>"); }
  MisbehavingServer server;
};

TEST_F(RequestShaping, DataIsPostedWithItsLengthAndFormType) {
  const TsvRecord record = fetch_one(server.url("/ok"), {"-d", "a=1", "-d", "b=2"});
  expect_ok(record, "200", "3");
  const std::string seen = log();
  EXPECT_TRUE(seen.starts_with("POST /ok HTTP/1.1\r\n")) << seen;
  EXPECT_NE(seen.find("\r\nContent-Type: application/x-www-form-urlencoded\r\n"), std::string::npos)
      << seen;
  EXPECT_NE(seen.find("\r\nContent-Length: 7\r\n\r\na=1&b=2"), std::string::npos) << seen;
}

TEST_F(RequestShaping, TheBodyGoesWithEveryUrlOnOneKeptConnection) {
  last_ = fetch_tsv({"-j", "1", "--json", "{\"n\":1}", server.url("/ok"), server.url("/ok?2"),
                     server.url("/ok?3")});
  ASSERT_EQ(last_.records.size(), 3u) << describe(last_.process);
  for (const TsvRecord& record : last_.records) EXPECT_EQ(record["ok"], "true") << record.text();
  const std::string seen = log();
  EXPECT_EQ(occurrences(seen, "\r\n\r\n{\"n\":1}"), 3u) << seen;
  EXPECT_EQ(occurrences(seen, "Content-Type: application/json\r\n"), 3u) << seen;
  EXPECT_EQ(occurrences(seen, "Accept: application/json\r\n"), 3u) << seen;
  EXPECT_EQ(server.connections_accepted(), 1) << "a body must not break keep-alive";
}

TEST_F(RequestShaping, MethodHeadersReplacedRemovedAndAdded) {
  const TsvRecord record =
      fetch_one(server.url("/ok"), {"-X", "DELETE", "-H", "User-Agent: probe/2", "-H",
                                    "Accept:", "-H", "X-Trace: 7", "-H", "X-Empty;"});
  expect_ok(record, "200", "3");
  const std::string seen = log();
  EXPECT_TRUE(seen.starts_with("DELETE /ok HTTP/1.1\r\n")) << seen;
  EXPECT_NE(seen.find("\r\nUser-Agent: probe/2\r\n"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("fetch/"), std::string::npos) << "the default User-Agent was replaced";
  EXPECT_EQ(seen.find("Accept: */*"), std::string::npos) << "Accept: removes it";
  EXPECT_NE(seen.find("\r\nX-Trace: 7\r\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("\r\nX-Empty:"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("Content-Length"), std::string::npos) << "no body, no length";
}

TEST_F(RequestShaping, BodyFromStandardInput) {
  last_ = fetch_tsv({"--data-binary", "@-", server.url("/ok")}, "line one\nline two\n");
  ASSERT_EQ(last_.records.size(), 1u) << describe(last_.process);
  EXPECT_EQ(last_.records[0]["ok"], "true");
  EXPECT_NE(log().find("\r\nContent-Length: 18\r\n\r\nline one\nline two\n"), std::string::npos)
      << log();
}

TEST_F(RequestShaping, StandardInputIsEitherTheBodyOrTheUrlList) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"-d", "@-", "-"}, {"-d", "@-"}, {"--json", "@-", server.url("/ok"), "-"}}) {
    const ProcessResult result = run_fetch(args, server.url("/ok") + "\n");
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_TRUE(contains_ci(result.err, "standard input")) << describe(result);
    EXPECT_EQ(result.out, "");
  }
  EXPECT_EQ(log(), "") << "nothing was fetched";
}

TEST_F(RequestShaping, DataFromAFileLosesLineBreaksBinaryKeepsThem) {
  const std::string path = ::testing::TempDir() + "request_shaping_body.txt";
  std::ofstream(path, std::ios::binary) << "a=1\r\nb=2\n";
  fetch_one(server.url("/ok"), {"-d", "@" + path});
  fetch_one(server.url("/ok"), {"--data-binary", "@" + path});
  fetch_one(server.url("/ok"), {"--data-raw", "@" + path});
  const std::string seen = log();
  EXPECT_NE(seen.find("Content-Length: 6\r\n\r\na=1b=2"), std::string::npos) << seen;
  EXPECT_NE(seen.find("Content-Length: 9\r\n\r\na=1\r\nb=2\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("\r\n\r\n@" + path), std::string::npos) << seen;
}

TEST_F(RequestShaping, ALargeBodyGoesWholeOverTcpAndTls) {
  const std::string path = ::testing::TempDir() + "request_shaping_large.bin";
  const std::string large(300 * 1024, 'L');
  std::ofstream(path, std::ios::binary) << large;
  MisbehavingServer secure({.tls = true});
  last_ = fetch_tsv({"--data-binary", "@" + path, "--cacert", ca_file(), server.url("/ok"),
                     server.url("/ok?again"), secure.url("/ok"), secure.url("/ok?again")});
  ASSERT_EQ(last_.records.size(), 4u) << describe(last_.process);
  for (const TsvRecord& record : last_.records) EXPECT_EQ(record["ok"], "true") << record.text();
  const std::string seen = log();
  EXPECT_EQ(occurrences(seen, "Content-Length: 307200\r\n\r\n" + large), 2u);
}

TEST_F(RequestShaping, HeadWithABodyIsAUsageError) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"-I", "-d", "x", server.url("/ok")}, {"--json", "{}", "--head", server.url("/ok")}}) {
    const ProcessResult result = run_fetch(args);
    EXPECT_EQ(result.exit_code, 2) << describe(result);
    EXPECT_TRUE(contains_ci(result.err, "cannot send a body")) << describe(result);
  }
  EXPECT_EQ(log(), "");
}

TEST_F(RequestShaping, AnUnreadableBodyFileIsAUsageError) {
  const ProcessResult result = run_fetch({"-d", "@/nonexistent/body", server.url("/ok")});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_TRUE(contains_ci(result.err, "/nonexistent/body")) << describe(result);
  EXPECT_EQ(result.out, "");
}

TEST_F(RequestShaping, AnInjectedHeaderIsAUsageErrorNamingIt) {
  const ProcessResult result = run_fetch({"-H", "X-Evil: 1\r\nX-Injected: 2", server.url("/ok")});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_TRUE(contains_ci(result.err, "X-Evil: 1\\r\\nX-Injected: 2")) << describe(result);
  EXPECT_TRUE(contains_ci(result.err, "CR")) << describe(result);
  EXPECT_EQ(log(), "");
}

// --- redirects ---------------------------------------------------------------------------------

struct RedirectCase {
  int status;
  const char* method;  // -X, or "" for -d's POST
  const char* then;    // the method of the second request
  bool body_kept;

  friend void PrintTo(const RedirectCase& c, std::ostream* out) {
    *out << c.status << " after " << (*c.method ? c.method : "POST") << " -> " << c.then;
  }
};

class BodyAcrossRedirects : public RequestShaping,
                            public ::testing::WithParamInterface<RedirectCase> {};

TEST_P(BodyAcrossRedirects, FollowsBrowsersAndCurl) {
  const RedirectCase& c = GetParam();
  std::vector<std::string> options{"-d", "x=1"};
  if (*c.method != '\0') options.insert(options.end(), {"-X", c.method});
  const TsvRecord record = fetch_one(server.url(redirect_path("/ok", c.status)), options);
  expect_ok(record, "200", "3");
  const std::string seen = log();
  const std::size_t second = seen.find(std::string(c.then) + " /ok HTTP/1.1\r\n");
  ASSERT_NE(second, std::string::npos) << seen;
  const std::string second_request = seen.substr(second);
  EXPECT_EQ(second_request.find("x=1") != std::string::npos, c.body_kept) << seen;
  EXPECT_EQ(second_request.find("Content-Type") != std::string::npos, c.body_kept) << seen;
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, BodyAcrossRedirects,
    ::testing::Values(RedirectCase{301, "", "GET", false}, RedirectCase{302, "", "GET", false},
                      RedirectCase{303, "", "GET", false}, RedirectCase{307, "", "POST", true},
                      RedirectCase{308, "", "POST", true}, RedirectCase{302, "PUT", "PUT", true},
                      RedirectCase{303, "PUT", "GET", false},
                      RedirectCase{308, "PATCH", "PATCH", true}),
    [](const auto& info) {
      return std::to_string(info.param.status) + "_" +
             (*info.param.method ? info.param.method : "POST");
    });

TEST_F(RequestShaping, OriginHeadersAreNotSentToAnotherOrigin) {
  MisbehavingServer other;
  const TsvRecord record = fetch_one(
      server.url(redirect_path(other.url("/ok"), 307)),
      {"-H", "Authorization: Bearer s3cret", "-H", "Cookie: id=1", "-H", "X-Keep: 1", "-d", "x=1"});
  expect_ok(record, "200", "3");
  const std::string first = log();
  const std::string second = other.requests_received().value_or("<no log>");
  EXPECT_NE(first.find("Authorization: Bearer s3cret"), std::string::npos) << first;
  EXPECT_EQ(second.find("s3cret"), std::string::npos) << "leaked:\n" << second;
  EXPECT_EQ(second.find("Cookie"), std::string::npos) << second;
  EXPECT_NE(second.find("\r\nX-Keep: 1\r\n"), std::string::npos) << second;
  EXPECT_NE(second.find("\r\n\r\nx=1"), std::string::npos) << "307 keeps the body:\n" << second;
}

}  // namespace
}  // namespace fetch::test
