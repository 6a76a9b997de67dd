#pragma once
// The one TLS client context of a run, and per-connection verification set-up.

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <string>

#include "fetch/core/error.hpp"

namespace fetch {

struct TlsSettings {
  bool verify = true;  // false only with --insecure
  std::string cacert;  // --cacert: the PEM bundle to trust instead of the system store
  bool http2 = true;   // ALPN offers "h2" before "http/1.1" (--http1.1: HTTP/1.1 only)
};

// A client context trusting `cacert`, or else the system store (honouring SSL_CERT_FILE and
// SSL_CERT_DIR); either is read lazily (trust_store.hpp). Throws std::runtime_error naming the
// file when `cacert` cannot be read or holds no certificate.
boost::asio::ssl::context make_tls_context(const TlsSettings& settings);

// The protocols a context's connections offer by ALPN: "h2" and "http/1.1" in that order, or
// (without `http2`) "http/1.1" alone.
void set_alpn(SSL_CTX* context, bool http2);
// Makes one connection offer "http/1.1" alone: for an origin that answered
// HTTP_1_1_REQUIRED. False when OpenSSL refused.
bool offer_http11_only(SSL* ssl);

// Sets SNI (for names, not IP literals) and host-name or IP verification on one SSL object.
// Returns false when OpenSSL refused the settings.
bool prepare_tls_stream(SSL* ssl, const std::string& host, bool host_is_ip, bool verify);

// A failed handshake as a record shows it: the verification error when there is one
// (tls_verify_failed, "certificate verification failed: certificate has expired"), otherwise
// the library's message (tls_handshake_failed).
FetchError tls_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace fetch
