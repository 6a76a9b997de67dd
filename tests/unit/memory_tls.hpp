#pragma once
// TLS handshakes between a client and a server joined in memory (a BIO pair, no sockets),
// for unit tests of what fetch hooks into OpenSSL.

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace fetch::test {

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* certificate) const { X509_free(certificate); }
};
template <class T>
using Owned = std::unique_ptr<T, SslFree>;

// A self-signed P-256 certificate and its key, valid from a minute ago for `lifetime`, with
// subjectAltName `alt_names` ("DNS:localhost,IP:127.0.0.1").
struct SelfSigned {
  Owned<X509> certificate;
  Owned<EVP_PKEY> key;
};
SelfSigned make_self_signed(const std::string& alt_names,
                            std::chrono::seconds lifetime = std::chrono::hours{1});

// A TLS server context presenting `identity`. It issues TLS 1.3 tickets (two per full
// handshake, OpenSSL's default) that any client may resume.
Owned<SSL_CTX> make_server_context(const SelfSigned& identity);

// One client connection to an in-memory server.
struct MemoryConnection {
  Owned<SSL> client;
  Owned<SSL> server;

  MemoryConnection(SSL_CTX* client_context, SSL_CTX* server_context);
  // Runs both sides until the handshake is done; true when both succeeded.
  bool handshake();
  // The client reads what the server sent after the handshake (its session tickets).
  void read_tickets();
  bool resumed() const;
};

}  // namespace fetch::test
