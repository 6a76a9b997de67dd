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
void fold(Result& result, Hop& hop, const BodySink& body, Clock::time_point started) {
  Exchange& exchange = hop.exchange;
  result.status = exchange.status;
  result.content_length = exchange.content_length;
  result.bytes = body.wire_bytes();
  result.decoded_bytes = body.decoded_bytes();
  result.content_encoding = body.content_encoding();
  result.saved_as = body.saved_as();
  result.reused_connection = hop.reused;
  if (hop.protocol) result.http_version = *hop.protocol == Protocol::http2 ? "2" : "1.1";
  result.timings.resolve_ms = hop.timings.resolve_ms;
  result.timings.connect_ms = hop.timings.connect_ms;
  result.timings.tls_ms = hop.timings.tls_ms;
  result.timings.ttfb_ms = exchange.ttfb_ms;
  const std::optional<Clock::time_point> head = body.started_at();
  result.timings.start_transfer_ms = head ? milliseconds(started, *head) : 0;
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

// One attempt at a URL, starting at `first`: its redirect chain under its own --max-time,
// hop by hop. A plain object, not a coroutine of its own: fetch_url awaits each hop, so that
// a URL costs one coroutine frame, retries or not.
class Chain {
 public:
  Chain(Session& session, const InputLine& line, const Target& first)
      : session_(session),
        first_(first),
        started_(Clock::now()),
        deadline_(Deadline::max_time(started_, session.settings.max_time)),
        watchdog_(session.executor),
        body_(session.settings.max_filesize, session.settings.max_redirects > 0,
              session.settings.decode ? &session.decoder_memory : nullptr),
        visited_{first.url},
        request_(session.request, first.origin) {
    if (session.output_dir) {
      body_.save_into(*session.output_dir,
                      saved_file_name(*session.output_dir, line.number, line.source,
                                      first.request_target, first.origin.host()));
    }
  }

  // The next hop's request, and what it needs, to hand to send_hop.
  const RequestSpec& request() const noexcept { return request_.current(); }
  const Target& target() const noexcept { return redirected_ ? *redirected_ : first_; }
  const Deadline& deadline() const noexcept { return deadline_; }
  Watchdog& watchdog() noexcept { return watchdog_; }
  BodySink& body() noexcept { return body_; }

  // Folds `hop` into `result`; true when a redirect leads on (the next hop is set up).
  bool next(Hop& hop, Result& result);

  bool may_have_reached() const noexcept { return may_have_reached_; }      // a request was sent
  const std::string& retry_after() const noexcept { return retry_after_; }  // the last one's

 private:
  Session& session_;
  const Target& first_;
  Clock::time_point started_;  // of this attempt: start_transfer_ms counts from here
  Deadline deadline_;
  Watchdog watchdog_;
  BodySink body_;
  std::vector<std::string> visited_;
  ChainRequest request_;
  std::optional<Target> redirected_;  // the hop after the first, once there is one
  bool may_have_reached_ = false;
  std::string retry_after_;
};

bool Chain::next(Hop& hop, Result& result) {
  const Target& target = this->target();
  may_have_reached_ = may_have_reached_ || hop.sent;
  if (session_.settings.retry.retries > 0) retry_after_ = std::move(hop.exchange.retry_after);
  fold(result, hop, body_, started_);
  result.final_url = target.display;
  // A redirect without a Location (or an empty one) is the final response, as browsers and
  // curl show it.
  if (result.error || !is_redirect(*result.status) || session_.settings.max_redirects == 0 ||
      hop.exchange.location.empty()) {
    return false;
  }
  auto next = next_hop(target, hop.exchange.location, result.redirects,
                       session_.settings.max_redirects, visited_);
  if (auto* failure = std::get_if<FetchError>(&next)) {
    result.error = std::move(*failure);
    return false;
  }
  Target& next_target = std::get<Target>(next);
  next_target.origin = session_.routes.route(next_target.origin);
  request_.redirected(*result.status, next_target.origin);
  // Followed, as browsers do, but never silently: the rest of the chain is unencrypted.
  result.downgraded = result.downgraded || (target.origin.tls() && !next_target.origin.tls());
  visited_.push_back(next_target.url);
  redirected_ = std::move(next_target);
  ++result.redirects;
  body_.reset();
  return true;
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
  Result result;
  for (unsigned retries = 0;; ++retries) {
    result.line = line.number;
    result.url = target.display;
    Chain chain{session, line, target};
    for (bool more = true; more;) {
      Hop hop = co_await send_hop(session, chain.request(), chain.target(), chain.deadline(),
                                  chain.watchdog(), chain.body());
      more = chain.next(hop, result);
    }
    if (retry.retries == 0) break;
    const AttemptFacts facts{session.request.method(), chain.may_have_reached(),
                             chain.retry_after()};
    const auto wait =
        retry_wait(retry, result, facts, retries,
                   std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started),
                   session.settings.max_time, jitter_bits());
    if (!wait || !co_await pause(session.executor, *wait)) {
      result.retries = retries;
      break;
    }
    result = Result{};
  }
  result.timings.total_ms = milliseconds(started, Clock::now());
  co_return result;
}

}  // namespace fetch
