#include "fetch/tls/trust_store.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fetch {

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

// One PEM bundle: its text, and where each certificate is, by subject-name hash.
struct Bundle {
  std::string pem;
  bool indexed = false;
  std::unordered_multimap<unsigned long, std::string_view> by_subject;  // -> a PEM block
};

// Reads one DER length at p (advancing it); -1 when malformed or past `end`.
long der_length(const unsigned char*& p, const unsigned char* end) {
  if (p >= end) return -1;
  const unsigned first = *p++;
  if (first < 0x80) return static_cast<long>(first);
  const unsigned bytes = first & 0x7f;
  if (bytes == 0 || bytes > 4 || end - p < static_cast<long>(bytes)) return -1;
  long length = 0;
  for (unsigned i = 0; i < bytes; ++i) length = length << 8 | *p++;
  return length <= end - p ? length : -1;
}

// Steps over one DER element at p; false when malformed.
bool skip_element(const unsigned char*& p, const unsigned char* end) {
  if (p >= end) return false;
  ++p;  // the tag (all tags of a certificate's header fit one byte)
  const long length = der_length(p, end);
  if (length < 0) return false;
  p += length;
  return true;
}

// The subject Name of a DER certificate, as bytes inside it, or empty: Certificate ::=
// SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serial, signature, issuer,
// validity, subject, ... } ... }.
std::string_view subject_of(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const auto* end = p + der.size();
  for (int level = 0; level < 2; ++level) {  // into Certificate, then tbsCertificate
    if (p >= end || *p++ != 0x30 || der_length(p, end) < 0) return {};
  }
  if (p < end && *p == 0xa0 && !skip_element(p, end)) return {};  // version
  for (int field = 0; field < 4; ++field) {  // serial, signature, issuer, validity
    if (!skip_element(p, end)) return {};
  }
  const auto* subject = p;
  if (!skip_element(p, end)) return {};
  return {reinterpret_cast<const char*>(subject), static_cast<std::size_t>(p - subject)};
}

// The DER bytes of a PEM block's base64 body.
std::string der_of(std::string_view block) {
  std::string base64;
  base64.reserve(block.size());
  for (char c : block.substr(kBegin.size(), block.size() - kBegin.size() - kEnd.size())) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') base64 += c;
  }
  std::string der(base64.size() / 4 * 3 + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                                reinterpret_cast<const unsigned char*>(base64.data()),
                                static_cast<int>(base64.size()));
  der.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return der;
}

template <class Each>
void for_each_block(std::string_view pem, Each&& each) {
  for (std::size_t at = pem.find(kBegin); at != std::string_view::npos; at = pem.find(kBegin, at)) {
    const std::size_t stop = pem.find(kEnd, at);
    if (stop == std::string_view::npos) return;
    each(pem.substr(at, stop + kEnd.size() - at));
    at = stop + kEnd.size();
  }
}

void index(Bundle& bundle) {
  bundle.indexed = true;
  for_each_block(bundle.pem, [&bundle](std::string_view block) {
    const std::string der = der_of(block);
    const std::string_view subject = subject_of(der);
    const auto* p = reinterpret_cast<const unsigned char*>(subject.data());
    X509_NAME* name = d2i_X509_NAME(nullptr, &p, static_cast<long>(subject.size()));
    if (name == nullptr) return;
    bundle.by_subject.emplace(X509_NAME_hash_ex(name, nullptr, nullptr, nullptr), block);
    X509_NAME_free(name);
  });
}

// X509_LOOKUP: the certificates of the bundle whose subject is `name`, decoded now and added
// to the store (so that the next asking finds them there), the first one returned.
int get_by_subject(X509_LOOKUP* lookup, X509_LOOKUP_TYPE type, const X509_NAME* name,
                   X509_OBJECT* ret) {
  auto* bundle = static_cast<Bundle*>(X509_LOOKUP_get_method_data(lookup));
  if (type != X509_LU_X509 || bundle == nullptr || name == nullptr) return 0;
  if (!bundle->indexed) index(*bundle);
  const auto [first, last] =
      bundle->by_subject.equal_range(X509_NAME_hash_ex(name, nullptr, nullptr, nullptr));
  X509_STORE* store = X509_LOOKUP_get_store(lookup);
  for (auto entry = first; entry != last; ++entry) {
    BIO* bio = BIO_new_mem_buf(entry->second.data(), static_cast<int>(entry->second.size()));
    X509* certificate = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (certificate == nullptr) continue;
    if (X509_NAME_cmp(X509_get_subject_name(certificate), name) == 0) {
      X509_STORE_add_cert(store, certificate);  // takes a reference (none for a duplicate)
    }
    X509_free(certificate);
  }
  X509_OBJECT* stored =
      X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), X509_LU_X509, name);
  if (stored == nullptr) return 0;
  // `ret` borrows the store's reference, as OpenSSL's own lookup methods leave it: the
  // caller (X509_STORE_CTX_get_by_subject) takes a reference of its own and never frees
  // `ret`. A reference held here would keep the certificate, and its store, alive forever.
  X509* certificate = X509_OBJECT_get0_X509(stored);
  if (X509_OBJECT_set1_X509(ret, certificate) != 1) return 0;
  X509_free(certificate);
  return 1;
}

void free_bundle(X509_LOOKUP* lookup) {
  delete static_cast<Bundle*>(X509_LOOKUP_get_method_data(lookup));
}

X509_LOOKUP_METHOD* bundle_method() {
  static X509_LOOKUP_METHOD* const method = [] {
    X509_LOOKUP_METHOD* m = X509_LOOKUP_meth_new("fetch: PEM bundle by subject");
    X509_LOOKUP_meth_set_get_by_subject(m, get_by_subject);
    X509_LOOKUP_meth_set_free(m, free_bundle);
    return m;
  }();
  return method;
}

bool exists(const char* path, bool directory) {
  struct stat status {};
  return path != nullptr && ::stat(path, &status) == 0 &&
         (directory ? S_ISDIR(status.st_mode) : S_ISREG(status.st_mode));
}

}  // namespace

void add_bundle_lookup(X509_STORE* store, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) throw std::runtime_error("cannot load CA bundle '" + path + "': cannot read it");
  auto bundle = std::make_unique<Bundle>();
  bundle->pem = std::move(text).str();
  if (bundle->pem.find(kBegin) == std::string::npos) {
    throw std::runtime_error("cannot load CA bundle '" + path + "': no PEM certificate in it");
  }
  X509_LOOKUP* lookup = X509_STORE_add_lookup(store, bundle_method());
  if (lookup == nullptr || X509_LOOKUP_set_method_data(lookup, bundle.get()) != 1) {
    throw std::runtime_error("cannot load CA bundle '" + path + "': OpenSSL refused the lookup");
  }
  bundle.release();  // the lookup owns it now (free_bundle)
}

void add_default_trust(X509_STORE* store) {
  const char* dir = std::getenv(X509_get_default_cert_dir_env());
  const char* file = std::getenv(X509_get_default_cert_file_env());
  dir = dir != nullptr ? dir : X509_get_default_cert_dir();
  file = file != nullptr ? file : X509_get_default_cert_file();
  // SSL_CERT_DIR may list several directories, separated by ':'.
  if (std::string_view{dir}.find(':') != std::string_view::npos || exists(dir, true)) {
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
    if (lookup != nullptr) X509_LOOKUP_add_dir(lookup, dir, X509_FILETYPE_PEM);
  }
  if (exists(file, false)) {
    try {
      add_bundle_lookup(store, file);
    } catch (const std::runtime_error&) {
      // An unreadable system bundle is not the user's error: verification says what is missing.
    }
  }
}

}  // namespace fetch
