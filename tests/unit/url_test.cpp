// parse_target and redact_credentials: URL validation without the network.
#include "fetch/input/url.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <variant>

#include "url_helpers.hpp"

namespace fetch {
namespace {

using namespace std::string_literals;

TEST(ParseTarget, PlainHttp) {
  const Target t = parse_ok("http://example.com/a/b?x=1&y=2");
  EXPECT_FALSE(t.origin.tls());
  EXPECT_EQ(t.origin.host(), "example.com");
  EXPECT_FALSE(t.origin.host_is_ip());
  EXPECT_EQ(t.origin.port(), 80);
  EXPECT_EQ(t.host_header, "example.com");
  EXPECT_EQ(t.request_target, "/a/b?x=1&y=2");
  EXPECT_EQ(t.url, "http://example.com/a/b?x=1&y=2");
  EXPECT_EQ(t.display, t.url);
  EXPECT_EQ(t.authorization, "");
  EXPECT_EQ(t.origin.to_string(), "http://example.com:80");
}

TEST(ParseTarget, HttpsDefaultsAndEmptyPath) {
  const Target t = parse_ok("https://example.com");
  EXPECT_TRUE(t.origin.tls());
  EXPECT_EQ(t.origin.port(), 443);
  EXPECT_EQ(t.host_header, "example.com");
  EXPECT_EQ(t.request_target, "/");
  EXPECT_EQ(t.url, "https://example.com/");
  EXPECT_EQ(t.origin.to_string(), "https://example.com:443");
}

TEST(ParseTarget, SchemeAndHostAreCaseInsensitive) {
  const Target t = parse_ok("HTTPS://WWW.Example.COM/Path/KeepsCase");
  EXPECT_TRUE(t.origin.tls());
  EXPECT_EQ(t.origin.host(), "www.example.com");
  EXPECT_EQ(t.host_header, "www.example.com");
  EXPECT_EQ(t.request_target, "/Path/KeepsCase");
  EXPECT_EQ(t.url, "https://www.example.com/Path/KeepsCase");
  EXPECT_TRUE(parse_ok("hTtP://h/").url == "http://h/");
}

TEST(ParseTarget, ExplicitPorts) {
  const Target custom = parse_ok("http://example.com:8080/x");
  EXPECT_EQ(custom.origin.port(), 8080);
  EXPECT_EQ(custom.host_header, "example.com:8080");
  EXPECT_EQ(custom.url, "http://example.com:8080/x");
  EXPECT_EQ(custom.origin.to_string(), "http://example.com:8080");

  // An explicit default port is not repeated in Host: nor in the normalised URL.
  const Target default_http = parse_ok("http://example.com:80/x");
  EXPECT_EQ(default_http.origin.port(), 80);
  EXPECT_EQ(default_http.host_header, "example.com");
  EXPECT_EQ(default_http.url, "http://example.com/x");
  const Target default_https = parse_ok("https://example.com:443/");
  EXPECT_EQ(default_https.origin.port(), 443);
  EXPECT_EQ(default_https.host_header, "example.com");

  // 443 is not the default for http.
  const Target swapped = parse_ok("http://example.com:443/");
  EXPECT_EQ(swapped.host_header, "example.com:443");
  const Target leading_zeros = parse_ok("http://example.com:0080/");
  EXPECT_EQ(leading_zeros.origin.port(), 80);
  EXPECT_EQ(leading_zeros.host_header, "example.com");
  EXPECT_EQ(parse_ok("http://h:65535/").origin.port(), 65535);
  EXPECT_EQ(parse_ok("http://h:1/").origin.port(), 1);
}

TEST(ParseTarget, EmptyPortMeansDefault) {
  const Target t = parse_ok("http://h:/");
  EXPECT_EQ(t.origin.port(), 80);
  EXPECT_EQ(t.host_header, "h");
  EXPECT_EQ(t.url, "http://h/");
  EXPECT_EQ(parse_ok("https://h:").origin.port(), 443);
}

TEST(ParseTarget, InvalidPorts) {
  EXPECT_EQ(reason_of("http://h:99999/"), "invalid port '99999'");
  EXPECT_EQ(reason_of("http://h:65536/"), "invalid port '65536'");
  EXPECT_EQ(reason_of("http://h:0/"), "invalid port '0'");
  EXPECT_EQ(reason_of("http://h:000/"), "invalid port '000'");
  EXPECT_EQ(reason_of("http://h:123456789012345678901234567890/"),
            "invalid port '123456789012345678901234567890'");
  // Boost.URL 1.81 alone would accept these, with port "8" and path "x/".
  EXPECT_EQ(reason_of("http://h:8x/"), "invalid port '8x'");
  EXPECT_EQ(reason_of("http://h:8x"), "invalid port '8x'");
  EXPECT_EQ(reason_of("http://h:;"), "invalid port ';'");
  EXPECT_EQ(reason_of("http://h:80;x/y"), "invalid port '80;x'");
  EXPECT_EQ(reason_of("http://[::1]:1a/"), "invalid port '1a'");
}

TEST(ParseTarget, PercentEncodedIpv4IsStillAnAddress) {
  // Treated as a name it would go into SNI, which RFC 6066 forbids for addresses.
  const Target t = parse_ok("https://%31.2.3.4/");
  EXPECT_EQ(t.origin.host(), "1.2.3.4");
  EXPECT_TRUE(t.origin.host_is_ip());
}

// Boost.URL 1.81 would read the leading dotted quad as the host and the rest as a port.
TEST(ParseTarget, NamesThatStartWithADottedQuadAreNames) {
  const Target nip = parse_ok("http://127.0.0.1.nip.io:8080/x");
  EXPECT_EQ(nip.origin.host(), "127.0.0.1.nip.io");
  EXPECT_FALSE(nip.origin.host_is_ip());
  EXPECT_EQ(nip.origin.port(), 8080);
  EXPECT_EQ(nip.host_header, "127.0.0.1.nip.io:8080");

  const Target trailing_dot = parse_ok("http://1.2.3.4./");
  EXPECT_EQ(trailing_dot.origin.host(), "1.2.3.4.");
  EXPECT_FALSE(trailing_dot.origin.host_is_ip());

  // Found by fuzz_url_list: the normalised URL must parse back to the same target.
  const Target decoded = parse_ok("http://1%2e27.0.0.1:80/./a/../b");
  EXPECT_EQ(decoded.url, "http://1.27.0.0.1/b");
  const Target again = parse_ok(decoded.url);
  EXPECT_EQ(again.origin.host(), decoded.origin.host());
  EXPECT_EQ(again.origin.port(), decoded.origin.port());
  EXPECT_EQ(again.url, decoded.url);
}

TEST(ParseTarget, Ipv4Literal) {
  const Target t = parse_ok("http://127.0.0.1:8080/x");
  EXPECT_EQ(t.origin.host(), "127.0.0.1");
  EXPECT_TRUE(t.origin.host_is_ip());
  EXPECT_EQ(t.origin.port(), 8080);
  EXPECT_EQ(t.host_header, "127.0.0.1:8080");
  EXPECT_EQ(t.origin.to_string(), "http://127.0.0.1:8080");
}

TEST(ParseTarget, Ipv6LiteralWithPortQueryAndFragment) {
  const Target t = parse_ok("https://[::1]:8443/x?y#z");
  EXPECT_TRUE(t.origin.tls());
  EXPECT_EQ(t.origin.host(), "::1");
  EXPECT_TRUE(t.origin.host_is_ip());
  EXPECT_EQ(t.origin.port(), 8443);
  EXPECT_EQ(t.host_header, "[::1]:8443");
  EXPECT_EQ(t.request_target, "/x?y");
  EXPECT_EQ(t.url, "https://[::1]:8443/x?y");
  EXPECT_EQ(t.display, t.url);
  EXPECT_EQ(t.origin.to_string(), "https://[::1]:8443");
}

TEST(ParseTarget, Ipv6LiteralDefaultPort) {
  const Target t = parse_ok("http://[2001:DB8::1]/");
  EXPECT_EQ(t.origin.host(), "2001:db8::1");
  EXPECT_TRUE(t.origin.host_is_ip());
  EXPECT_EQ(t.origin.port(), 80);
  EXPECT_EQ(t.host_header, "[2001:db8::1]");
  EXPECT_EQ(t.origin.to_string(), "http://[2001:db8::1]:80");
  EXPECT_TRUE(parse_ok("http://[::ffff:192.0.2.1]/").origin.host_is_ip());
}

TEST(ParseTarget, FragmentIsDropped) {
  const Target t = parse_ok("http://h/p#section");
  EXPECT_EQ(t.request_target, "/p");
  EXPECT_EQ(t.url, "http://h/p");
  EXPECT_EQ(parse_ok("http://h#top").request_target, "/");
}

TEST(ParseTarget, DotSegmentsAreResolved) {
  EXPECT_EQ(parse_ok("http://h/a/../b").request_target, "/b");
  EXPECT_EQ(parse_ok("http://h/a/./b/.").request_target, "/a/b/");
  EXPECT_EQ(parse_ok("http://h/../../x?y/../z").request_target, "/x?y/../z");
  EXPECT_EQ(parse_ok("http://h/..").url, "http://h/");
  EXPECT_EQ(parse_ok("http://h/a..b/.c").request_target, "/a..b/.c");
  EXPECT_EQ(parse_ok("http://h/%2E%2E/x").request_target, "/%2E%2E/x");
}

TEST(ParseTarget, QueryWithoutPath) {
  const Target t = parse_ok("http://h?q=1");
  EXPECT_EQ(t.request_target, "/?q=1");
  EXPECT_EQ(t.url, "http://h/?q=1");
  EXPECT_EQ(parse_ok("http://h/?").request_target, "/?");
}

TEST(ParseTarget, PercentEncodingStaysInPathAndQuery) {
  const Target t = parse_ok("http://h/a%20b/%2F?q=%26%3D");
  EXPECT_EQ(t.request_target, "/a%20b/%2F?q=%26%3D");
}

TEST(ParseTarget, PercentEncodedHostNameIsDecodedAndChecked) {
  const Target t = parse_ok("http://www%2Droot.Example.com/");
  EXPECT_EQ(t.origin.host(), "www-root.example.com");
  EXPECT_EQ(t.host_header, "www-root.example.com");
  EXPECT_EQ(parse_ok("http://under_score.example/").origin.host(), "under_score.example");

  EXPECT_EQ(reason_of("http://a%00b/"), "invalid host name 'a%00b'");
  EXPECT_EQ(reason_of("http://a%0D%0AX-Injected/"), "invalid host name 'a%0D%0AX-Injected'");
  EXPECT_EQ(reason_of("http://a%2Fb/"), "invalid host name 'a%2Fb'");
  EXPECT_EQ(reason_of("http://a%20b/"), "invalid host name 'a%20b'");
  EXPECT_EQ(reason_of("http://a!b/"), "invalid host name 'a!b'");
  EXPECT_EQ(reason_of("http://%C3%A9.example/"), "invalid host name '%C3%A9.example'");
}

TEST(ParseTarget, UserinfoGivesBasicAuthAndIsNeverDisplayed) {
  const Target t = parse_ok("https://user:p%40ss@h/");
  EXPECT_EQ(t.authorization, "Basic dXNlcjpwQHNz");  // base64("user:p@ss")
  EXPECT_EQ(t.url, "https://user:p%40ss@h/");
  EXPECT_EQ(t.display, "https://***@h/");
  EXPECT_EQ(t.origin.host(), "h");
  EXPECT_EQ(t.host_header, "h");
  EXPECT_EQ(t.origin.to_string(), "https://h:443");
  EXPECT_EQ(t.display.find("p%40ss"), std::string::npos);
}

TEST(ParseTarget, UserinfoVariants) {
  // No password: "user:" as curl does.
  EXPECT_EQ(parse_ok("http://user@h/").authorization, "Basic dXNlcjo=");
  EXPECT_EQ(parse_ok("http://user@h/").display, "http://***@h/");
  // Empty password, and a password that itself holds a colon.
  EXPECT_EQ(parse_ok("http://user:@h/").authorization, "Basic dXNlcjo=");
  EXPECT_EQ(parse_ok("http://a:b:c@h:8080/").authorization, "Basic YTpiOmM=");
  EXPECT_EQ(parse_ok("http://a:b:c@h:8080/").display, "http://***@h:8080/");
  // Credentials decoding to control characters cannot inject: they are base64 in the header.
  EXPECT_EQ(parse_ok("http://a%0D%0A:b@h/").authorization, "Basic YQ0KOmI=");
}

TEST(ParseTarget, Reasons) {
  EXPECT_EQ(reason_of(""), "empty URL");
  EXPECT_EQ(reason_of("ftp://example.com/file"), "unsupported scheme 'ftp'");
  EXPECT_EQ(reason_of("FTP://example.com/file"), "unsupported scheme 'ftp'");
  EXPECT_EQ(reason_of("mailto:someone@example.com"), "unsupported scheme 'mailto'");
  EXPECT_EQ(reason_of("file:///etc/passwd"), "unsupported scheme 'file'");
  EXPECT_EQ(reason_of("hhttt:x"), "unsupported scheme 'hhttt'");
  EXPECT_EQ(reason_of("example.com/path"), "missing scheme");
  EXPECT_EQ(reason_of("//example.com/path"), "missing scheme");
  EXPECT_EQ(reason_of("/just/a/path"), "missing scheme");
  EXPECT_EQ(reason_of("example.com:8080/x"), "missing scheme");
  EXPECT_EQ(reason_of("localhost:8080"), "missing scheme");
  EXPECT_EQ(reason_of("://example.com"), "missing scheme");
  EXPECT_EQ(reason_of("1http://example.com"), "missing scheme");
  EXPECT_EQ(reason_of("http://"), "missing host");
  EXPECT_EQ(reason_of("http:///path"), "missing host");
  EXPECT_EQ(reason_of("http://:8080/"), "missing host");
  EXPECT_EQ(reason_of("http://user@/"), "missing host");
  EXPECT_EQ(reason_of("http:example.com"), "missing host");
  EXPECT_EQ(reason_of("http:/example.com"), "missing host");
  EXPECT_EQ(reason_of("http:"), "missing host");
  EXPECT_EQ(reason_of("http://[v7.x]/"), "unsupported host '[v7.x]'");
  EXPECT_EQ(reason_of("http://h:99999/"), "invalid port '99999'");
  EXPECT_EQ(reason_of("http://a b/"), "URL contains whitespace or control characters");
  const std::string lone_percent =
      "URL contains a '%' that starts no percent-encoding (write '%25')";
  EXPECT_EQ(reason_of("http://h/%zz"), lone_percent);
  EXPECT_EQ(reason_of("http://h/100%"), lone_percent);
  EXPECT_EQ(reason_of("http://h/?q=%4"), lone_percent);
  EXPECT_EQ(reason_of("http://h/%4g"), lone_percent);
  EXPECT_EQ(parse_ok("http://h/%4a%4B").request_target, "/%4a%4B");
  // Structural errors carry Boost.URL's own (terse) message.
  EXPECT_EQ(reason_of("http://[::1/"), "not a valid URL: mismatch");
  EXPECT_EQ(reason_of("http://h/#a#b"), "not a valid URL: leftover");
  EXPECT_EQ(reason_of("http://h/a[b]"), "not a valid URL: leftover");
}

TEST(ParseTarget, CharactersOutsideRfc3986AreNamed) {
  EXPECT_EQ(reason_of("http://h/a|b"),
            "URL contains a character that must be percent-encoded: '|'");
  EXPECT_EQ(reason_of("http://h/a\\b"),
            "URL contains a character that must be percent-encoded: '\\'");
  EXPECT_EQ(reason_of("http://h/\"x\""),
            "URL contains a character that must be percent-encoded: '\"'");
  EXPECT_EQ(reason_of("http://h/{x}"),
            "URL contains a character that must be percent-encoded: '{'");
  EXPECT_EQ(reason_of("http://h/caf\xC3\xA9"),
            "URL contains a character that must be percent-encoded: 0xC3");
}

TEST(ParseTarget, HeaderInjectionIsImpossible) {
  const std::string reason = "URL contains whitespace or control characters";
  EXPECT_EQ(reason_of("http://h/\r\nX-Injected: 1"), reason);
  EXPECT_EQ(reason_of("http://h/a\nb"), reason);
  EXPECT_EQ(reason_of("http://h/a\rb"), reason);
  EXPECT_EQ(reason_of("http://h\r\n/"), reason);
  EXPECT_EQ(reason_of("http://h/?q=\r\n"), reason);
  EXPECT_EQ(reason_of("http://u:p\r\n@h/"), reason);
  EXPECT_EQ(reason_of("http://h/a\tb"), reason);
  EXPECT_EQ(reason_of("http://h/a b"), reason);
  EXPECT_EQ(reason_of(" http://h/"), reason);
  EXPECT_EQ(reason_of("http://h/\x7f"), reason);
  EXPECT_EQ(reason_of("http://h/\x1b[31m"), reason);
  EXPECT_EQ(reason_of("http://h/a\0b"s), reason);
  EXPECT_EQ(reason_of("\0"s), reason);
  EXPECT_EQ(reason_of("ftp://h/\r\n"), reason);  // checked before anything else
  for (int c = 0; c <= 0x20; ++c) {
    std::string text = "http://h/a";
    text += static_cast<char>(c);
    EXPECT_EQ(reason_of(text), reason) << "byte " << c;
  }
}

// Boost.URL 1.81 asserts (detail/path.hpp, "nseg == 0") on "scheme:" followed by one of
// | \\ [ ] ? # (boostorg/url#665) when its assertions are compiled in. These must come back as
// reasons, never reach the parser. (The unit tests link the release-built libboost_url, whose
// assertions are off, so this checks the reasons; the guard was proven with Boost.URL built
// header-only with assertions on, over ~12 million enumerated short inputs.)
TEST(ParseTarget, InputsThatCrashBoostUrlAreRejected) {
  for (std::string_view text :
       {"hhttt:|",  "a:|",    "http:|",       "http://h:|", "hhttt:|a", "hhttt:||",   "A:\\\\",
        "A:\\",     "x:\\",   "http:\\\\h\\", "a:|/",       "a:|?",     "a:|#",       "a:[",
        "a:]",      "a:%",    "a:%zz",        "a:@|",       ":|",       "|",          "\\",
        "a:<>",     "a:`",    "a:^",          "http:a|",    "http:/|",  "http://h/|", "http://[|]/",
        "https:||", "h:?",    "h:#",          "C:]",        "http:?",   "http:#",     "http:[",
        "https:]",  "HTTP:?", "http:?x",      "http:#x"}) {
    const auto parsed = parse_target(text);
    EXPECT_TRUE(std::holds_alternative<std::string>(parsed)) << text;
  }
  EXPECT_EQ(reason_of("hhttt:|"), "URL contains a character that must be percent-encoded: '|'");
  EXPECT_EQ(reason_of("http:?"), "missing host");
  EXPECT_EQ(reason_of("https:]"), "missing host");
  EXPECT_EQ(reason_of("C:]"), "unsupported scheme 'c'");

  const Target base = parse_ok("http://example.com/a");
  EXPECT_EQ(redirect_reason(base, "http:?"), "invalid redirect location: missing host");
  EXPECT_EQ(redirect_reason(base, "HTTPS:#"), "invalid redirect location: missing host");
  EXPECT_EQ(redirect_reason(base, "http:["), "invalid redirect location: missing host");
  EXPECT_EQ(redirect_reason(base, "h:?"), "redirect to unsupported scheme 'h'");
  EXPECT_EQ(redirect_ok(base, "?").url, "http://example.com/a?");
  EXPECT_EQ(redirect_ok(base, "#").url, "http://example.com/a");
}

// A small deterministic fuzz over the characters URLs are made of: parse_target and
// resolve_redirect must never assert, throw or accept anything that breaks the invariants.
TEST(ParseTarget, FuzzNeverCrashesAndKeepsInvariants) {
  const std::string alphabet = "hHtTpPsS:/?#[]@!$&'()*+,;=%-._~019aAfF|\\ \r\n\"<>{}^`\x7f\x80\xff";
  const std::vector<std::string> prefixes = {
      "", "http://", "https://", "http:", "h", "hhttt:", "http://[", "a:"};
  const Target base = parse_ok("http://user:pw@base.example:8080/a/b?c#d");
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string text = prefixes[rng() % prefixes.size()];
    const std::size_t length = rng() % 12;
    for (std::size_t j = 0; j < length; ++j) text += alphabet[rng() % alphabet.size()];

    const auto check = [&text](const Target* t, const std::string& reason) {
      if (t) {
        for (const std::string* field :
             {&t->host_header, &t->request_target, &t->url, &t->display}) {
          for (char c : *field) {
            const auto u = static_cast<unsigned char>(c);
            ASSERT_TRUE(u > 0x20 && u < 0x7f) << text;
          }
        }
        ASSERT_FALSE(t->origin.host().empty()) << text;
        ASSERT_NE(t->origin.port(), 0) << text;
        ASSERT_EQ(t->request_target.front(), '/') << text;
        ASSERT_EQ(t->request_target.find("/../"), std::string::npos) << text;
        ASSERT_EQ(t->display.find("pw"), std::string::npos) << text;
      } else {
        ASSERT_FALSE(reason.empty()) << text;
      }
    };
    const auto parsed = parse_target(text);
    const auto* reason = std::get_if<std::string>(&parsed);
    check(std::get_if<Target>(&parsed), reason ? *reason : std::string{});
    const auto redirected = resolve_redirect(base, text);
    const auto* failure = std::get_if<FetchError>(&redirected);
    check(std::get_if<Target>(&redirected), failure ? failure->message : std::string{});
    (void)redact_credentials(text);
  }
}

TEST(RedactCredentials, Urls) {
  EXPECT_EQ(redact_credentials("https://user:secret@h/x"), "https://***@h/x");
  EXPECT_EQ(redact_credentials("http://user@h"), "http://***@h");
  EXPECT_EQ(redact_credentials("http://h/x@y"), "http://h/x@y");
  EXPECT_EQ(redact_credentials("http://h?x=a@b"), "http://h?x=a@b");
  EXPECT_EQ(redact_credentials("http://h#a@b"), "http://h#a@b");
  EXPECT_EQ(redact_credentials("http://h/"), "http://h/");
  EXPECT_EQ(redact_credentials("http://@h/"), "http://@h/");
}

TEST(RedactCredentials, InvalidStrings) {
  EXPECT_EQ(redact_credentials(""), "");
  EXPECT_EQ(redact_credentials("not a url"), "not a url");
  EXPECT_EQ(redact_credentials("://"), "://");
  EXPECT_EQ(redact_credentials("ftp://u:p@h/"), "ftp://***@h/");
  EXPECT_EQ(redact_credentials("http://us er:p w@h a/"), "http://***@h a/");
  EXPECT_EQ(redact_credentials("http://a@b@c/x"), "http://***@c/x");  // the last '@' ends it
  EXPECT_EQ(redact_credentials("hhttt://u:p@|"), "hhttt://***@|");
  EXPECT_EQ(redact_credentials("http://u:p\r\n@h/"), "http://***@h/");
  EXPECT_EQ(redact_credentials("x http://u:p@h/ and https://v:q@i/ y"),
            "x http://***@h/ and https://***@i/ y");
  EXPECT_EQ(redact_credentials("http://u:p@"), "http://***@");
}

}  // namespace
}  // namespace fetch
