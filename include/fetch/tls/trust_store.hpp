#pragma once
// Where certificate verification finds its CAs, at the cost of the few a chain needs.
//
// OpenSSL reads a PEM bundle whole when it is added to a store: ~140 certificates and ~45 ms
// (0.25 ms of decoding each) before the first request, even a run of plain-http URLs. Its
// hashed directory is lazy instead: a verification asks for an issuer by subject and only
// that file is read. A bundle here works the same way: the file is read when added, indexed
// by subject-name hash at the first lookup (a base64 decode and the subject's few bytes per
// certificate, no key or extension decoding), and a certificate is decoded only when a
// verification asks for its subject.

#include <openssl/x509_vfy.h>

#include <string>

namespace fetch {

// Adds to `store` a lookup of the CA certificates in the PEM bundle at `path`. Throws
// std::runtime_error naming the file when it cannot be read or holds no certificate.
void add_bundle_lookup(X509_STORE* store, const std::string& path);

// The system trust store, as OpenSSL's default paths define it and its environment variables
// move it: the hashed directory (SSL_CERT_DIR, else the built-in one) first, then the bundle
// file (SSL_CERT_FILE, else the built-in one), each only when it exists. Nothing is decoded
// until a verification asks.
void add_default_trust(X509_STORE* store);

}  // namespace fetch
