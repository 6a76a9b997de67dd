#include "memory_tls.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace fetch::test {

SelfSigned make_self_signed(const std::string& alt_names, std::chrono::seconds lifetime) {
  SelfSigned made{Owned<X509>{X509_new()}, Owned<EVP_PKEY>{EVP_EC_gen("P-256")}};
  X509* certificate = made.certificate.get();
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), -60);
  X509_gmtime_adj(X509_getm_notAfter(certificate), static_cast<long>(lifetime.count()));
  // A subject of its own: a trust store finds issuers by subject name.
  static int made_so_far = 0;
  const std::string common_name = "fetch test " + std::to_string(++made_so_far);
  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(certificate, name);
  X509_set_pubkey(certificate, made.key.get());
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  if (X509_EXTENSION* extension =
          X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, alt_names.c_str())) {
    X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
  }
  X509_sign(certificate, made.key.get(), EVP_sha256());
  return made;
}

Owned<SSL_CTX> make_server_context(const SelfSigned& identity) {
  Owned<SSL_CTX> context{SSL_CTX_new(TLS_server_method())};
  SSL_CTX_use_certificate(context.get(), identity.certificate.get());
  SSL_CTX_use_PrivateKey(context.get(), identity.key.get());
  return context;
}

MemoryConnection::MemoryConnection(SSL_CTX* client_context, SSL_CTX* server_context)
    : client(SSL_new(client_context)), server(SSL_new(server_context)) {
  BIO* client_end = nullptr;
  BIO* server_end = nullptr;
  BIO_new_bio_pair(&client_end, 0, &server_end, 0);
  SSL_set_bio(client.get(), client_end, client_end);
  SSL_set_bio(server.get(), server_end, server_end);
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(server.get());
}

bool MemoryConnection::handshake() {
  for (int round = 0; round < 20; ++round) {
    const int client_done = SSL_do_handshake(client.get());
    const int server_done = SSL_do_handshake(server.get());
    if (client_done == 1 && server_done == 1) {
      return true;
    }
    if (client_done <= 0 && SSL_get_error(client.get(), client_done) == SSL_ERROR_SSL) {
      return false;
    }
  }
  return false;
}

void MemoryConnection::read_tickets() {
  char byte = 0;
  SSL_read(client.get(), &byte, 1);  // no application data comes: only the tickets
}

bool MemoryConnection::resumed() const { return SSL_session_reused(client.get()) == 1; }

}  // namespace fetch::test
