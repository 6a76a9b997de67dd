// resolve_redirect: Location values against the URL they came from (RFC 3986 section 5).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

#include "fetch/input/url.hpp"
#include "url_helpers.hpp"

namespace fetch {
namespace {

using namespace std::string_literals;

TEST(ResolveRedirect, BaseOrLocationWhoseHostStartsWithADottedQuad) {
  const Target base = parse_ok("http://10.0.0.1.example:81/dir/page");
  auto relative = resolve_redirect(base, "other");
  ASSERT_TRUE(std::holds_alternative<Target>(relative));
  EXPECT_EQ(std::get<Target>(relative).url, "http://10.0.0.1.example:81/dir/other");
  auto absolute = resolve_redirect(base, "//192.168.0.1.example/x");
  ASSERT_TRUE(std::holds_alternative<Target>(absolute));
  EXPECT_EQ(std::get<Target>(absolute).origin.host(), "192.168.0.1.example");
}

TEST(ResolveRedirect, RelativeReferences) {
  const Target base = parse_ok("http://example.com/dir/sub/page?old=1");
  EXPECT_EQ(redirect_ok(base, "../a").url, "http://example.com/dir/a");
  EXPECT_EQ(redirect_ok(base, "a").url, "http://example.com/dir/sub/a");
  EXPECT_EQ(redirect_ok(base, "./").url, "http://example.com/dir/sub/");
  EXPECT_EQ(redirect_ok(base, "/b").url, "http://example.com/b");
  EXPECT_EQ(redirect_ok(base, "/b").host_header, "example.com");
  EXPECT_EQ(redirect_ok(base, "?q").url, "http://example.com/dir/sub/page?q");
  EXPECT_EQ(redirect_ok(base, "?q").request_target, "/dir/sub/page?q");
  EXPECT_EQ(redirect_ok(base, "../../../../x").url, "http://example.com/x");
  EXPECT_EQ(redirect_ok(base, "#frag").url, "http://example.com/dir/sub/page?old=1");
}

// RFC 3986 section 5.4: every normal and abnormal example with an http(s) result.
TEST(ResolveRedirect, Rfc3986Examples) {
  const Target base = parse_ok("http://a/b/c/d;p?q");
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g/"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},
      {"g?y#s", "http://a/b/c/g?y"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g"},
      {"g#s/../x", "http://a/b/c/g"},
      // Boost.URL 1.81 leaves these ".." in place on its own.
      {"/..", "http://a/"},
      {"//g/../x", "http://g/x"},
      {"http://x/../y", "http://x/y"},
      {"https://x/a/../../b/", "https://x/b/"},
  };
  for (const auto& [location, expected] : cases)
    EXPECT_EQ(redirect_ok(base, location).url, expected) << location;
  EXPECT_EQ(redirect_reason(base, "g:h"), "redirect to unsupported scheme 'g'");
  EXPECT_EQ(redirect_reason(base, "http:g"), "invalid redirect location: missing host");
}

TEST(ResolveRedirect, BaseWithoutPathOrWithQuery) {
  EXPECT_EQ(redirect_ok(parse_ok("http://h"), "g").url, "http://h/g");
  EXPECT_EQ(redirect_ok(parse_ok("http://h"), "?x").url, "http://h/?x");
  EXPECT_EQ(redirect_ok(parse_ok("http://h/p?q=1"), "#f").url, "http://h/p?q=1");
  EXPECT_EQ(redirect_ok(parse_ok("http://h/p?q=1"), "?").url, "http://h/p?");
  EXPECT_EQ(redirect_ok(parse_ok("http://h:8080/a/"), "b").url, "http://h:8080/a/b");
  EXPECT_EQ(redirect_ok(parse_ok("https://[::1]:8443/a/b"), "../c").url, "https://[::1]:8443/c");
}

TEST(ResolveRedirect, NetworkPathKeepsSchemeChangesHost) {
  const Target base = parse_ok("https://example.com:8443/a");
  const Target t = redirect_ok(base, "//other.host/p");
  EXPECT_EQ(t.url, "https://other.host/p");
  EXPECT_TRUE(t.origin.tls());
  EXPECT_EQ(t.origin.host(), "other.host");
  EXPECT_EQ(t.origin.port(), 443);
  EXPECT_EQ(t.host_header, "other.host");
}

TEST(ResolveRedirect, AbsoluteLocations) {
  const Target base = parse_ok("http://example.com/a");
  const Target t = redirect_ok(base, "https://secure.example.com:444/login?next=%2F");
  EXPECT_TRUE(t.origin.tls());
  EXPECT_EQ(t.origin.host(), "secure.example.com");
  EXPECT_EQ(t.origin.port(), 444);
  EXPECT_EQ(t.host_header, "secure.example.com:444");
  EXPECT_EQ(t.request_target, "/login?next=%2F");
  EXPECT_EQ(redirect_ok(base, "HTTP://Example.COM/").url, "http://example.com/");
  EXPECT_EQ(redirect_ok(base, "http://[::1]:8080/x").origin.host(), "::1");
}

TEST(ResolveRedirect, CredentialsStayWithTheirHostOnly) {
  const Target base = parse_ok("http://user:pw@example.com/a/b");
  const Target same = redirect_ok(base, "/c");
  EXPECT_EQ(same.authorization, base.authorization);
  EXPECT_EQ(same.display, "http://***@example.com/c");
  EXPECT_EQ(redirect_ok(base, "//other.example/").authorization, "");
  EXPECT_EQ(redirect_ok(base, "http://other.example/").authorization, "");
}

TEST(ResolveRedirect, UnsupportedSchemes) {
  const Target base = parse_ok("http://example.com/a");
  EXPECT_EQ(redirect_reason(base, "ftp://example.com/file"),
            "redirect to unsupported scheme 'ftp'");
  EXPECT_EQ(redirect_reason(base, "FTP://example.com/file"),
            "redirect to unsupported scheme 'ftp'");
  EXPECT_EQ(redirect_reason(base, "javascript:alert(1)"),
            "redirect to unsupported scheme 'javascript'");
  EXPECT_EQ(redirect_reason(base, "file:///etc/passwd"), "redirect to unsupported scheme 'file'");
  EXPECT_EQ(redirect_reason(base, "data:text/html,hi"), "redirect to unsupported scheme 'data'");
}

TEST(ResolveRedirect, InvalidLocations) {
  const Target base = parse_ok("http://example.com/a");
  EXPECT_EQ(redirect_reason(base, ""), "empty redirect location");
  EXPECT_EQ(redirect_reason(base, " \t "), "empty redirect location");
  EXPECT_EQ(redirect_reason(base, "http://h:99999/"),
            "invalid redirect location: invalid port '99999'");
  EXPECT_EQ(redirect_reason(base, "http:///x"), "invalid redirect location: missing host");
  EXPECT_EQ(redirect_reason(base, "http://[::1/").rfind("invalid redirect location: ", 0), 0u);
  EXPECT_EQ(redirect_reason(base, "//[::1/").rfind("invalid redirect location: ", 0), 0u);
}

TEST(ResolveRedirect, SpacesAndControlsAreEncodedOrDroppedAsBrowsersDo) {
  // WHATWG URL parsing: leading and trailing C0 controls and spaces go, tabs and line breaks
  // inside go, and the rest is percent-encoded; nothing of it can reach the request line.
  const Target base = parse_ok("http://example.com/a");
  EXPECT_EQ(redirect_ok(base, "/a b").request_target, "/a%20b");
  EXPECT_EQ(redirect_ok(base, "  /padded\t ").request_target, "/padded");
  EXPECT_EQ(redirect_ok(base, "/a\r\nSet-Cookie: x=1").request_target, "/aSet-Cookie:%20x=1");
  EXPECT_EQ(redirect_ok(base, "/a\0b"s).request_target, "/a%00b");
  EXPECT_EQ(redirect_ok(base, "/tab\there?q=a b").request_target, "/tabhere?q=a%20b");
}

TEST(ResolveRedirect, BytesOutsideRfc3986ArePercentEncoded) {
  const Target base = parse_ok("http://example.com/a");
  EXPECT_EQ(redirect_ok(base, "/caf\xC3\xA9").request_target, "/caf%C3%A9");
  EXPECT_EQ(redirect_ok(base, "/a|b?x={1}").request_target, "/a%7Cb?x=%7B1%7D");
  // The crash family from boostorg/url#665 is a reason, not an abort.
  EXPECT_EQ(redirect_reason(base, "hhttt:|"), "redirect to unsupported scheme 'hhttt'");
  EXPECT_EQ(redirect_reason(base, "A:\\\\"), "redirect to unsupported scheme 'a'");
  EXPECT_EQ(redirect_ok(base, "|").url, "http://example.com/%7C");
  // A '%' that starts no escape is itself escaped; real escapes are kept.
  EXPECT_EQ(redirect_ok(base, "/100%").request_target, "/100%25");
  EXPECT_EQ(redirect_ok(base, "/a%zz%41%4").request_target, "/a%25zz%41%254");
}

// boost::urls::resolve() in 1.81 decodes these, changing which resource is asked for.
TEST(ResolveRedirect, EscapesArePreserved) {
  const Target base = parse_ok("http://example.com/dir/page");
  EXPECT_EQ(redirect_ok(base, "/%2F%3F").request_target, "/%2F%3F");
  EXPECT_EQ(redirect_ok(base, "/api/projects/group%2Fproject").request_target,
            "/api/projects/group%2Fproject");
  EXPECT_EQ(redirect_ok(base, "x%2Fy").request_target, "/dir/x%2Fy");
  EXPECT_EQ(redirect_ok(base, "//o/%2F").url, "http://o/%2F");
  EXPECT_EQ(redirect_ok(base, "https://o/a%2Fb?q=%2F").request_target, "/a%2Fb?q=%2F");
  EXPECT_EQ(redirect_ok(base, "/%41").request_target, "/%41");
  // Only literal dot segments are removed.
  EXPECT_EQ(redirect_ok(base, "/%2E%2E/b").request_target, "/%2E%2E/b");
}

}  // namespace
}  // namespace fetch
