#pragma once
// One request to one URL of a redirect chain: on an idle connection, a shared HTTP/2 one, one
// that comes free soon enough (see transport/gate.hpp), or a new one. A request the server
// cannot have acted on (the exchange says retry_safe: an idle HTTP/1.1 connection found
// closed, an HTTP/2 stream refused or left unprocessed by a GOAWAY, HTTP_1_1_REQUIRED) is
// retried once, on a fresh connection or whichever the gate finds; nothing else is retried.

#include <optional>

#include "fetch/client/session.hpp"
#include "fetch/core/asio.hpp"
#include "fetch/core/deadline.hpp"
#include "fetch/transport/connection.hpp"
#include "fetch/transport/connector.hpp"

namespace fetch {

class BodySink;
class Watchdog;
struct Target;

struct Hop {
  Exchange exchange;
  ConnectTimings timings;            // of the connections opened for it (a retry opens a second)
  bool reused = false;               // the request rode a connection that was open already
  std::optional<Protocol> protocol;  // of the connection that carried it, if one did
  bool sent = false;  // the request was handed to a connection: it may have reached a server
};

// Sends `request` to `target` and reads the response, its body into `body`, before
// `deadline` (the URL's --max-time), which `watchdog` enforces.
asio::awaitable<Hop> send_hop(Session& session, const RequestSpec& request, const Target& target,
                              const Deadline& deadline, Watchdog& watchdog, BodySink& body);

}  // namespace fetch
