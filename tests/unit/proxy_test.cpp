// Proxy settings as curl reads them: proxy URLs, the environment, NO_PROXY lists.
#include "fetch/client/proxy.hpp"

#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <string>

namespace fetch {
namespace {

ProxyUrl proxy_ok(std::string_view text) {
  auto parsed = parse_proxy_url(text);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << text << ": " << *reason;
    return {};
  }
  return std::get<ProxyUrl>(parsed);
}

std::string proxy_problem(std::string_view text) {
  auto parsed = parse_proxy_url(text);
  if (auto* reason = std::get_if<std::string>(&parsed)) return *reason;
  return "<accepted>";
}

TEST(ProxyUrl, TakesCurlsFormsWithItsDefaultPort) {
  EXPECT_EQ(proxy_ok("http://proxy.example:3128").endpoint.authority(), "proxy.example:3128");
  EXPECT_EQ(proxy_ok("http://proxy.example").endpoint.authority(), "proxy.example:1080");
  EXPECT_EQ(proxy_ok("http://proxy.example:/").endpoint.authority(), "proxy.example:1080");
  EXPECT_EQ(proxy_ok("proxy.example:8080").endpoint.authority(), "proxy.example:8080");
  EXPECT_EQ(proxy_ok("HTTP://Proxy.Example:80/ignored/path").endpoint.authority(),
            "proxy.example:80");
  const ProxyUrl v6 = proxy_ok("http://[::1]:3128");
  EXPECT_TRUE(v6.endpoint.host_is_ip);
  EXPECT_EQ(v6.endpoint.authority(), "[::1]:3128");
  EXPECT_EQ(proxy_ok("http://[::1]").endpoint.authority(), "[::1]:1080");
  EXPECT_EQ(proxy_ok("http://127.0.0.1:3128").authorization, "");
}

TEST(ProxyUrl, CredentialsBecomeBasicAuthorization) {
  EXPECT_EQ(proxy_ok("http://user:p%40ss@proxy.example:3128").authorization, "Basic dXNlcjpwQHNz");
  EXPECT_EQ(proxy_ok("user:pass@proxy.example").endpoint.authority(), "proxy.example:1080");
}

TEST(ProxyUrl, RefusesOtherSchemesWithoutShowingCredentials) {
  EXPECT_NE(proxy_problem("socks5://proxy:1080").find("http:// proxies only"), std::string::npos);
  EXPECT_NE(proxy_problem("https://proxy:443").find("http:// proxies only"), std::string::npos);
  const std::string problem = proxy_problem("http://user:s3cret@");
  EXPECT_NE(problem, "<accepted>");
  EXPECT_EQ(problem.find("s3cret"), std::string::npos) << problem;
  EXPECT_NE(proxy_problem("http://proxy:99999"), "<accepted>");
  EXPECT_NE(proxy_problem("http://pro xy"), "<accepted>");
}

// An environment of its own for each test.
struct FakeEnvironment {
  std::map<std::string, std::string> variables;
  Environment lookup() const {
    return [this](const char* name) -> const char* {
      const auto found = variables.find(name);
      return found == variables.end() ? nullptr : found->second.c_str();
    };
  }
};

std::string chosen(Scheme scheme, const FakeEnvironment& environment) {
  auto value = proxy_from_environment(scheme, environment.lookup());
  return value ? value->variable + "=" + value->value : "<none>";
}

TEST(ProxyEnvironment, HttpReadsOnlyTheLowerCaseVariable) {
  FakeEnvironment environment{{{"HTTP_PROXY", "http://cgi-injected:1"}}};
  EXPECT_EQ(chosen(Scheme::http, environment), "<none>") << "httpoxy";
  environment.variables["http_proxy"] = "http://p:1";
  EXPECT_EQ(chosen(Scheme::http, environment), "http_proxy=http://p:1");
}

TEST(ProxyEnvironment, HttpsReadsEitherCaseLowerFirstThenAllProxy) {
  FakeEnvironment environment{{{"ALL_PROXY", "http://all-upper:1"}}};
  EXPECT_EQ(chosen(Scheme::https, environment), "ALL_PROXY=http://all-upper:1");
  EXPECT_EQ(chosen(Scheme::http, environment), "ALL_PROXY=http://all-upper:1");
  environment.variables["all_proxy"] = "http://all-lower:1";
  EXPECT_EQ(chosen(Scheme::https, environment), "all_proxy=http://all-lower:1");
  environment.variables["HTTPS_PROXY"] = "http://https-upper:1";
  EXPECT_EQ(chosen(Scheme::https, environment), "HTTPS_PROXY=http://https-upper:1");
  environment.variables["https_proxy"] = "http://https-lower:1";
  EXPECT_EQ(chosen(Scheme::https, environment), "https_proxy=http://https-lower:1");
  EXPECT_EQ(chosen(Scheme::http, environment), "all_proxy=http://all-lower:1");
}

TEST(ProxyEnvironment, EmptyValuesCountAsUnset) {
  const FakeEnvironment environment{{{"https_proxy", ""},
                                     {"HTTPS_PROXY", "http://p:1"},
                                     {"no_proxy", ""},
                                     {"NO_PROXY", "internal"}}};
  EXPECT_EQ(chosen(Scheme::https, environment), "HTTPS_PROXY=http://p:1");
  const auto no_proxy = no_proxy_from_environment(environment.lookup());
  ASSERT_TRUE(no_proxy);
  EXPECT_EQ(no_proxy->variable, "NO_PROXY");
}

struct NoProxyCase {
  const char* list;
  const char* host;
  bool host_is_ip;
  bool exempt;

  friend void PrintTo(const NoProxyCase& c, std::ostream* out) {
    *out << "'" << c.host << "' in '" << c.list << "'";
  }
};

class NoProxy : public ::testing::TestWithParam<NoProxyCase> {};

TEST_P(NoProxy, MatchesAsCurlDoes) {
  const NoProxyCase& c = GetParam();
  EXPECT_EQ(no_proxy_matches(c.list, c.host, c.host_is_ip), c.exempt);
}

INSTANTIATE_TEST_SUITE_P(
    Lists, NoProxy,
    ::testing::Values(
        NoProxyCase{"*", "anything.example", false, true}, NoProxyCase{"*", "10.0.0.1", true, true},
        NoProxyCase{"*.example.com", "www.example.com", false, false},  // only a lone '*'
        NoProxyCase{"example.com", "example.com", false, true},
        NoProxyCase{"example.com", "www.example.com", false, true},
        NoProxyCase{".example.com", "www.example.com", false, true},
        NoProxyCase{".example.com", "example.com", false, true},
        NoProxyCase{"example.com", "notexample.com", false, false},
        NoProxyCase{"EXAMPLE.com.", "www.example.COM", false, true},
        NoProxyCase{"example.com", "example.com.", false, true},
        NoProxyCase{"a.test, b.test,c.test", "b.test", false, true},
        NoProxyCase{"a.test b.test", "b.test", false, true},
        NoProxyCase{",,a.test,,", "a.test", false, true},
        NoProxyCase{"a.test", "b.test", false, false}, NoProxyCase{"", "a.test", false, false},
        NoProxyCase{"127.0.0.1", "127.0.0.1", true, true},
        NoProxyCase{"127.0.0.1", "127.0.0.2", true, false},
        NoProxyCase{"10.0.0.0/8", "10.20.30.40", true, true},
        NoProxyCase{"10.0.0.0/8", "11.0.0.1", true, false},
        NoProxyCase{"192.168.1.0/24", "192.168.1.77", true, true},
        NoProxyCase{"::1", "::1", true, true}, NoProxyCase{"[::1]", "::1", true, true},
        NoProxyCase{"fd00::/8", "fd12:3456::1", true, true},
        NoProxyCase{"fd00::/8", "fe80::1", true, false},
        NoProxyCase{"127.0.0.1", "localhost", false, false},  // names are not resolved
        NoProxyCase{"localhost", "127.0.0.1", true, false},
        NoProxyCase{"10.0.0.0/8", "::ffff:10.0.0.1", true, false}),
    [](const auto& info) { return "Case" + std::to_string(info.index); });

}  // namespace
}  // namespace fetch
