#include "fetch/client/client.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <tuple>
#include <utility>
#include <vector>

#include "fetch/transport/connection.hpp"
#include "fetch/transport/gate.hpp"
#include "fetch/transport/pool.hpp"
#include "fetch/http1/request_writer.hpp"
#include "fetch/dns/resolver.hpp"
#include "fetch/http1/response_parser.hpp"
#include "fetch/input/url.hpp"
#include "fetch/tls/context.hpp"
#include "fetch/tls/sessions.hpp"
#include "fetch/transport/watchdog.hpp"

namespace fetch {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using Parser = ResponseParser;

double milliseconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double seconds(std::chrono::milliseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The peer closed or reset the connection: on a pooled connection this means the server
// dropped it while idle, and a fresh connection may well succeed.
bool is_connection_gone(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

FetchError max_time_exceeded(const ClientSettings& settings, std::string_view during) {
  return {Stage::timeout, fmt::format("timed out after {:g} s (--max-time) {}",
                                      seconds(settings.max_time), during)};
}

// What one request/response exchange on one connection came to.
struct HopOutcome {
  std::optional<FetchError> error;
  bool retry = false;     // a reused connection died before any response byte
  bool reusable = false;  // the response ended cleanly and the server keeps the connection
  std::string location;   // the Location header of a redirect

  static HopOutcome failed(FetchError error) {
    HopOutcome outcome;
    outcome.error = std::move(error);
    return outcome;
  }
  static HopOutcome retry_on_fresh_connection() {
    HopOutcome outcome;
    outcome.retry = true;
    return outcome;
  }
};

struct Opened {
  std::unique_ptr<Connection> connection;
  std::optional<FetchError> error;
  HandshakeTurn turn;   // held over the first exchange when this was the origin's first
  bool reused = false;  // another request's connection, handed over instead

  static Opened failed(FetchError error) {
    Opened opened;
    opened.error = std::move(error);
    return opened;
  }
  static Opened ready(std::unique_ptr<Connection> connection, HandshakeTurn turn = {}) {
    Opened opened;
    opened.connection = std::move(connection);
    opened.turn = std::move(turn);
    return opened;
  }
  static Opened reuse(std::unique_ptr<Connection> connection) {
    Opened opened;
    opened.connection = std::move(connection);
    opened.reused = true;
    return opened;
  }
};

// The connection phase (resolve, TCP connect, TLS handshake) ran past --connect-timeout or
// the URL's own deadline, whichever came first.
FetchError connect_phase_expired(const ClientSettings& settings, const Target& target,
                                 Clock::time_point phase_deadline, Clock::time_point deadline,
                                 std::string_view during) {
  if (phase_deadline < deadline) {
    return {Stage::timeout,
            fmt::format("{} {}:{} timed out after {:g} s (--connect-timeout)", during, target.host,
                        target.port, seconds(settings.connect_timeout))};
  }
  return max_time_exceeded(settings, fmt::format("{} {}:{}", during, target.host, target.port));
}

// Tries the addresses in order until one accepts, as asio's range connect does, but keeps
// the socket already opened for the first one: asio's closes and reopens it for every
// address, three more system calls per connection. Returns the last address's error when
// none accepts, or when the watchdog closed the socket.
asio::awaitable<error_code> connect_to_any(TcpStream& tcp,
                                           const std::vector<asio::ip::tcp::endpoint>& endpoints,
                                           const Watchdog& watchdog) {
  error_code error = asio::error::host_not_found;
  for (std::size_t index = 0; index < endpoints.size() && !watchdog.expired(); ++index) {
    if (index > 0) {
      error_code ignored;
      tcp.close(ignored);
      tcp.open(endpoints[index].protocol(), error);
      if (error) {
        break;
      }
    }
    std::tie(error) = co_await tcp.async_connect(endpoints[index], use_tuple);
    if (!error) {
      break;
    }
  }
  co_return error;
}

// The kernel's estimate of the connection's round-trip time, which its TCP handshake gave;
// zero when the kernel cannot say, which counts as a near server.
std::chrono::microseconds round_trip(TcpStream& tcp) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (getsockopt(tcp.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &length) != 0) {
    return {};
  }
  return std::chrono::microseconds{info.tcpi_rtt};
}

// Resolves, connects and, for https, completes the TLS handshake, all by `phase_deadline`
// (--connect-timeout, as curl counts it, or the URL's own deadline), and tells `lease` how
// that went.
asio::awaitable<Opened> open_connection(Session& session, const Target& target,
                                        const std::string& origin, Clock::time_point deadline,
                                        Clock::time_point phase_deadline,
                                        ConnectionGate::Lease& lease, Watchdog& watchdog,
                                        Timings& timings) {
  const ClientSettings& settings = session.settings;
  const Clock::time_point started = Clock::now();
  const Timings timings_before = timings;
  Resolution resolution =
      co_await session.resolver.resolve(target.host, target.port, phase_deadline);
  const Clock::time_point resolved = Clock::now();
  timings.resolve_ms += milliseconds(started, resolved);
  if (resolution.error == errc::deadline_exceeded) {
    co_return Opened::failed(
        connect_phase_expired(settings, target, phase_deadline, deadline, "resolving"));
  }
  if (resolution.error) {
    co_return Opened::failed(FetchError{
        Stage::resolve,
        fmt::format("cannot resolve '{}': {}", target.host, resolution.error.message())});
  }

  TcpStream tcp{session.executor};
  // Opened here, not in the connect, so that a failed socket() (EMFILE) is reported as such.
  error_code open_error;
  tcp.open(resolution.endpoints.front().protocol(), open_error);
  if (open_error) {
    co_return Opened::failed(
        FetchError{Stage::connect, fmt::format("cannot connect to {}:{}: {}", target.host,
                                               target.port, open_error.message())});
  }
  if (!watchdog.arm(tcp, phase_deadline)) {
    co_return Opened::failed(
        connect_phase_expired(settings, target, phase_deadline, deadline, "connecting to"));
  }
  const error_code connect_error = co_await connect_to_any(tcp, resolution.endpoints, watchdog);
  const Clock::time_point connected = Clock::now();
  timings.connect_ms += milliseconds(resolved, connected);
  if (watchdog.expired()) {
    co_return Opened::failed(
        connect_phase_expired(settings, target, phase_deadline, deadline, "connecting to"));
  }
  if (connect_error) {
    co_return Opened::failed(
        FetchError{Stage::connect, fmt::format("cannot connect to {}:{}: {}", target.host,
                                               target.port, connect_error.message())});
  }
  const std::chrono::microseconds rtt = round_trip(tcp);
  lease.connected(rtt);
  // Requests are small and sent whole: never let Nagle hold one back.
  error_code ignored;
  tcp.set_option(asio::ip::tcp::no_delay{true}, ignored);
  session.pool.count_opened();

  if (!target.tls) {
    watchdog.release();  // the socket moves; exchange() watches it in its new place
    lease.opened(Clock::now() - started);
    co_return Opened::ready(std::make_unique<Connection>(origin, std::move(tcp)));
  }

  TlsStream tls{std::move(tcp), session.tls};
  if (!watchdog.arm(tls.next_layer(), phase_deadline)) {
    co_return Opened::failed(
        connect_phase_expired(settings, target, phase_deadline, deadline, "TLS handshake with"));
  }
  if (!prepare_tls_stream(tls.native_handle(), target.host, target.host_is_ip,
                          settings.verify_tls)) {
    co_return Opened::failed(
        FetchError{Stage::tls, "cannot set up TLS for host '" + target.host + "'"});
  }
  // Resume the origin's last session if there is one; when another connection is making
  // the first handshake to a near origin, wait for that one's session first.
  HandshakeTurn turn =
      co_await session.tls_sessions.prepare(tls.native_handle(), origin, phase_deadline, rtt);
  // Now that the origin may be known to be near (its first handshake has ended): a connection
  // in use may come free sooner than this one's handshake would end.
  auto [handed, kept] = co_await session.gate.reconsider(std::move(lease), phase_deadline);
  lease = std::move(kept);
  if (handed) {
    watchdog.release();
    tls.next_layer().close(ignored);
    // The phase timings describe the connection that carries the request, and that one was
    // open already (the time spent shows in total_ms).
    timings = timings_before;
    co_return Opened::reuse(std::move(handed));
  }
  const Clock::time_point handshake_started = Clock::now();
  auto [handshake_error] = co_await tls.async_handshake(ssl::stream_base::client, use_tuple);
  const Clock::time_point handshaken = Clock::now();
  timings.tls_ms += milliseconds(connected, handshaken);
  watchdog.release();
  if (!handshake_error && !watchdog.expired()) {
    turn.succeeded(handshaken - handshake_started);
  }
  if (watchdog.expired()) {
    co_return Opened::failed(
        connect_phase_expired(settings, target, phase_deadline, deadline, "TLS handshake with"));
  }
  if (handshake_error) {
    co_return Opened::failed(
        FetchError{Stage::tls, describe_tls_failure(tls.native_handle(), handshake_error)});
  }
  lease.opened(handshaken - started);
  co_return Opened::ready(std::make_unique<Connection>(origin, std::move(tls)), std::move(turn));
}

FetchError body_failure(const ClientSettings& settings, const error_code& ec, const Parser& parser,
                        bool timed_out) {
  const std::uint64_t received = parser.body_bytes();
  if (timed_out) {
    return max_time_exceeded(settings,
                             fmt::format("reading the body ({} bytes received)", received));
  }
  if (ec == http::error::body_limit) {
    return {Stage::read, fmt::format("body larger than --max-filesize ({} bytes)",
                                     settings.max_filesize.value_or(0))};
  }
  if (ec == http::error::partial_message || is_connection_gone(ec)) {
    if (const auto declared = parser.content_length()) {
      return {Stage::read, fmt::format("body truncated: connection closed after {} of {} bytes",
                                       received, *declared)};
    }
    if (parser.chunked()) {
      return {Stage::read,
              fmt::format("chunked body truncated: connection closed after {} bytes", received)};
    }
    // The body runs until the connection closes; over TLS that close must be authenticated.
    if (ec == ssl::error::stream_truncated) {
      return {Stage::read, fmt::format("body truncated: TLS connection cut without close_notify "
                                       "after {} bytes",
                                       received)};
    }
    return {Stage::read, fmt::format("body truncated: {} after {} bytes", ec.message(), received)};
  }
  return {Stage::read, fmt::format("bad response body: {}", ec.message())};
}

// Sends the request for `target` on `stream` and reads the response to its end.
template <class Stream>
asio::awaitable<HopOutcome> exchange(Stream& stream, Connection& connection, const Session& session,
                                     const Target& target, Clock::time_point deadline,
                                     Watchdog& watchdog, bool reused, Result& result) {
  const ClientSettings& settings = session.settings;
  if (!watchdog.arm(connection.tcp(), deadline)) {
    co_return HopOutcome::failed(max_time_exceeded(settings, "before sending the request"));
  }

  std::string& request = connection.request_buffer();
  write_request(target, settings.user_agent, settings.head, request);
  auto [write_error, written_bytes] =
      co_await asio::async_write(stream, asio::buffer(request), use_tuple);
  if (write_error) {
    if (watchdog.expired()) {
      co_return HopOutcome::failed(max_time_exceeded(settings, "sending the request"));
    }
    if (reused && is_connection_gone(write_error)) {
      co_return HopOutcome::retry_on_fresh_connection();
    }
    co_return HopOutcome::failed(
        FetchError{Stage::write, "cannot send request: " + write_error.message()});
  }
  const Clock::time_point sent = Clock::now();

  beast::flat_buffer& buffer = connection.buffer();
  std::optional<Parser> parser;
  bool first_message = true;
  for (;;) {
    parser.emplace();
    // A response to HEAD has no body whatever its Content-Length says (RFC 9110 9.3.2):
    // never wait for one.
    parser->skip(settings.head);
    if (settings.max_filesize) {
      parser->body_limit(*settings.max_filesize);
    }
    auto [header_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, *parser, use_tuple);
    if (header_error == http::error::body_limit) {
      // A Content-Length above --max-filesize is refused as soon as the header is read.
      result.status = parser->status();
      result.content_length = parser->content_length().value_or(0);
      co_return HopOutcome::failed(body_failure(settings, header_error, *parser, false));
    }
    if (header_error) {
      if (watchdog.expired()) {
        co_return HopOutcome::failed(max_time_exceeded(settings, "waiting for the response"));
      }
      const bool nothing_received = first_message && header_bytes == 0 && buffer.size() == 0;
      if (reused && nothing_received && is_connection_gone(header_error)) {
        co_return HopOutcome::retry_on_fresh_connection();
      }
      if (nothing_received && is_connection_gone(header_error)) {
        co_return HopOutcome::failed(FetchError{Stage::read,
                                                "empty reply: connection closed before any "
                                                "response byte"});
      }
      co_return HopOutcome::failed(
          FetchError{Stage::read, "bad response header: " + header_error.message()});
    }
    const unsigned status = parser->status();
    // 1xx responses are interim (RFC 9110 section 15.2): the real one follows. 101 would
    // switch protocols, which we never ask for, so it counts as final.
    if (status < 100 || status >= 200 || status == 101) {
      break;
    }
    first_message = false;
  }
  result.timings.ttfb_ms = milliseconds(sent, Clock::now());
  result.status = parser->status();
  if (const auto declared = parser->content_length()) {
    result.content_length = *declared;
  } else {
    result.content_length.reset();
  }

  if (!parser->is_done()) {
    auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, *parser, use_tuple);
    result.bytes = parser->body_bytes();
    if (body_error) {
      co_return HopOutcome::failed(body_failure(settings, body_error, *parser, watchdog.expired()));
    }
  }
  result.bytes = parser->body_bytes();

  HopOutcome outcome;
  // Bytes past the end of the response mean the server framed it wrongly; the connection's
  // stream position is unknowable, so it must not carry another request.
  outcome.reusable = parser->keep_alive() && buffer.size() == 0;
  outcome.location = parser->location();
  co_return outcome;
}

// One request for `target`: an idle connection, or one that comes free soon enough (see
// connection_gate.hpp), retried once on a fresh connection when the server had dropped it;
// otherwise a new connection.
asio::awaitable<HopOutcome> fetch_once(Session& session, const Target& target,
                                       Clock::time_point deadline, Watchdog& watchdog,
                                       Result& result) {
  const ClientSettings& settings = session.settings;
  const std::string origin = target.origin();
  // Time queued for a connection in use is not connect time: only --max-time bounds it (the
  // queue's own patience keeps it short).
  // Not a structured binding: clang (the fuzz build) will not capture one in a lambda.
  ConnectionGate::Acquired acquired = co_await session.gate.acquire(origin, target.tls, deadline);
  std::unique_ptr<Connection> connection = std::move(acquired.connection);
  ConnectionGate::Lease lease = std::move(acquired.lease);
  if (!connection && Clock::now() >= deadline) {
    co_return HopOutcome::failed(max_time_exceeded(
        settings, fmt::format("waiting for a connection to {}:{}", target.host, target.port)));
  }
  Clock::time_point phase_deadline = std::min(deadline, Clock::now() + settings.connect_timeout);
  for (;;) {
    bool reused = connection != nullptr;
    // Ends when this exchange does: tickets arrive before the response, so the connections
    // waiting for this one's session need wait no longer.
    HandshakeTurn turn;
    if (!connection) {
      Opened opened = co_await open_connection(session, target, origin, deadline, phase_deadline,
                                               lease, watchdog, result.timings);
      if (opened.error) {
        co_return HopOutcome::failed(std::move(*opened.error));
      }
      connection = std::move(opened.connection);
      turn = std::move(opened.turn);
      reused = opened.reused;
    }
    result.reused_connection = reused;
    HopOutcome outcome = co_await connection->visit([&](auto& stream) {
      return exchange(stream, *connection, session, target, deadline, watchdog, reused, result);
    });
    watchdog.release();  // the connection goes back to the pool, or is closed below
    if (outcome.retry) {
      // The same lease carries the fresh connection, with a connect phase of its own.
      connection->close();
      connection.reset();
      phase_deadline = std::min(deadline, Clock::now() + settings.connect_timeout);
      continue;
    }
    if (outcome.reusable) {
      session.gate.give_back(std::move(connection), std::move(lease));
    } else {
      connection->close();
    }
    co_return outcome;
  }
}

// The next hop of a redirect chain, or why the chain stops with an error.
std::variant<Target, FetchError> follow(const Target& current, const HopOutcome& outcome,
                                        unsigned redirects_so_far, unsigned max_redirects,
                                        const std::vector<std::string>& visited) {
  if (outcome.location.empty()) {
    return FetchError{Stage::redirect, "redirect without a Location header"};
  }
  if (redirects_so_far >= max_redirects) {
    return FetchError{
        Stage::redirect,
        fmt::format("too many redirects (more than {}, see --max-redirects)", max_redirects)};
  }
  auto next = resolve_redirect(current, outcome.location);
  if (auto* reason = std::get_if<std::string>(&next)) {
    return FetchError{Stage::redirect, *reason};
  }
  Target& target = std::get<Target>(next);
  if (std::find(visited.begin(), visited.end(), target.url) != visited.end()) {
    return FetchError{Stage::redirect, "redirect loop: " + target.display + " was already visited"};
  }
  // Credentials go only where the user sent them: kept on the same origin, dropped elsewhere.
  if (target.authorization.empty() && target.origin() == current.origin()) {
    target.authorization = current.authorization;
  }
  return std::move(target);
}

}  // namespace

asio::awaitable<Result> fetch_url(Session& session, InputLine line) {
  const Clock::time_point started = Clock::now();
  const Clock::time_point deadline = started + session.settings.max_time;
  Result result;
  result.line = line.number;

  if (line.too_long) {
    // Redact first: credentials can sit anywhere in the line, not only in what is shown.
    result.url = redact_credentials(line.text).substr(0, 80) + "...";
    result.error = FetchError{
        Stage::input, fmt::format("line {} is longer than {} bytes", line.number, kMaxLineLength)};
    co_return result;
  }
  auto parsed = parse_target(line.text);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    result.url = redact_credentials(line.text);
    result.error = FetchError{Stage::input, fmt::format("line {}: {}", line.number, *reason)};
    co_return result;
  }

  Target target = std::move(std::get<Target>(parsed));
  result.url = target.display;
  Watchdog watchdog{session.executor};
  std::vector<std::string> visited{target.url};
  for (;;) {
    // Each hop reports afresh: the last response is the one that counts.
    result.status.reset();
    result.content_length.reset();
    result.bytes = 0;
    HopOutcome outcome = co_await fetch_once(session, target, deadline, watchdog, result);
    result.final_url = target.display;
    if (outcome.error) {
      result.error = std::move(outcome.error);
      break;
    }
    if (!is_redirect(*result.status) || session.settings.max_redirects == 0) {
      break;
    }
    auto next = follow(target, outcome, result.redirects, session.settings.max_redirects, visited);
    if (auto* failure = std::get_if<FetchError>(&next)) {
      result.error = std::move(*failure);
      break;
    }
    Target& next_target = std::get<Target>(next);
    // Followed, as browsers do, but never silently: the rest of the chain is unencrypted.
    result.downgraded = result.downgraded || (target.tls && !next_target.tls);
    target = std::move(next_target);
    visited.push_back(target.url);
    ++result.redirects;
  }
  result.timings.total_ms = milliseconds(started, Clock::now());
  co_return result;
}

}  // namespace fetch
