// The request head fetch sends.
#include "fetch/core/request.hpp"

#include <gtest/gtest.h>

#include "fetch/http1/request_writer.hpp"
#include "fetch/input/url.hpp"

namespace fetch {
namespace {

Target target_of(std::string_view url) {
  auto parsed = parse_target(url);
  EXPECT_TRUE(std::holds_alternative<Target>(parsed)) << url;
  return std::get<Target>(parsed);
}

TEST(Request, MinimalGet) {
  std::string out;
  write_request(default_request("fetch/test", false), target_of("http://example.com/a?b=1#frag"),
                out);
  EXPECT_EQ(out,
            "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: fetch/test\r\n"
            "Accept: */*\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n");
}

TEST(Request, NoCompressedAsksForNoCoding) {
  std::string out;
  write_request(default_request("ua", false, false), target_of("http://example.com/"), out);
  EXPECT_EQ(out, "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: ua\r\nAccept: */*\r\n\r\n");
}

TEST(Request, HostCarriesANonDefaultPortAndIpv6Brackets) {
  std::string out;
  write_request(default_request("ua", false), target_of("https://[::1]:8443/"), out);
  EXPECT_NE(out.find("\r\nHost: [::1]:8443\r\n"), std::string::npos) << out;
}

TEST(Request, CredentialsBecomeBasicAuthorization) {
  std::string out;
  write_request(default_request("ua", false), target_of("https://user:p%40ss@h.example/"), out);
  EXPECT_NE(out.find("\r\nAuthorization: Basic dXNlcjpwQHNz\r\n"), std::string::npos) << out;
}

TEST(Request, HeadRequest) {
  std::string out;
  write_request(default_request("ua", true), target_of("http://example.com/a"), out);
  EXPECT_EQ(out.rfind("HEAD /a HTTP/1.1\r\n", 0), 0u) << out;
}

TEST(Request, ReusesTheBufferAndReplacesItsContents) {
  std::string out = "stale bytes that must go";
  write_request(default_request("ua", false), target_of("http://e.example/"), out);
  EXPECT_EQ(out.rfind("GET / HTTP/1.1\r\n", 0), 0u);
  EXPECT_EQ(out.find("stale"), std::string::npos);
}

}  // namespace
}  // namespace fetch
