// The ordinary cases of servers as they are in the wild (bare LF line endings, a head in
// pieces, a Location with a space or none at all, a chain that revisits a URL, a length next
// to chunked), fetched by curl and by fetch, over plain TCP and TLS: the same status, body
// size and redirect count. Where fetch decides otherwise on purpose, the README says why
// ("HTTP/1.1 responses").

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/nginx_server.hpp"  // ca_file()

namespace fetch::test {
namespace {

using namespace std::chrono_literals;

struct Case {
  const char* name;
  const char* path;
  bool tls;
};
void PrintTo(const Case& c, std::ostream* out) { *out << c.path << (c.tls ? " over TLS" : ""); }

constexpr const char* kTemplate = "%{http_code} %{size_download} %{num_redirects}\\n";
const std::string kCurl = "/usr/bin/curl";

class CurlAgreement : public ::testing::TestWithParam<Case> {
 protected:
  MisbehavingServer server{MisbehavingServer::Config{.tls = GetParam().tls}};
};

TEST_P(CurlAgreement, SameStatusSizeAndRedirects) {
  if (::access(kCurl.c_str(), X_OK) != 0) GTEST_SKIP() << "curl is not installed";
  // Each client its own URL: the revisiting chain answers differently once it has been run.
  const std::string url = server.url(GetParam().path);
  const ProcessResult ours =
      run_fetch({"-q", "--no-compressed", "--cacert", ca_file(), "-w", kTemplate, url + "-fetch"});
  ChildProcess child({kCurl, "-s", "-L", "-o", "/dev/null", "--cacert", ca_file(), "-w",
                      std::string(kTemplate), url + "-curl"});
  const ProcessResult theirs = child.wait(20s);
  EXPECT_EQ(theirs.exit_code, 0) << describe(theirs);
  EXPECT_EQ(ours.exit_code, 0) << describe(ours);
  EXPECT_EQ(ours.out, theirs.out) << url;
}

std::vector<Case> cases() {
  const std::vector<std::pair<const char*, const char*>> paths{
      // Every path ends where a client's suffix can go (a query, a Location's query, an id).
      {"BareLf", "/bare-lf?by="},
      {"BareLfChunked", "/bare-lf-chunked?by="},
      {"StatusInPieces", "/status-in-pieces?by="},
      {"LocationWithASpace", "/redirect?to=/ok%3Fq%3Da%2520b"},
      {"EmptyLocation", "/redirect?to=&by="},
      {"ChainRevisitsAUrl", "/revisit?id=agreement"},
      {"LengthNextToChunked", "/te-chunked-with-cl?by="},
  };
  std::vector<Case> all;
  for (const bool tls : {false, true}) {
    for (const auto& [name, path] : paths) all.push_back(Case{name, path, tls});
  }
  return all;
}

INSTANTIATE_TEST_SUITE_P(WildCases, CurlAgreement, ::testing::ValuesIn(cases()),
                         [](const auto& info) {
                           return std::string{info.param.name} + (info.param.tls ? "Tls" : "Tcp");
                         });

}  // namespace
}  // namespace fetch::test
