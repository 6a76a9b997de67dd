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
};

// A client context trusting `cacert`, or else the system store (honouring SSL_CERT_FILE and
// SSL_CERT_DIR); either is read lazily (trust_store.hpp). Throws std::runtime_error naming the
// file when `cacert` cannot be read or holds no certificate.
boost::asio::ssl::context make_tls_context(const TlsSettings& settings);

// Sets SNI (for names, not IP literals) and host-name or IP verification on one SSL object.
// Returns false when OpenSSL refused the settings.
bool prepare_tls_stream(SSL* ssl, const std::string& host, bool host_is_ip, bool verify);

// A failed handshake as a record shows it: the verification error when there is one
// (tls_verify_failed, "certificate verification failed: certificate has expired"), otherwise
// the library's message (tls_handshake_failed).
FetchError tls_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace fetch
