#include "fetch/tls/context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl/error.hpp>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "fetch/tls/trust_store.hpp"

namespace fetch {

namespace ssl = boost::asio::ssl;

namespace {

// ALPN protocol lists (RFC 7301): length-prefixed names, in order of preference.
constexpr unsigned char kH2AndHttp11[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kHttp11Only[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

}  // namespace

void set_alpn(SSL_CTX* context, bool http2) {
  // Always named, HTTP/1.1 included: a server that speaks both must not guess.
  if (http2) {
    SSL_CTX_set_alpn_protos(context, kH2AndHttp11, sizeof kH2AndHttp11);
  } else {
    SSL_CTX_set_alpn_protos(context, kHttp11Only, sizeof kHttp11Only);
  }
}

bool offer_http11_only(SSL* ssl) {
  return SSL_set_alpn_protos(ssl, kHttp11Only, sizeof kHttp11Only) == 0;
}

ssl::context make_tls_context(const TlsSettings& settings) {
  ssl::context context{ssl::context::tls_client};
  SSL_CTX* native = context.native_handle();
  // TLS 1.0 and 1.1 are broken; OpenSSL 3 refuses them at its default security level anyway,
  // saying so explicitly gives a clear "unsupported protocol" instead of a cipher mismatch.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // An idle pooled connection gives its ~34 KiB of record buffers back until it is reused.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // TLS 1.3 suites in the browsers' order: AES-128-GCM first. OpenSSL's own order starts with
  // AES-256-GCM, whose SHA-384 key schedule has no SHA-NI and whose 14 AES rounds cost the
  // client ~6% more CPU on a 32 MiB body (perf stat), for no security a 128-bit key lacks.
  // Servers that prefer their own order still get all three suites.
  if (SSL_CTX_set_ciphersuites(native,
                               "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                               "TLS_CHACHA20_POLY1305_SHA256") != 1) {
    throw std::runtime_error("OpenSSL refused the TLS 1.3 cipher suites");
  }
  // --cacert replaces the system store, as curl's does. Either is consulted, and decoded,
  // only as far as a verification asks (trust_store.hpp): nothing for a plain-http run.
  X509_STORE* store = SSL_CTX_get_cert_store(native);
  if (settings.cacert.empty()) {
    add_default_trust(store);
  } else {
    add_bundle_lookup(store, settings.cacert);
  }
  context.set_verify_mode(settings.verify ? ssl::verify_peer : ssl::verify_none);
  set_alpn(native, settings.http2);
  return context;
}

bool prepare_tls_stream(SSL* ssl, const std::string& host, bool host_is_ip, bool verify) {
  // SNI carries names only (RFC 6066 forbids IP literals).
  if (!host_is_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return false;
  }
  if (!verify) {
    return true;
  }
  // OpenSSL checks the peer's SAN (and CN fallback) during the handshake itself: a mismatch
  // fails the handshake with X509_V_ERR_HOSTNAME_MISMATCH / X509_V_ERR_IP_ADDRESS_MISMATCH.
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (host_is_ip) {
    return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set1_host(ssl, host.c_str()) == 1;
}

FetchError tls_failure(SSL* ssl, const boost::system::error_code& ec) {
  const long verify_result = SSL_get_verify_result(ssl);
  if (verify_result != X509_V_OK) {
    return {Stage::tls, errc::tls_verify_failed,
            std::string{"certificate verification failed: "} +
                X509_verify_cert_error_string(verify_result)};
  }
  if (ec == ssl::error::stream_truncated) {
    return {Stage::tls, errc::tls_handshake_failed, "connection closed during the TLS handshake"};
  }
  return {Stage::tls, errc::tls_handshake_failed, "TLS handshake failed: " + ec.message()};
}

}  // namespace fetch
