// The request the shaping options build (-X, -H, -d, --json), and how redirects change it.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "fetch/client/redirect_policy.hpp"
#include "fetch/core/request.hpp"
#include "fetch/http1/request_writer.hpp"
#include "fetch/input/url.hpp"

namespace fetch {
namespace {

HeaderOption header(std::string_view text) {
  auto parsed = parse_header_option(text);
  if (auto* problem = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << text << ": " << *problem;
    return {};
  }
  return std::get<HeaderOption>(parsed);
}

std::string problem_of(std::string_view text) {
  auto parsed = parse_header_option(text);
  if (auto* problem = std::get_if<std::string>(&parsed)) return *problem;
  return "<accepted>";
}

std::string head_of(const RequestSpec& spec, std::string_view url = "http://example.com/a") {
  std::string out;
  write_request(spec, std::get<Target>(parse_target(url)), out);
  return out;
}

RequestOptions base() {
  RequestOptions options;
  options.user_agent = "ua";
  options.compressed = false;
  return options;
}

TEST(HeaderOption, ParsesCurlsThreeForms) {
  const HeaderOption add = header("X-Trace:  abc def ");
  EXPECT_EQ(add.name, "X-Trace");
  EXPECT_EQ(add.value, "abc def");
  EXPECT_FALSE(add.remove);
  EXPECT_TRUE(header("Accept:").remove);
  EXPECT_TRUE(header("Accept:   ").remove);
  const HeaderOption empty = header("X-Empty;");
  EXPECT_EQ(empty.name, "X-Empty");
  EXPECT_EQ(empty.value, "");
  EXPECT_FALSE(empty.remove);
  EXPECT_EQ(header("Cookie: a=1; b=2").value, "a=1; b=2") << "a ';' in a value is a value";
}

TEST(HeaderOption, RefusesInjectionAndNamesTheHeader) {
  EXPECT_EQ(problem_of("X: a\r\nInjected: 1"),
            "header 'X: a\\r\\nInjected: 1' contains a CR (carriage return)");
  EXPECT_EQ(problem_of("X: a\nY: b"), "header 'X: a\\nY: b' contains an LF (line feed)");
  EXPECT_EQ(problem_of(std::string_view{"X: a\0b", 6}), "header 'X: a\\x00b' contains a NUL byte");
  EXPECT_NE(problem_of("X: bell\x07").find("control character"), std::string::npos);
  EXPECT_NE(problem_of("no colon here").find("has no ':'"), std::string::npos);
  EXPECT_NE(problem_of(": value").find("no valid name"), std::string::npos);
  EXPECT_NE(problem_of("Bad Name: x").find("no valid name"), std::string::npos);
  EXPECT_NE(problem_of("content-length: 5").find("frames the body"), std::string::npos);
  EXPECT_NE(problem_of("Transfer-Encoding: chunked").find("frames the body"), std::string::npos);
}

TEST(BuildRequest, DefaultsAreTheGetFetchAlwaysSent) {
  EXPECT_EQ(head_of(build_request(base())),
            "GET /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ua\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(head_of(build_request(base())), head_of(default_request("ua", false, false)));
}

TEST(BuildRequest, HeadersReplaceDefaultsInPlaceRemoveThemAndAppendTheRest) {
  RequestOptions options = base();
  options.headers = {header("accept: text/html"), header("User-Agent:"), header("X-A: 1"),
                     header("X-A: 2"), header("Accept: second")};
  EXPECT_EQ(head_of(build_request(options)),
            "GET /a HTTP/1.1\r\nHost: example.com\r\naccept: text/html\r\nX-A: 1\r\nX-A: 2\r\n"
            "Accept: second\r\n\r\n");
  options.headers.push_back(header("X-A:"));  // removes what came before it too
  EXPECT_EQ(head_of(build_request(options)).find("X-A"), std::string::npos);
}

TEST(BuildRequest, HostHeaderReplacesTheUrlsHost) {
  RequestOptions options = base();
  options.headers = {header("Host: vhost.test:8080")};
  const RequestSpec spec = build_request(options);
  EXPECT_EQ(spec.host(), "vhost.test:8080");
  const std::string head = head_of(spec);
  EXPECT_NE(head.find("\r\nHost: vhost.test:8080\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("example.com"), std::string::npos) << head;
}

TEST(BuildRequest, BodyMeansPostWithLengthAndFormContentType) {
  RequestOptions options = base();
  options.body = "a=1&b=2";
  const RequestSpec spec = build_request(options);
  EXPECT_EQ(spec.method(), "POST");
  ASSERT_NE(spec.body(), nullptr);
  EXPECT_EQ(*spec.body(), "a=1&b=2");
  EXPECT_EQ(head_of(spec),
            "POST /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ua\r\nAccept: */*\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\n"
            "a=1&b=2")
      << "a small body goes in the same buffer";
  options.body = "";
  EXPECT_NE(head_of(build_request(options)).find("\r\nContent-Length: 0\r\n"), std::string::npos)
      << "an empty body is still a body";
}

TEST(BuildRequest, JsonSetsContentTypeAndAcceptUnlessHeadersSayOtherwise) {
  RequestOptions options = base();
  options.body = "{}";
  options.json = true;
  std::string head = head_of(build_request(options));
  EXPECT_NE(head.find("\r\nAccept: application/json\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << head;
  options.headers = {header("Content-Type: application/vnd.x+json")};
  head = head_of(build_request(options));
  EXPECT_NE(head.find("\r\nContent-Type: application/vnd.x+json\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Content-Type: application/json"), std::string::npos) << head;
}

TEST(BuildRequest, MethodComesFromXThenHeadThenBody) {
  RequestOptions options = base();
  EXPECT_EQ(build_request(options).method(), "GET");
  options.head = true;
  EXPECT_TRUE(build_request(options).head());
  options.head = false;
  options.body = "x";
  options.method = "PUT";
  EXPECT_EQ(build_request(options).method(), "PUT");
  options.method = "HEAD";
  EXPECT_TRUE(build_request(options).head()) << "-X HEAD reads no body, whatever is declared";
}

TEST(BuildRequest, AnAuthorizationHeaderReplacesTheUrlsCredentials) {
  RequestOptions options = base();
  options.headers = {header("Authorization: Bearer t0ken")};
  const std::string head = head_of(build_request(options), "http://u:p@example.com/");
  EXPECT_NE(head.find("\r\nAuthorization: Bearer t0ken\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Basic"), std::string::npos) << head;
}

struct SwitchCase {
  unsigned status;
  const char* method;
  bool to_get;

  friend void PrintTo(const SwitchCase& c, std::ostream* out) {
    *out << c.status << " after " << c.method;
  }
};

class RedirectMethod : public ::testing::TestWithParam<SwitchCase> {};

TEST_P(RedirectMethod, FollowsTheFetchStandardAndCurl) {
  EXPECT_EQ(redirect_switches_to_get(GetParam().status, GetParam().method), GetParam().to_get);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, RedirectMethod,
    ::testing::Values(SwitchCase{301, "POST", true}, SwitchCase{302, "POST", true},
                      SwitchCase{303, "POST", true}, SwitchCase{307, "POST", false},
                      SwitchCase{308, "POST", false}, SwitchCase{301, "PUT", false},
                      SwitchCase{302, "DELETE", false}, SwitchCase{303, "PUT", true},
                      SwitchCase{303, "HEAD", false}, SwitchCase{303, "GET", false},
                      SwitchCase{308, "PATCH", false}),
    [](const auto& info) { return std::to_string(info.param.status) + "_" + info.param.method; });

TEST(ChangedRequest, ToGetDropsTheBodyAndTheHeadersDescribingIt) {
  RequestOptions options = base();
  options.body = "x=1";
  options.headers = {header("Content-Language: en"), header("X-Keep: 1")};
  const RequestSpec changed = changed_request(build_request(options), {.to_get = true});
  EXPECT_EQ(changed.method(), "GET");
  EXPECT_EQ(changed.body(), nullptr);
  EXPECT_EQ(head_of(changed),
            "GET /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ua\r\nAccept: */*\r\n"
            "X-Keep: 1\r\n\r\n");
}

TEST(ChangedRequest, AnotherOriginGetsNoCredentialsCookiesOrHostOfTheFirst) {
  RequestOptions options = base();
  options.body = "x=1";
  options.headers = {header("Authorization: Bearer t"), header("cookie: a=1"),
                     header("Host: first.test"), header("X-Keep: 1")};
  const RequestSpec changed = changed_request(build_request(options), {.other_origin = true});
  EXPECT_EQ(changed.method(), "POST");
  ASSERT_NE(changed.body(), nullptr);
  EXPECT_EQ(*changed.body(), "x=1");
  EXPECT_EQ(head_of(changed),
            "POST /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ua\r\nAccept: */*\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nX-Keep: 1\r\n"
            "Content-Length: 3\r\n\r\nx=1");
}

TEST(WriteRequest, ALargeBodyIsLeftInTheSpecNotCopied) {
  RequestOptions options = base();
  options.body = std::string(kInlineBody + 1, 'b');
  const RequestSpec spec = build_request(options);
  std::string out;
  const std::string* rest =
      write_request(spec, std::get<Target>(parse_target("http://e.test/")), out);
  ASSERT_EQ(rest, spec.body());
  EXPECT_TRUE(out.ends_with("Content-Length: " + std::to_string(kInlineBody + 1) + "\r\n\r\n"));
  options.body = std::string(kInlineBody, 'b');
  EXPECT_EQ(
      write_request(build_request(options), std::get<Target>(parse_target("http://e.test/")), out),
      nullptr);
  EXPECT_TRUE(out.ends_with("\r\n\r\n" + std::string(kInlineBody, 'b')));
}

}  // namespace
}  // namespace fetch
