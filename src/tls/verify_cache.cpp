#include "fetch/tls/verify_cache.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace fetch {

namespace {

// The identity of the chain the server sent: the SHA-256 of each certificate, leaf first.
// Empty when a digest cannot be computed (the chain is then verified in full).
std::string chain_key(X509_STORE_CTX* store) {
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (leaf == nullptr) {
    return {};
  }
  std::string key;
  auto add = [&key](X509* certificate) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1) {
      return false;
    }
    key.append(reinterpret_cast<const char*>(digest), length);
    return true;
  };
  if (!add(leaf)) {
    return {};
  }
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store);  // the leaf is in it too
  for (int i = 0; i < sk_X509_num(sent); ++i) {
    X509* certificate = sk_X509_value(sent, i);
    if (certificate != leaf && !add(certificate)) {
      return {};
    }
  }
  return key;
}

// What X509_verify_cert checks of the connection's own identity, in its order: one of the
// host names, then the IP address. X509_V_OK, or the error it would report.
int check_identity(X509* leaf, X509_VERIFY_PARAM* param) {
  if (X509_VERIFY_PARAM_get0_host(param, 0) != nullptr) {
    const unsigned int flags = X509_VERIFY_PARAM_get_hostflags(param);
    bool matched = false;
    for (int i = 0; const char* host = X509_VERIFY_PARAM_get0_host(param, i); ++i) {
      if (X509_check_host(leaf, host, 0, flags, nullptr) > 0) {
        matched = true;
        break;
      }
    }
    if (!matched) {
      return X509_V_ERR_HOSTNAME_MISMATCH;
    }
  }
  const std::unique_ptr<char, void (*)(char*)> ip{X509_VERIFY_PARAM_get1_ip_asc(param),
                                                  [](char* text) { OPENSSL_free(text); }};
  if (ip && X509_check_ip_asc(leaf, ip.get(), 0) <= 0) {
    return X509_V_ERR_IP_ADDRESS_MISMATCH;
  }
  return X509_V_OK;
}

bool within_validity(X509* leaf) {
  return X509_cmp_current_time(X509_get0_notBefore(leaf)) < 0 &&
         X509_cmp_current_time(X509_get0_notAfter(leaf)) > 0;
}

}  // namespace

VerifyCache::VerifyCache(SSL_CTX* context, std::size_t capacity)
    : context_(context), capacity_(std::max<std::size_t>(capacity, 1)) {
  SSL_CTX_set_cert_verify_callback(context_, &VerifyCache::verify, this);
}

VerifyCache::~VerifyCache() { SSL_CTX_set_cert_verify_callback(context_, nullptr, nullptr); }

int VerifyCache::verify(X509_STORE_CTX* store, void* self) {
  return static_cast<VerifyCache*>(self)->verify(store);
}

int VerifyCache::verify(X509_STORE_CTX* store) {
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(store);
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  // An e-mail identity is never asked for by fetch; such a check is left to OpenSSL whole.
  std::string key = X509_VERIFY_PARAM_get0_email(param) == nullptr ? chain_key(store) : "";
  const Clock::time_point now = Clock::now();
  if (!key.empty()) {
    const auto found = verified_.find(key);
    if (found != verified_.end() && now - found->second < kLifetime && within_validity(leaf)) {
      ++hits_;
      const int error = check_identity(leaf, param);
      X509_STORE_CTX_set_current_cert(store, leaf);
      X509_STORE_CTX_set_error(store, error);
      return error == X509_V_OK ? 1 : 0;
    }
  }
  ++misses_;
  const int verified = X509_verify_cert(store);
  // A success covers the chain and this connection's identity; the chain part holds for
  // any identity, which check_identity() then checks afresh.
  if (verified > 0 && X509_STORE_CTX_get_error(store) == X509_V_OK && !key.empty()) {
    remember(std::move(key), now);
  }
  return verified > 0 ? verified : 0;
}

void VerifyCache::remember(std::string key, Clock::time_point now) {
  if (verified_.size() >= capacity_ && verified_.find(key) == verified_.end()) {
    verified_.erase(std::min_element(verified_.begin(), verified_.end(),
                                     [](auto& a, auto& b) { return a.second < b.second; }));
  }
  verified_.insert_or_assign(std::move(key), now);
}

}  // namespace fetch
