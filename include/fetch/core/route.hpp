#pragma once
// How connections to an origin are made when not by a direct TCP connection to the URL's
// host and port: through an HTTP proxy (-x and the proxy environment variables), or to
// another host and port (--connect-to). Built once per proxy and rule when the run starts
// (client/routes.hpp), and part of the OriginKey, so that connections, TLS sessions and the
// gate's counts are never shared between routes (as Go's connectMethodKey keeps them).

#include <cstdint>
#include <optional>
#include <string>

namespace fetch {

// A host and port to connect to.
struct Endpoint {
  std::string host;  // a lower-case name, or an IP literal without brackets
  std::uint16_t port = 0;
  bool host_is_ip = false;

  // "example.org:443", "[::1]:8080".
  std::string authority() const;
};

struct Route {
  // Where the TCP connection goes: the proxy, or the --connect-to host and port.
  Endpoint dial;
  // `dial` is an HTTP proxy: https URLs go through a CONNECT tunnel, plain http ones are
  // sent to it in absolute form.
  bool proxy = false;
  // Through a proxy: the CONNECT target when --connect-to changed it (otherwise the URL's).
  std::optional<Endpoint> tunnel_to;
  // "Basic ..." from the proxy URL's credentials, or empty. Sent, never printed.
  std::string proxy_authorization;
};

}  // namespace fetch
