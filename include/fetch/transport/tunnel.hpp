#pragma once
// The connector's tunnel step: asks an HTTP proxy for a CONNECT tunnel to the origin, on the
// TCP connection to the proxy, before the TLS handshake with the origin goes through it.

#include <optional>
#include <string_view>

#include "fetch/core/asio.hpp"
#include "fetch/core/deadline.hpp"
#include "fetch/core/error.hpp"
#include "fetch/transport/stream.hpp"

namespace fetch {

class Watchdog;

// Sends "CONNECT `authority` HTTP/1.1" (with Proxy-Authorization when `authorization` is
// not empty) to the proxy called `proxy` at the other end of `tcp`, and reads its answer,
// all before `phase`, which `watchdog` enforces (it is released after). Nothing when a 2xx
// opened the tunnel; otherwise the failure: stage proxy, code proxy_auth_required (407),
// proxy_refused (any other status), proxy_bad_response (not HTTP, closed before answering,
// bytes after a 2xx), or the phase's timeout. Messages name the proxy by host and port, never
// its credentials.
asio::awaitable<std::optional<FetchError>> open_tunnel(TcpStream& tcp, std::string_view authority,
                                                       std::string_view authorization,
                                                       std::string_view proxy, Watchdog& watchdog,
                                                       const Deadline& phase);

}  // namespace fetch
