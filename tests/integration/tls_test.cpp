// Certificate verification: the test CA is needed, every bad certificate fails in the tls
// stage, and -k skips verification with a warning.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
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

// Sets an environment variable for the fetch runs of one test (posix_spawn passes ours on).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(Tls, SslCertFileNamesTheDefaultBundle) {
  // A bundle as the system's, with the test CA at its end (found there by subject only).
  const std::filesystem::path bundle = std::filesystem::temp_directory_path() /
                                       ("fetch-bundle-" + std::to_string(::getpid()) + ".pem");
  {
    std::ofstream out{bundle};
    out << std::ifstream{(pki_dir() / "ca2.pem").string()}.rdbuf()
        << std::ifstream{ca_file()}.rdbuf();
  }
  const ScopedEnv env{"SSL_CERT_FILE", bundle.string()};
  const TsvRecord record = fetch_one(nginx.https_url("/small.txt"));
  EXPECT_EQ(record["ok"], "true") << record.text() << describe(last_.process);
  std::filesystem::remove(bundle);
}

TEST_F(Tls, CacertReplacesTheDefaultStore) {
  // The default bundle trusts the test CA; --cacert names another CA, and only that counts.
  const ScopedEnv env{"SSL_CERT_FILE", ca_file()};
  ASSERT_EQ(fetch_one(nginx.https_url("/small.txt"))["ok"], "true") << describe(last_.process);
  const TsvRecord record =
      fetch_one(nginx.https_url("/small.txt"), {"--cacert", (pki_dir() / "ca2.pem").string()});
  expect_tls_failure(record);
  EXPECT_EQ(record["error_code"], "tls_verify_failed");
}

TEST_F(Tls, ABadCacertIsAUsageError) {
  const std::filesystem::path empty = std::filesystem::temp_directory_path() /
                                      ("fetch-empty-" + std::to_string(::getpid()) + ".pem");
  std::ofstream{empty} << "not a certificate\n";
  const ProcessResult result = run_fetch({"--cacert", empty.string(), nginx.https_url("/")});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_NE(result.err.find(empty.string()), std::string::npos) << result.err;
  std::filesystem::remove(empty);
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
