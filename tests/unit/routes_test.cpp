// Which route each origin takes: --connect-to rules, proxies, NO_PROXY; --resolve entries.
#include "fetch/client/routes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "fetch/dns/resolver.hpp"

namespace fetch {
namespace {

ConnectTo rule_ok(std::string_view text) {
  auto parsed = parse_connect_to(text);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << text << ": " << *reason;
    return {};
  }
  return std::get<ConnectTo>(parsed);
}

bool rule_refused(std::string_view text) {
  return std::holds_alternative<std::string>(parse_connect_to(text));
}

const Environment kNoEnvironment = [](const char*) -> const char* { return nullptr; };

TEST(ConnectTo, ParsesCurlsForm) {
  const ConnectTo rule = rule_ok("Example.ORG:443:127.0.0.1:8443");
  EXPECT_EQ(rule.host, "example.org");
  EXPECT_EQ(rule.port, 443);
  EXPECT_EQ(rule.to_host, "127.0.0.1");
  EXPECT_TRUE(rule.to_host_is_ip);
  EXPECT_EQ(rule.to_port, 8443);
  const ConnectTo any = rule_ok("::backend.test:");
  EXPECT_EQ(any.host, "");
  EXPECT_FALSE(any.port);
  EXPECT_EQ(any.to_host, "backend.test");
  EXPECT_FALSE(any.to_host_is_ip);
  EXPECT_FALSE(any.to_port);
  const ConnectTo v6 = rule_ok("[::1]:80:[::2]:81");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.to_host, "::2");
  EXPECT_TRUE(v6.to_host_is_ip);
  for (const char* bad : {"", "a:1:b", "a:1", "a:x:b:2", "a:1:b:70000", "a:1:b:0", "[::1:80:b:1",
                          "a:1:b:2:3", "a b:1:c:2"}) {
    EXPECT_TRUE(rule_refused(bad)) << bad;
  }
}

TEST(Routes, DirectByDefaultAndWithoutAnyRule) {
  Routes routes;
  const OriginKey origin{Scheme::https, "example.org", 443};
  EXPECT_EQ(routes.route(origin).route(), nullptr);
  EXPECT_TRUE(routes.route(origin) == origin);
}

TEST(Routes, ConnectToChangesTheDialNotTheOrigin) {
  Routes routes{RouteSettings{std::nullopt,
                              std::nullopt,
                              {rule_ok("a.test:443:127.0.0.1:8443"), rule_ok("a.test:::9000")}},
                kNoEnvironment};
  const OriginKey routed = routes.route(OriginKey{Scheme::https, "a.test", 443});
  ASSERT_NE(routed.route(), nullptr);
  EXPECT_FALSE(routed.route()->proxy);
  EXPECT_EQ(routed.route()->dial.authority(), "127.0.0.1:8443");
  EXPECT_EQ(routed.host(), "a.test") << "TLS and Host still use the URL's name";
  EXPECT_TRUE(routed.same_origin(OriginKey{Scheme::https, "a.test", 443}));
  EXPECT_FALSE(routed == OriginKey(Scheme::https, "a.test", 443)) << "never pooled together";
  const OriginKey other_port = routes.route(OriginKey{Scheme::http, "a.test", 80});
  ASSERT_NE(other_port.route(), nullptr);
  EXPECT_EQ(other_port.route()->dial.authority(), "a.test:9000") << "the first match wins";
  EXPECT_EQ(routes.route(OriginKey{Scheme::https, "b.test", 443}).route(), nullptr);
}

TEST(Routes, EqualRoutesAreOneObjectSoKeysMatch) {
  Routes routes{RouteSettings{"http://127.0.0.1:3128", std::nullopt, {}}, kNoEnvironment};
  const OriginKey a = routes.route(OriginKey{Scheme::https, "a.test", 443});
  const OriginKey again = routes.route(OriginKey{Scheme::https, "a.test", 443});
  EXPECT_TRUE(a == again);
  EXPECT_EQ(a.hash(), again.hash());
  EXPECT_EQ(a.route(), routes.route(OriginKey{Scheme::https, "b.test", 443}).route());
}

TEST(Routes, ProxyForEveryUrlExceptNoProxyHosts) {
  Routes routes{RouteSettings{"http://u:p@127.0.0.1:3128", "internal.test,10.0.0.0/8", {}},
                kNoEnvironment};
  const OriginKey proxied = routes.route(OriginKey{Scheme::http, "example.org", 80});
  ASSERT_NE(proxied.route(), nullptr);
  EXPECT_TRUE(proxied.route()->proxy);
  EXPECT_EQ(proxied.route()->dial.authority(), "127.0.0.1:3128");
  EXPECT_EQ(proxied.route()->proxy_authorization, "Basic dTpw");
  EXPECT_FALSE(proxied.route()->tunnel_to);
  EXPECT_EQ(routes.route(OriginKey{Scheme::https, "www.internal.test", 443}).route(), nullptr);
  EXPECT_EQ(routes.route(OriginKey{Scheme::https, "10.1.2.3", 443}).route(), nullptr);
}

TEST(Routes, ConnectToThroughAProxyChangesTheTunnelsTarget) {
  Routes routes{
      RouteSettings{
          "http://127.0.0.1:3128", std::nullopt, {rule_ok("a.test:443:backend.test:8443")}},
      kNoEnvironment};
  const OriginKey routed = routes.route(OriginKey{Scheme::https, "a.test", 443});
  ASSERT_NE(routed.route(), nullptr);
  EXPECT_EQ(routed.route()->dial.authority(), "127.0.0.1:3128");
  ASSERT_TRUE(routed.route()->tunnel_to);
  EXPECT_EQ(routed.route()->tunnel_to->authority(), "backend.test:8443");
}

TEST(Routes, EnvironmentAndWhatOverridesIt) {
  const Environment environment = [](const char* name) -> const char* {
    const std::string n = name;
    if (n == "http_proxy") return "http://127.0.0.1:1111";
    if (n == "HTTPS_PROXY") return "127.0.0.1:2222";
    if (n == "NO_PROXY") return "skip.test";
    return nullptr;
  };
  Routes from_environment{RouteSettings{}, environment};
  EXPECT_EQ(from_environment.route(OriginKey{Scheme::http, "a.test", 80}).route()->dial.port, 1111);
  EXPECT_EQ(from_environment.route(OriginKey{Scheme::https, "a.test", 443}).route()->dial.port,
            2222);
  EXPECT_EQ(from_environment.route(OriginKey{Scheme::https, "skip.test", 443}).route(), nullptr);
  Routes none{RouteSettings{"", std::nullopt, {}}, environment};
  EXPECT_FALSE(none.any()) << "-x '' ignores the environment";
  Routes noproxy_wins{RouteSettings{std::nullopt, "", {}}, environment};
  EXPECT_NE(noproxy_wins.route(OriginKey{Scheme::https, "skip.test", 443}).route(), nullptr)
      << "--noproxy '' replaces NO_PROXY";
}

TEST(Routes, AnUnusableProxyVariableIsRefusedByName) {
  const Environment environment = [](const char* name) -> const char* {
    return std::string{name} == "ALL_PROXY" ? "socks5://127.0.0.1:1080" : nullptr;
  };
  try {
    Routes routes{RouteSettings{}, environment};
    FAIL() << "accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string{error.what()}.find("ALL_PROXY"), std::string::npos) << error.what();
  }
}

TEST(ResolveOverride, ParsesCurlsForm) {
  auto parsed = parse_resolve_override("Example.org:443:127.0.0.1,[::1],::2");
  ASSERT_TRUE(std::holds_alternative<ResolveOverride>(parsed)) << std::get<std::string>(parsed);
  const ResolveOverride& entry = std::get<ResolveOverride>(parsed);
  EXPECT_EQ(entry.host, "example.org");
  EXPECT_EQ(entry.port, 443);
  ASSERT_EQ(entry.addresses.size(), 3u);
  EXPECT_EQ(entry.addresses[1].to_string(), "::1");
  EXPECT_EQ(entry.addresses[2].to_string(), "::2");
  EXPECT_TRUE(std::holds_alternative<ResolveOverride>(parse_resolve_override("+*:80:10.0.0.1")));
  EXPECT_TRUE(std::holds_alternative<ResolveOverride>(parse_resolve_override("[::1]:80:::1")));
  for (const char* bad : {"", "a", "a:80", "a:80:", "a:x:1.2.3.4", "a:0:1.2.3.4", "a:70000:1.2.3.4",
                          "a:80:not-an-address", ":80:1.2.3.4", "[::1:80:::1"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(parse_resolve_override(bad))) << bad;
  }
}

}  // namespace
}  // namespace fetch
