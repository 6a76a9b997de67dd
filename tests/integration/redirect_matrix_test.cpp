// Redirects a server can make up: unparsable or empty Locations, schemes fetch must not
// follow, every redirect status, an https -> http downgrade, a 70 KB Location, and where the
// URL's credentials may go. (Loops, too many hops, a missing Location and ftp: are in
// redirect_test.cpp.) The misbehaving server's /redirect?to=URL sends whatever Location the
// test asks for.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"

namespace fetch::test {
namespace {

namespace json = boost::json;

std::string with_credentials(const MisbehavingServer& server, std::string_view userinfo,
                             std::string_view path) {
  std::string url = server.url(path);
  url.insert(url.find("://") + 3, std::string(userinfo) + "@");
  return url;
}

class RedirectMatrix : public MatrixTest {
 protected:
  MisbehavingServer server;
};

// --- Locations that cannot be followed ---------------------------------------------------------

struct BadLocation {
  const char* name;
  const char* location;
};
// What ctest shows after the name ("GetParam() = ..."): the Location itself, not its bytes.
void PrintTo(const BadLocation& bad, std::ostream* out) { *out << '"' << bad.location << '"'; }

class UnusableLocation : public RedirectMatrix,
                         public ::testing::WithParamInterface<BadLocation> {};

TEST_P(UnusableLocation, FailsInRedirectStage) {
  const TsvRecord record = fetch_one(server.url(redirect_path(GetParam().location)));
  expect_failure(record, "redirect", {"location", "redirect"});
  EXPECT_EQ(record["status"], "302") << record.text();
  EXPECT_EQ(record["redirects"], "0") << record.text();
}

INSTANTIATE_TEST_SUITE_P(Locations, UnusableLocation,
                         ::testing::Values(BadLocation{"UnclosedIpv6Bracket", "http://[::1"},
                                           BadLocation{"PortOutOfRange", "http://127.0.0.1:99999/"},
                                           BadLocation{"SchemeWithoutHost", "http:"},
                                           BadLocation{"EmptyAuthority", "http://"},
                                           BadLocation{"BadPercentInHost", "http://exa%zzmple/"}),
                         [](const ::testing::TestParamInfo<BadLocation>& info) {
                           return std::string(info.param.name);
                         });

class ForeignScheme : public RedirectMatrix, public ::testing::WithParamInterface<BadLocation> {};

TEST_P(ForeignScheme, FailsInRedirectStage) {
  const TsvRecord record = fetch_one(server.url(redirect_path(GetParam().location)));
  expect_failure(record, "redirect", {"unsupported scheme"});
  EXPECT_EQ(record["redirects"], "0") << record.text();
}

INSTANTIATE_TEST_SUITE_P(Schemes, ForeignScheme,
                         ::testing::Values(BadLocation{"File", "file:///etc/passwd"},
                                           BadLocation{"Javascript", "javascript:alert(1)"},
                                           BadLocation{"Data", "data:text/plain,hi"},
                                           BadLocation{"Gopher", "gopher://127.0.0.1/"},
                                           BadLocation{"Mailto", "mailto:someone@example.org"},
                                           BadLocation{"WebSocket", "ws://127.0.0.1/"}),
                         [](const ::testing::TestParamInfo<BadLocation>& info) {
                           return std::string(info.param.name);
                         });

TEST_F(RedirectMatrix, SeventyKilobyteLocationEndsInOneFailure) {
  // Over the 64 KiB header limit: a read error; were it followed, the request line alone
  // would be refused. Either way one line, promptly.
  const TsvRecord record = fetch_one(server.url("/redirect-huge-location"));
  SCOPED_TRACE(record.text());
  EXPECT_EQ(record["ok"], "false");
  EXPECT_TRUE(record["error_stage"] == "read" || record["error_stage"] == "redirect");
  EXPECT_NE(record["error_message"], "");
  EXPECT_LT(record.text().size(), 4096u) << "the Location must not be echoed whole";
  expect_exit(1);
  EXPECT_LT(last_.process.elapsed, kPromptly);
}

// --- statuses ----------------------------------------------------------------------------------

class RedirectStatus : public RedirectMatrix, public ::testing::WithParamInterface<int> {};

TEST_P(RedirectStatus, IsFollowed) {
  const TsvRecord record = fetch_one(server.url(redirect_path("/ok", GetParam())));
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["redirects"], "1");
  EXPECT_EQ(record["final_url"], server.url("/ok"));
}

INSTANTIATE_TEST_SUITE_P(Statuses, RedirectStatus, ::testing::Values(301, 302, 303, 307, 308));

TEST_F(RedirectMatrix, MultipleChoicesIsReportedNotFollowed) {
  const TsvRecord record = fetch_one(server.url(redirect_path("/ok", 300)));
  SCOPED_TRACE(record.text());
  EXPECT_EQ(record["status"], "300");
  EXPECT_EQ(record["redirects"], "0");
  EXPECT_EQ(record["ok"], "true");  // below 400
  expect_exit(0);
}

TEST_F(RedirectMatrix, SchemeRelativeLocationKeepsTheScheme) {
  const std::string location = "//127.0.0.1:" + std::to_string(server.port()) + "/ok";
  const TsvRecord record = fetch_one(server.url(redirect_path(location)));
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["final_url"], server.url("/ok"));
}

// --- https -> http ------------------------------------------------------------------------------

TEST_F(RedirectMatrix, HttpsToHttpDowngradeIsFollowed) {
  MisbehavingServer tls({.tls = true});
  const TsvRecord record =
      fetch_one(tls.url(redirect_path(server.url("/ok"))), {"--cacert", ca_file()});
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["final_url"], server.url("/ok"));
  EXPECT_EQ(record["redirects"], "1");
}

// Written ahead of the feature (the lead's "downgraded" field, TSV column 17 and JSON key);
// it landed in 4c35af0 while this matrix was being written.
TEST_F(RedirectMatrix, HttpsToHttpDowngradeIsReportedInTsvJsonAndText) {
  MisbehavingServer tls({.tls = true});
  const std::string downgrading = tls.url(redirect_path(server.url("/ok")));
  const std::string staying = tls.url(redirect_path(tls.url("/ok")));

  const TsvRun tsv = fetch_tsv({"--cacert", ca_file(), downgrading, staying});
  ASSERT_EQ(tsv.records.size(), 2u) << describe(tsv.process);
  if (const TsvRecord* record = find_record(tsv.records, "url", downgrading)) {
    EXPECT_EQ((*record)["downgraded"], "true") << record->text();
    EXPECT_EQ((*record)["ok"], "true") << record->text();
  }
  if (const TsvRecord* record = find_record(tsv.records, "url", staying)) {
    EXPECT_EQ((*record)["downgraded"], "false") << record->text();
  }

  const ProcessResult json_run =
      run_fetch({"--format", "json", "--no-progress", "--cacert", ca_file(), downgrading, staying});
  const auto values = parse_json_lines(json_run.out);
  ASSERT_EQ(values.size(), 2u) << describe(json_run);
  for (const json::value& value : values) {
    ASSERT_TRUE(value.is_object());
    const json::object& object = value.as_object();
    ASSERT_TRUE(object.contains("downgraded")) << json::serialize(value);
    const bool expected = object.at("url") == json::value(downgrading);
    EXPECT_EQ(object.at("downgraded"), json::value(expected)) << json::serialize(value);
  }

  const ProcessResult text_run = run_fetch({"--format", "text", "--color", "never", "--no-progress",
                                            "--cacert", ca_file(), downgrading});
  EXPECT_TRUE(contains_ci(text_run.out, "https to http")) << describe(text_run);
}

// --- credentials ---------------------------------------------------------------------------------

TEST_F(RedirectMatrix, CredentialsAreNotSentToAnotherOrigin) {
  MisbehavingServer other;
  const std::string url = with_credentials(server, "alice:s3cret", redirect_path(other.url("/ok")));
  const TsvRecord record = fetch_one(url);
  expect_ok(record, "200", "3");
  const auto first_log = server.requests_received();
  const auto other_log = other.requests_received();
  ASSERT_TRUE(first_log && other_log);
  EXPECT_EQ(occurrences(*first_log, "Authorization: Basic"), 1u) << *first_log;
  EXPECT_EQ(occurrences(*other_log, "Authorization"), 0u)
      << "credentials leaked to another origin:\n"
      << *other_log;
}

TEST_F(RedirectMatrix, CredentialsFollowASameOriginRedirect) {
  const TsvRecord record =
      fetch_one(with_credentials(server, "alice:s3cret", redirect_path("/ok")));
  expect_ok(record, "200", "3");
  const auto log = server.requests_received();
  ASSERT_TRUE(log);
  EXPECT_EQ(occurrences(*log, "Authorization: Basic"), 2u) << *log;
}

TEST_F(RedirectMatrix, CredentialsInALocationAreNeverPrinted) {
  // The server makes up credentials the input never held: only the final URL can show them.
  for (std::string_view format : {"tsv", "json", "text"}) {
    const ProcessResult result = run_fetch(
        {"--format", std::string(format), "--color", "never", server.url("/redirect-userinfo")});
    EXPECT_EQ(split_lines(result.out).size(), 1u) << describe(result);
    EXPECT_FALSE(contains_ci(result.out + result.err, "leaked-in-location"))
        << format << " printed a password:\n"
        << describe(result);
    EXPECT_FALSE(contains_ci(result.out + result.err, "eve:")) << format << ":\n"
                                                               << describe(result);
    EXPECT_TRUE(contains_ci(result.out, "***@")) << format << ": final URL not shown redacted\n"
                                                 << describe(result);
  }
}

}  // namespace
}  // namespace fetch::test
