#include "fetch/http2/connection.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <utility>

#include "fetch/body/body_sink.hpp"
#include "fetch/core/request.hpp"
#include "fetch/core/wait_list.hpp"
#include "fetch/transport/watchdog.hpp"

namespace fetch {

namespace {

using boost::system::error_code;

// As for HTTP/1.1: reads of 64 KiB keep bulk transfers at socket speed.
constexpr std::size_t kReadSize = 64 * 1024;
// Frames are gathered up to this many bytes per write: one system call (and one run of TLS
// records) for the HEADERS of fifty requests, or for a window update beside their ACKs.
constexpr std::size_t kWriteBatch = 64 * 1024;
// At most this many rounds of the event loop before a write (see Session::gather): a few
// microseconds each.
constexpr int kGatherRounds = 16;
constexpr int kIdleRounds = 3;  // rounds without a new frame that end the gathering

std::string closed_by_peer(const error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return "the server closed the HTTP/2 connection";
  }
  return "the HTTP/2 connection failed: " + ec.message();
}

}  // namespace

struct Http2Connection::Session {
  Session(Stream stream_in, HandshakeTurn turn_in, Http2Limits limits)
      : stream(std::move(stream_in)),
        protocol(limits),
        turn(std::move(turn_in)),
        writer_wake(stream.tcp().get_executor()),
        incoming(std::make_unique<char[]>(kReadSize)) {}

  // Wakes the writer: the session has something to send, or ended.
  void kick() noexcept { writer_wake.cancel(); }
  // The same, for a frame that must not wait for others to gather (a stream's reset).
  void kick_now() noexcept {
    urgent = true;
    kick();
  }

  // Ends the connection as a client should: a GOAWAY after whatever is queued (a stream's
  // reset, say), written at once if no write is under way and the socket takes it, then the
  // close. Best effort: the run is ending, nothing waits for it.
  void close_politely() noexcept {
    if (ended) return;
    if (!writing && protocol.alive()) {
      protocol.go_away();
      std::string frames;
      for (std::string_view more = protocol.output(); !more.empty(); more = protocol.output()) {
        frames.append(more);
      }
      error_code ignored;
      stream.tcp().non_blocking(true, ignored);  // never block on a full socket
      stream.visit([&](auto& s) { asio::write(s, asio::buffer(frames), ignored); });
    }
    end("the HTTP/2 connection was closed");
  }

  // The transport is done (`how` says why): every stream still open fails, the loops stop.
  void end(std::string_view how) noexcept {
    if (ended) return;
    ended = true;
    protocol.end(how);
    stream.close();
    kick();
    stream_slots.wake_all();
  }

  // Feeds whatever arrives to the session, until the connection ends.
  static asio::awaitable<void> read_frames(std::shared_ptr<Session> self) {
    while (!self->ended) {
      auto [ec, n] = co_await self->stream.visit([&](auto& stream) {
        return stream.async_read_some(asio::buffer(self->incoming.get(), kReadSize), use_tuple);
      });
      if (self->ended) break;
      if (n > 0) {
        self->bytes_read += n;
        if (!self->protocol.receive({self->incoming.get(), n})) {
          self->end("");  // the session failed every stream, with its reason
          break;
        }
        self->kick();  // ACKs, window updates, or the GOAWAY that ends it
      }
      if (ec) {
        self->end(closed_by_peer(ec));
      }
    }
  }

  // Sends what the session queues, gathered, until the connection ends. Done when nghttp2
  // is (it sent or received a GOAWAY and no stream is left), or when the session failed.
  static asio::awaitable<void> write_frames(std::shared_ptr<Session> self) {
    while (!self->ended) {
      self->outgoing.clear();
      for (std::string_view frames = self->protocol.output(); !frames.empty();
           frames = self->protocol.output()) {
        self->outgoing.append(frames);
        if (self->outgoing.size() >= kWriteBatch) break;
      }
      if (self->outgoing.empty()) {
        if (!self->protocol.alive() || self->finished_draining()) {
          self->end("the HTTP/2 connection ended");
          break;
        }
        self->writer_wake.expires_at(Clock::time_point::max());
        co_await self->writer_wake.async_wait(use_tuple);
        co_await self->gather();
        continue;
      }
      self->writing = true;
      auto [ec, n] = co_await self->stream.visit([&](auto& stream) {
        return asio::async_write(stream, asio::buffer(self->outgoing), use_tuple);
      });
      self->writing = false;
      if (ec && !self->ended) {
        self->end("cannot send to the HTTP/2 server: " + ec.message());
      }
      // A small write completes at once: what comes next trickles in a frame per round.
      if (n < kWriteBatch) co_await self->gather();
    }
  }

  struct Wait;
  class AbandonGuard;
  static Exchange exchange_of(const Wait& wait, const Deadline& deadline, Clock::time_point sent);

  bool finished_draining() const noexcept { return draining && protocol.open_streams() == 0; }

  // Woken by the first frame of a batch: lets the event loop run a few rounds first, for as
  // long as each adds frames. A read of a TLS connection yields one record, so the responses
  // of one socket read close their streams one round apart, and each stream's URL hands
  // its successor a request a round or two later: writing at once sent one TLS record and
  // one system call per request (9 954 sendto for 10 000 URLs).
  asio::awaitable<void> gather() {
    if (std::exchange(urgent, false)) co_return;
    std::size_t queued = protocol.queued_frames();
    int idle_rounds = 0;
    for (int round = 0; round < kGatherRounds && idle_rounds < kIdleRounds; ++round) {
      co_await asio::post(writer_wake.get_executor(), asio::use_awaitable);
      if (std::exchange(urgent, false)) break;
      const std::size_t now = protocol.queued_frames();
      idle_rounds = now == queued ? idle_rounds + 1 : 0;
      queued = now;
    }
  }

  Stream stream;
  Http2ClientSession protocol;
  HandshakeTurn turn;
  asio::steady_timer writer_wake;
  // Requests handed this connection while the server's stream limit was reached (the gate
  // hands a new connection to every request queued for it): woken when a stream closes.
  WaitList stream_slots;
  std::unique_ptr<char[]> incoming;
  std::string outgoing;
  std::uint64_t bytes_read = 0;
  // No new streams: one timed out with nothing at all read on the connection meanwhile, so
  // the server (or the path to it) stopped answering. The streams open may still finish.
  bool draining = false;
  bool ended = false;
  bool writing = false;  // an async_write is under way: nothing else may write
  bool urgent = false;   // write without gathering (see kick_now)
};

// One URL's wait for its stream, reachable from the watchdog's stop action.
struct Http2Connection::Session::Wait {
  explicit Wait(Session& session_in)
      : session(session_in), wake(session_in.writer_wake.get_executor()) {}

  static void on_close(H2Stream& stream) noexcept {
    static_cast<asio::steady_timer*>(stream.waiter)->cancel();
  }
  // The URL's deadline passed: reset the stream, not the connection.
  static void on_deadline(void* context) noexcept {
    auto* wait = static_cast<Wait*>(context);
    if (wait->stream.closed) return;  // it ended meanwhile: its own outcome stands
    wait->timed_out = true;
    if (wait->session.bytes_read == wait->bytes_read_at_start) {
      wait->session.draining = true;  // nothing came for anyone in all that time
    }
    wait->session.protocol.cancel(wait->stream, {Stage::timeout, errc::timeout_max_time, {}});
    wait->session.kick_now();
  }

  Session& session;
  asio::steady_timer wake;
  H2Stream stream;
  std::uint64_t bytes_read_at_start = 0;
  bool timed_out = false;
};

// Resets the stream if the URL's coroutine is destroyed while it waits (at shutdown).
class Http2Connection::Session::AbandonGuard {
 public:
  explicit AbandonGuard(Wait& wait) : wait_(wait) {}
  ~AbandonGuard() {
    if (!wait_.stream.closed) {
      wait_.session.protocol.cancel(wait_.stream, {Stage::read, errc::h2_cancel, {}});
    }
  }
  AbandonGuard(const AbandonGuard&) = delete;
  AbandonGuard& operator=(const AbandonGuard&) = delete;

 private:
  Wait& wait_;
};

// The stream's outcome as the seam reports it.
Exchange Http2Connection::Session::exchange_of(const Wait& wait, const Deadline& deadline,
                                               Clock::time_point sent) {
  const H2Stream& stream = wait.stream;
  Exchange exchange;
  if (stream.head_done) exchange.status = stream.status;
  exchange.content_length = stream.content_length;
  exchange.location = stream.location;
  exchange.ttfb_ms = stream.first_byte ? milliseconds(sent, *stream.first_byte) : 0;
  exchange.retry_safe = stream.retry_safe;
  exchange.http1_required = stream.http1_required;
  if (wait.timed_out) {
    exchange.error = stream.head_done
                         ? deadline.expired(fmt::format("reading the body ({} bytes received)",
                                                        stream.data_bytes))
                         : deadline.expired("waiting for the response");
  } else {
    exchange.error = stream.failure;
  }
  return exchange;
}

Http2Connection::Http2Connection(OriginKey origin, Stream stream, HandshakeTurn turn,
                                 Http2Limits limits)
    : Connection(std::move(origin)),
      session_(std::make_shared<Session>(std::move(stream), std::move(turn), limits)) {
  const auto executor = session_->writer_wake.get_executor();
  asio::co_spawn(executor, Session::read_frames(session_), asio::detached);
  asio::co_spawn(executor, Session::write_frames(session_), asio::detached);
}

Http2Connection::~Http2Connection() { close(); }

bool Http2Connection::can_take_request() const noexcept {
  return !session_->ended && !session_->draining && session_->protocol.can_take_request();
}

bool Http2Connection::idle() const noexcept { return session_->protocol.open_streams() == 0; }

std::size_t Http2Connection::open_streams() const noexcept {
  return session_->protocol.open_streams();
}

void Http2Connection::close() noexcept { session_->close_politely(); }

asio::awaitable<Exchange> Http2Connection::exchange(const RequestSpec& spec, const Target& target,
                                                    BodySink& body, Watchdog& watchdog,
                                                    const Deadline& deadline) {
  const std::shared_ptr<Session> session = session_;  // lives while this stream waits
  // At the server's SETTINGS_MAX_CONCURRENT_STREAMS: one of its streams will close.
  while (session->protocol.at_stream_limit() && !session->ended && !session->draining &&
         !deadline.passed()) {
    co_await session->stream_slots.wait_until(deadline.at());
  }
  if (deadline.passed()) {
    co_return Exchange::failed(deadline.expired("waiting for a free HTTP/2 stream"));
  }
  Session::Wait wait{*session};
  wait.stream.body = &body;
  wait.stream.head_request = spec.head();
  wait.stream.wake = &Session::Wait::on_close;
  wait.stream.waiter = &wait.wake;
  wait.bytes_read_at_start = session->bytes_read;
  if (!watchdog.arm(deadline.at(), &Session::Wait::on_deadline, &wait)) {
    co_return Exchange::failed(deadline.expired("before sending the request"));
  }
  const Clock::time_point sent = Clock::now();
  if (session->protocol.submit(spec, target, wait.stream)) {
    const Session::AbandonGuard guard{wait};
    session->kick();
    while (!wait.stream.closed) {
      wait.wake.expires_at(Clock::time_point::max());
      co_await wait.wake.async_wait(use_tuple);
    }
  }
  watchdog.release();
  session->stream_slots.wake_all();  // a stream slot came free (or the connection ended)
  // Tickets arrive before any response: the connections waiting for this one's session
  // need wait no longer.
  session->turn = HandshakeTurn{};
  Exchange exchange = Session::exchange_of(wait, deadline, sent);
  exchange.reusable = can_take_request();
  co_return exchange;
}

}  // namespace fetch
