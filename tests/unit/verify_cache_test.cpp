// The verification cache with real OpenSSL handshakes over in-memory BIO pairs: a chain
// verified once is not verified again, yet every connection's own identity and the leaf's
// validity are still checked, and failures are never remembered.
#include "fetch/tls/verify_cache.hpp"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <string>
#include <thread>

#include "fetch/tls/context.hpp"
#include "memory_tls.hpp"

namespace fetch {
namespace {

using namespace std::chrono_literals;

class VerifyCacheTest : public ::testing::Test {
 protected:
  VerifyCacheTest() {
    // The client trusts the test server's self-signed certificate, and verifies it.
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_.native_handle()),
                        identity_.certificate.get());
  }

  // A full handshake (a new client SSL, no session) to the server, verifying `host`.
  // Returns OpenSSL's verification result: X509_V_OK on success.
  long connect(const std::string& host, SSL_CTX* server = nullptr) {
    test::MemoryConnection connection{client_.native_handle(),
                                      server != nullptr ? server : server_.get()};
    const bool is_ip = host.find_first_not_of("0123456789.") == std::string::npos;
    EXPECT_TRUE(prepare_tls_stream(connection.client.get(), host, is_ip, true));
    const bool ok = connection.handshake();
    const long result = SSL_get_verify_result(connection.client.get());
    EXPECT_EQ(ok, result == X509_V_OK) << host;
    return result;
  }

  test::SelfSigned identity_ =
      test::make_self_signed("DNS:localhost,DNS:*.example.test,IP:127.0.0.1");
  test::Owned<SSL_CTX> server_ = test::make_server_context(identity_);
  boost::asio::ssl::context client_ = make_tls_context(TlsSettings{.verify = true, .cacert = {}});
  VerifyCache cache_{client_.native_handle(), 8};
};

TEST_F(VerifyCacheTest, AChainVerifiedOnceIsNotVerifiedAgain) {
  EXPECT_EQ(connect("localhost"), X509_V_OK);
  EXPECT_EQ(cache_.misses(), 1u);
  EXPECT_EQ(connect("localhost"), X509_V_OK);
  EXPECT_EQ(connect("a.example.test"), X509_V_OK);  // another name on the same certificate
  EXPECT_EQ(connect("127.0.0.1"), X509_V_OK);
  EXPECT_EQ(cache_.hits(), 3u);
  EXPECT_EQ(cache_.misses(), 1u);
}

TEST_F(VerifyCacheTest, EachConnectionsHostIsStillChecked) {
  ASSERT_EQ(connect("localhost"), X509_V_OK);
  EXPECT_EQ(connect("other.test"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(connect("a.b.example.test"), X509_V_ERR_HOSTNAME_MISMATCH);  // one label only
  EXPECT_EQ(connect("127.0.0.2"), X509_V_ERR_IP_ADDRESS_MISMATCH);
  EXPECT_EQ(cache_.hits(), 3u) << "these must be decided on the cached chain";
}

TEST_F(VerifyCacheTest, FailuresAreNeverRemembered) {
  const test::SelfSigned stranger = test::make_self_signed("DNS:localhost");
  const test::Owned<SSL_CTX> untrusted = test::make_server_context(stranger);
  EXPECT_NE(connect("localhost", untrusted.get()), X509_V_OK);
  EXPECT_NE(connect("localhost", untrusted.get()), X509_V_OK);
  EXPECT_EQ(cache_.hits(), 0u);
  EXPECT_EQ(cache_.misses(), 2u);
  // A name mismatch on the first visit is a failure too: nothing is cached for the chain.
  EXPECT_EQ(connect("other.test"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(connect("localhost"), X509_V_OK);
  EXPECT_EQ(cache_.hits(), 0u);
}

TEST_F(VerifyCacheTest, ALeafThatExpiredSinceIsVerifiedAgainAndFails) {
  // OpenSSL counts a leaf as expired from the second its notAfter names (whole seconds). A
  // 1 s lifetime was already over whenever a second ended between making the certificate and
  // the first handshake (~7% of runs under ASan); with 2 s, the first handshake has a whole
  // second, and 2.1 s later the leaf has expired for sure.
  const test::SelfSigned short_lived = test::make_self_signed("DNS:localhost", 2s);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(client_.native_handle()),
                      short_lived.certificate.get());
  const test::Owned<SSL_CTX> server = test::make_server_context(short_lived);
  ASSERT_EQ(connect("localhost", server.get()), X509_V_OK);
  std::this_thread::sleep_for(2100ms);
  EXPECT_EQ(connect("localhost", server.get()), X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(cache_.hits(), 0u);
}

}  // namespace
}  // namespace fetch
