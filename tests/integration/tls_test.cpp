// Certificate verification: the test CA is needed, every bad certificate fails in the tls
// stage, and -k skips verification with a warning.

#include <gtest/gtest.h>

#include <vector>

#include "common.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

class Tls : public SingleUrlTest {
 protected:
  void expect_tls_failure(const TsvRecord& record) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "false");
    EXPECT_EQ(record["status"], "");
    EXPECT_EQ(record["error_stage"], "tls");
    EXPECT_NE(record["error_message"], "");
    EXPECT_EQ(last_.process.exit_code, 1) << describe(last_.process);
  }

  NginxServer nginx;
};

TEST_F(Tls, TestCaIsNotTrustedWithoutCacert) {
  expect_tls_failure(fetch_one(nginx.https_url("/small.txt")));
}

TEST_F(Tls, InsecureSkipsVerificationAndWarns) {
  const TsvRecord record = fetch_one(nginx.https_url("/small.txt"), {"-k"});
  EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(record["bytes"], std::to_string(nginx.file_size("small.txt")));
  EXPECT_EQ(last_.process.exit_code, 0);
  EXPECT_TRUE(contains_ci(last_.process.err, "warning") ||
              contains_ci(last_.process.err, "insecure"))
      << "no warning about -k on stderr:\n"
      << last_.process.err;
}

TEST_F(Tls, InsecureAcceptsABadCertificate) {
  const TsvRecord record = fetch_one(nginx.bad_cert_url(BadCert::expired), {"--insecure"});
  EXPECT_EQ(record["ok"], "true") << record.text();
  EXPECT_EQ(last_.process.exit_code, 0);
}

TEST_F(Tls, Tls13PrefersAes128Gcm) {
  // nginx takes the client's order of TLS 1.3 suites (ssl_prefer_server_ciphers off), so
  // what it logs is the suite fetch put first.
  const TsvRecord record = fetch_one(nginx.https_url("/small.txt?suite"), {"--cacert", ca_file()});
  EXPECT_EQ(record["ok"], "true") << record.text();
  ASSERT_TRUE(nginx.wait_for_requests("/small.txt?suite", 1));
  const std::vector<AccessLogEntry> seen = nginx.requests("/small.txt?suite");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].tls_protocol, "TLSv1.3");
  EXPECT_EQ(seen[0].tls_cipher, "TLS_AES_128_GCM_SHA256");
}

class BadCertificate : public Tls, public ::testing::WithParamInterface<BadCert> {};

TEST_P(BadCertificate, FailsInTlsStageWithAMessage) {
  expect_tls_failure(fetch_one(nginx.bad_cert_url(GetParam()), {"--cacert", ca_file()}));
}

INSTANTIATE_TEST_SUITE_P(Kinds, BadCertificate, ::testing::ValuesIn(kAllBadCerts),
                         [](const ::testing::TestParamInfo<BadCert>& info) {
                           std::string name(to_string(info.param));
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace fetch::test
