#pragma once
// Fetches one URL: its hops (redirects followed by the policy in redirect_policy.hpp), each a
// request on a pooled or new connection (hop.hpp), folded into one Result. Expected failures
// come back inside the Result, never as exceptions.

#include <boost/asio/awaitable.hpp>

#include "fetch/client/result.hpp"
#include "fetch/client/session.hpp"
#include "fetch/input/line_source.hpp"

namespace fetch {

// Fetches the URL on `line` and reports what happened.
boost::asio::awaitable<Result> fetch_url(Session& session, InputLine line);

}  // namespace fetch
