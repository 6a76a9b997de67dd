#pragma once
// The one key for everything kept per origin: idle connections (pool), connections in use
// (gate) and TLS sessions. Built once per URL, with its hash, so that each registry looks it
// up without building a string. A connection is only ever shared by requests with equal keys.
// The route (a proxy, or a --connect-to target) is part of the key, as Go's connectMethodKey
// has it: pooled connections never cross proxies.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fetch/core/route.hpp"

namespace fetch {

enum class Scheme : std::uint8_t { http, https };

class OriginKey {
 public:
  OriginKey() = default;
  // `host` is what to resolve or connect to: a lower-case name, or an IP literal without
  // brackets; `host_is_ip` says which (the URL parser knows).
  OriginKey(Scheme scheme, std::string host, std::uint16_t port, bool host_is_ip);
  // The same, finding out whether `host` is an IP literal by parsing it.
  OriginKey(Scheme scheme, std::string host, std::uint16_t port);

  Scheme scheme() const noexcept { return scheme_; }
  bool tls() const noexcept { return scheme_ == Scheme::https; }
  const std::string& host() const noexcept { return host_; }
  bool host_is_ip() const noexcept { return host_is_ip_; }  // no SNI; verify the address
  std::uint16_t port() const noexcept { return port_; }
  std::size_t hash() const noexcept { return hash_; }
  // How its connections are made; null for a direct connection to host() and port().
  const Route* route() const noexcept { return route_.get(); }
  // The same origin, its connections made by `route` (routes are built once and shared:
  // keys compare them by identity).
  OriginKey with_route(std::shared_ptr<const Route> route) const;
  // Scheme, host and port are equal, whatever the routes: the same origin (RFC 6454).
  bool same_origin(const OriginKey& other) const noexcept {
    return port_ == other.port_ && scheme_ == other.scheme_ && host_ == other.host_;
  }

  // "https://example.org:443", "http://[::1]:8080": for messages and tests.
  std::string to_string() const;
  // "example.org:443", "[::1]:8080": where a connection goes, for messages.
  std::string authority() const;

  friend bool operator==(const OriginKey& a, const OriginKey& b) noexcept {
    return a.hash_ == b.hash_ && a.route_ == b.route_ && a.same_origin(b);
  }

 private:
  Scheme scheme_ = Scheme::http;
  bool host_is_ip_ = false;
  std::uint16_t port_ = 0;
  std::string host_;
  std::size_t hash_ = 0;
  std::shared_ptr<const Route> route_;
};

struct OriginKeyHash {
  std::size_t operator()(const OriginKey& key) const noexcept { return key.hash(); }
};

}  // namespace fetch
