#include "fetch/client/client.hpp"

#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fetch/body/body_sink.hpp"
#include "fetch/client/hop.hpp"
#include "fetch/client/redirect_policy.hpp"
#include "fetch/client/retry_policy.hpp"
#include "fetch/client/routes.hpp"
#include "fetch/input/url.hpp"
#include "fetch/transport/watchdog.hpp"

namespace fetch {

namespace {

// The record of a line that is no usable URL: nothing is fetched.
Result input_failure(const InputLine& line) {
  Result result;
  result.line = line.number;
  if (line.too_long) {
    // Redact first: credentials can sit anywhere in the line, not only in what is shown.
    result.url = redact_credentials(line.text).substr(0, 80) + "...";
    result.error =
        FetchError{Stage::input, errc::line_too_long,
                   fmt::format("line {} is longer than {} bytes", line.number, kMaxLineLength)};
  }
  return result;
}

// Each hop reports afresh: the last response is the one that counts, and so do the phases of
// the connection that carried it (all 0 when it was open already); total_ms covers them all.
void fold(Result& result, Hop& hop, const BodySink& body) {
  Exchange& exchange = hop.exchange;
  result.status = exchange.status;
  result.content_length = exchange.content_length;
  result.bytes = body.wire_bytes();
  result.decoded_bytes = body.decoded_bytes();
  result.content_encoding = body.content_encoding();
  result.reused_connection = hop.reused;
  result.timings.resolve_ms = hop.timings.resolve_ms;
  result.timings.connect_ms = hop.timings.connect_ms;
  result.timings.tls_ms = hop.timings.tls_ms;
  result.timings.ttfb_ms = exchange.ttfb_ms;
  if (exchange.error) {
    result.error = std::move(exchange.error);
  }
}

// The request each hop of a chain sends: the session's, or the same as redirects changed it.
class ChainRequest {
 public:
  ChainRequest(const RequestSpec& original, OriginKey first)
      : original_(original), first_(std::move(first)) {}

  const RequestSpec& current() const noexcept { return changed_ ? *changed_ : original_; }

  // A redirect with `status` leads to `next`.
  void redirected(unsigned status, const OriginKey& next) {
    RequestChange change = change_;
    change.to_get = change.to_get || redirect_switches_to_get(status, current().method());
    change.other_origin = !next.same_origin(first_);
    if (change == change_) return;
    change_ = change;
    if (change == RequestChange{}) {
      changed_.reset();
    } else {
      changed_ = changed_request(original_, change);
    }
  }

 private:
  const RequestSpec& original_;
  OriginKey first_;
  RequestChange change_;
  std::optional<RequestSpec> changed_;  // built only when a redirect changes something
};

// One attempt at a URL: its whole redirect chain, under its own --max-time.
struct Attempt {
  Result result;
  bool may_have_reached = false;  // a request was handed to a connection
  std::string retry_after;        // the last response's Retry-After
};

asio::awaitable<Attempt> attempt_chain(Session& session, Target target, std::uint64_t line) {
  const Clock::time_point started = Clock::now();
  const Deadline deadline = Deadline::max_time(started, session.settings.max_time);
  Attempt attempt;
  Result& result = attempt.result;
  result.line = line;
  result.url = target.display;
  Watchdog watchdog{session.executor};
  BodySink body{session.settings.max_filesize, session.settings.max_redirects > 0,
                session.settings.decode ? &session.decoder_memory : nullptr};
  std::vector<std::string> visited{target.url};
  ChainRequest request{session.request, target.origin};
  for (;;) {
    body.reset();
    Hop hop = co_await send_hop(session, request.current(), target, deadline, watchdog, body);
    attempt.may_have_reached = attempt.may_have_reached || hop.sent;
    attempt.retry_after = std::move(hop.exchange.retry_after);
    fold(result, hop, body);
    result.final_url = target.display;
    // A redirect without a Location (or an empty one) is the final response, as browsers
    // and curl show it.
    if (result.error || !is_redirect(*result.status) || session.settings.max_redirects == 0 ||
        hop.exchange.location.empty()) {
      break;
    }
    auto next = next_hop(target, hop.exchange.location, result.redirects,
                         session.settings.max_redirects, visited);
    if (auto* failure = std::get_if<FetchError>(&next)) {
      result.error = std::move(*failure);
      break;
    }
    Target& next_target = std::get<Target>(next);
    next_target.origin = session.routes.route(next_target.origin);
    request.redirected(*result.status, next_target.origin);
    // Followed, as browsers do, but never silently: the rest of the chain is unencrypted.
    result.downgraded = result.downgraded || (target.origin.tls() && !next_target.origin.tls());
    target = std::move(next_target);
    visited.push_back(target.url);
    ++result.redirects;
  }
  co_return attempt;
}

// Waits `wait` before the next attempt; false when the run stops meanwhile (SIGINT).
asio::awaitable<bool> pause(const asio::any_io_executor& executor, std::chrono::milliseconds wait) {
  asio::steady_timer timer{executor, wait};
  auto [error] = co_await timer.async_wait(use_tuple);
  co_return !error;
}

}  // namespace

asio::awaitable<Result> fetch_url(Session& session, InputLine line) {
  const Clock::time_point started = Clock::now();
  if (line.too_long) {
    co_return input_failure(line);
  }
  auto parsed = parse_target(line.text);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    Result result = input_failure(line);
    result.url = redact_credentials(line.text);
    result.error =
        FetchError{Stage::input, errc::bad_url, fmt::format("line {}: {}", line.number, *reason)};
    co_return result;
  }
  Target target = std::move(std::get<Target>(parsed));
  target.origin = session.routes.route(target.origin);
  const RetrySettings& retry = session.settings.retry;
  Attempt attempt = co_await attempt_chain(session, target, line.number);
  for (unsigned retries = 0; retry.retries > 0; ++retries) {
    const AttemptFacts facts{session.request.method(), attempt.may_have_reached,
                             attempt.retry_after};
    const auto wait =
        retry_wait(retry, attempt.result, facts, retries,
                   std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started),
                   session.settings.max_time, jitter_bits());
    if (!wait || !co_await pause(session.executor, *wait)) {
      attempt.result.retries = retries;
      break;
    }
    attempt = co_await attempt_chain(session, target, line.number);
  }
  attempt.result.timings.total_ms = milliseconds(started, Clock::now());
  co_return std::move(attempt.result);
}

}  // namespace fetch
