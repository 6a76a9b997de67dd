#pragma once
// One request to one URL of a redirect chain: on an idle connection, or one that comes free
// soon enough (see transport/gate.hpp), or a new one. A connection used before that turns out
// closed before answering is retried once on a fresh connection (the exchange says when that
// is safe); nothing else is retried.

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
  ConnectTimings timings;  // of the connections opened for it (a retry opens a second)
  bool reused = false;     // the request rode a connection that was open already
  bool sent = false;       // the request was handed to a connection: it may have reached a server
};

// Sends `request` to `target` and reads the response, its body into `body`, before
// `deadline` (the URL's --max-time), which `watchdog` enforces.
asio::awaitable<Hop> send_hop(Session& session, const RequestSpec& request, const Target& target,
                              const Deadline& deadline, Watchdog& watchdog, BodySink& body);

}  // namespace fetch
