// The lazy trust store: a PEM bundle is read when added, but a certificate is decoded only
// when a verification asks for its subject; handshakes over in-memory BIO pairs verify
// against it.
#include "fetch/tls/trust_store.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fetch/tls/context.hpp"
#include "memory_tls.hpp"

namespace fetch {
namespace {

std::string pem_of(X509* certificate) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

class TrustStore : public ::testing::Test {
 protected:
  TrustStore() {
    // A bundle as the system's: many CAs (here self-signed leaves), the one we need last.
    std::string bundle = "# a comment, as ca-certificates writes them\n";
    for (int i = 0; i < 40; ++i) {
      others_.push_back(test::make_self_signed("DNS:other.test"));
      bundle += "Other CA " + std::to_string(i) + "\n" + pem_of(others_.back().certificate.get());
    }
    bundle += pem_of(identity_.certificate.get());
    std::ofstream{path_} << bundle;
  }
  ~TrustStore() override { std::filesystem::remove(path_); }

  // A client context verifying against the bundle only.
  test::Owned<SSL_CTX> client() {
    test::Owned<SSL_CTX> context{SSL_CTX_new(TLS_client_method())};
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    add_bundle_lookup(SSL_CTX_get_cert_store(context.get()), path_);
    return context;
  }
  long handshake(SSL_CTX* client, SSL_CTX* server) {
    test::MemoryConnection connection{client, server};
    EXPECT_TRUE(prepare_tls_stream(connection.client.get(), "localhost", false, true));
    connection.handshake();
    return SSL_get_verify_result(connection.client.get());
  }
  static int certificates_in(SSL_CTX* context) {
    return sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(context)));
  }

  test::SelfSigned identity_ = test::make_self_signed("DNS:localhost");
  std::vector<test::SelfSigned> others_;
  std::string path_ = "/tmp/fetch-trust-store-" + std::to_string(::getpid()) + ".pem";
};

TEST_F(TrustStore, NothingIsDecodedUntilAVerificationAsks) {
  const auto context = client();
  EXPECT_EQ(certificates_in(context.get()), 0);
}

TEST_F(TrustStore, AVerificationDecodesOnlyTheCertificateItNeeds) {
  const auto context = client();
  const auto server = test::make_server_context(identity_);
  EXPECT_EQ(handshake(context.get(), server.get()), X509_V_OK);
  EXPECT_EQ(certificates_in(context.get()), 1) << "one of 41 certificates decoded";
  EXPECT_EQ(handshake(context.get(), server.get()), X509_V_OK) << "and found again";
}

TEST_F(TrustStore, ACertificateNotInTheBundleIsNotTrusted) {
  const auto context = client();
  const test::SelfSigned stranger = test::make_self_signed("DNS:localhost");
  const auto server = test::make_server_context(stranger);
  EXPECT_NE(handshake(context.get(), server.get()), X509_V_OK);
}

TEST_F(TrustStore, AnUnreadableOrEmptyBundleIsAnErrorNamingIt) {
  test::Owned<SSL_CTX> context{SSL_CTX_new(TLS_client_method())};
  X509_STORE* store = SSL_CTX_get_cert_store(context.get());
  try {
    add_bundle_lookup(store, "/nonexistent/ca.pem");
    ADD_FAILURE() << "accepted a missing file";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("/nonexistent/ca.pem"), std::string::npos);
  }
  std::ofstream{path_} << "no certificates here\n";
  EXPECT_THROW(add_bundle_lookup(store, path_), std::runtime_error);
}

}  // namespace
}  // namespace fetch
