#include "fetch/tls/sessions.hpp"

#include <algorithm>
#include <utility>

namespace fetch {

namespace asio = boost::asio;

namespace {

void free_origin(void* /*parent*/, void* origin, CRYPTO_EX_DATA* /*data*/, int /*index*/,
                 long /*argl*/, void* /*argp*/) {
  delete static_cast<OriginKey*>(origin);
}

// Where the SSL_CTX keeps its TlsSessions, and each SSL the origin its sessions belong to.
int context_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}
int origin_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_origin);
  return index;
}

}  // namespace

HandshakeTurn::HandshakeTurn(std::weak_ptr<TlsSessions*> sessions, OriginKey origin)
    : sessions_(std::move(sessions)), origin_(std::move(origin)) {}

HandshakeTurn::HandshakeTurn(HandshakeTurn&& other) noexcept
    : sessions_(std::exchange(other.sessions_, {})), origin_(std::move(other.origin_)) {}

HandshakeTurn& HandshakeTurn::operator=(HandshakeTurn&& other) noexcept {
  if (this != &other) {
    end();
    sessions_ = std::exchange(other.sessions_, {});
    origin_ = std::move(other.origin_);
  }
  return *this;
}

HandshakeTurn::~HandshakeTurn() { end(); }

void HandshakeTurn::end() noexcept {
  if (const auto sessions = std::exchange(sessions_, {}).lock()) {
    (*sessions)->first_turn_ended(origin_);
  }
}

void HandshakeTurn::succeeded(std::chrono::steady_clock::duration took) {
  if (const auto sessions = sessions_.lock()) {
    (*sessions)->first_handshake_succeeded(origin_, took);
  }
}

TlsSessions::TlsSessions(SSL_CTX* context, std::size_t capacity, bool enabled)
    : context_(context),
      capacity_(std::max<std::size_t>(capacity, 1)),
      enabled_(enabled),
      self_(std::make_shared<TlsSessions*>(this)) {
  if (!enabled_) {
    SSL_CTX_set_session_cache_mode(context_, SSL_SESS_CACHE_OFF);
    return;
  }
  // The client side of OpenSSL's cache only announces new sessions; we keep them ourselves,
  // keyed by origin, since OpenSSL never looks a client session up by itself.
  SSL_CTX_set_session_cache_mode(context_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_set_ex_data(context_, context_index(), this);
  SSL_CTX_sess_set_new_cb(context_, &TlsSessions::on_new_session);
}

TlsSessions::~TlsSessions() {
  if (enabled_) {
    // Connections outliving us (being closed) must not report sessions to a dead object.
    SSL_CTX_sess_set_new_cb(context_, nullptr);
    SSL_CTX_set_ex_data(context_, context_index(), nullptr);
  }
  for (auto& [origin, entry] : origins_) {
    SSL_SESSION_free(entry.session);
  }
}

asio::awaitable<HandshakeTurn> TlsSessions::prepare(SSL* ssl, const OriginKey& origin,
                                                    Clock::time_point deadline,
                                                    std::chrono::microseconds round_trip) {
  if (!enabled_) {
    co_return HandshakeTurn{};
  }
  auto found = origins_.find(origin);
  const bool first = found == origins_.end();
  if (first) {
    evict_if_full();
    found = origins_.emplace(origin, Origin{}).first;
    found->second.first_started = Clock::now();
    found->second.busy_at_first_start = busy_time();
  } else if (found->second.state != State::open &&
             // Counted whether it waits or not: each connection beside the first makes
             // waiting worth more to the next.
             worth_waiting(++found->second.joined, round_trip)) {
    // Wait while the first handshake to this origin may still bring a session. The entry is
    // looked up afresh after every wake-up: it may have been forgotten meanwhile.
    while (found != origins_.end() && found->second.state != State::open) {
      Origin& entry = found->second;
      const Clock::time_point now = Clock::now();
      if (entry.state == State::waiting_for_ticket && now >= entry.ticket_deadline) {
        entry.state = State::open;  // no ticket came: full handshakes from now on
        entry.waiters->wake_all();
        break;
      }
      Clock::time_point until = std::min(deadline, entry.ticket_deadline);
      if (entry.state == State::first_in_progress) {
        // The first handshake has waited so long for the network that the server is far
        // (whatever the TCP round trip said): full handshakes at once, for everyone.
        const auto idle = idle_since(entry.first_started, entry.busy_at_first_start);
        if (idle >= kFarIdle) {
          entry.state = State::open;
          entry.waiters->wake_all();
          break;
        }
        // Look again when it could be; at least 1 ms on, since looking costs busy time too.
        const auto later =
            std::max<std::chrono::nanoseconds>(kFarIdle - idle, std::chrono::milliseconds{1});
        until = std::min(until, now + std::chrono::duration_cast<Clock::duration>(later));
      }
      if (now >= until) {
        break;  // our own deadline passed: the handshake reports the timeout
      }
      const std::shared_ptr<WaitList> waiters = entry.waiters;  // outlives a forgotten entry
      co_await waiters->wait_until(until);
      found = origins_.find(origin);
    }
  }

  if (found != origins_.end()) {
    Origin& entry = found->second;
    entry.last_used = ++uses_;
    if (entry.session) {
      // A copy for each connection: OpenSSL 3.0 writes the new resumption secret into the
      // session it resumed, and a connection still handshaking with that same object
      // would then offer the ticket with the wrong key (the server falls back to a full
      // handshake). Measured: 6 to 11 of 14 resumed when shared, 14 of 14 with copies.
      if (SSL_SESSION* copy = SSL_SESSION_dup(entry.session)) {
        SSL_set_session(ssl, copy);  // takes a reference of its own
        SSL_SESSION_free(copy);
      }
    }
  }
  SSL_set_ex_data(ssl, origin_index(), new OriginKey{origin});
  // The first handshake holds the others back until it reports how it went.
  co_return first ? HandshakeTurn{self_, origin} : HandshakeTurn{};
}

bool TlsSessions::worth_waiting(std::size_t joined, std::chrono::microseconds round_trip) {
  // Waiting costs about two round trips: the rest of the first handshake, then the ticket.
  // It saves each of the `joined` connections a full handshake's CPU, all of it spent on our
  // one thread. Loopback and LAN servers are worth it. Through a proxy delaying 10 ms each way,
  // 15 pages took 104 ms with the wait and 67 ms with parallel full handshakes.
  return 2 * round_trip < kCpuSavedPerResumption * static_cast<std::int64_t>(joined);
}

std::size_t TlsSessions::cached() const noexcept {
  return static_cast<std::size_t>(std::count_if(
      origins_.begin(), origins_.end(), [](const auto& item) { return item.second.session; }));
}

int TlsSessions::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self =
      static_cast<TlsSessions*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
  const auto* origin = static_cast<const OriginKey*>(SSL_get_ex_data(ssl, origin_index()));
  if (self && origin && SSL_SESSION_is_resumable(session)) {
    // A copy, not the connection's own session: OpenSSL marks that one unresumable when
    // the connection is freed without a close_notify, as fetch frees broken and evicted ones.
    if (SSL_SESSION* copy = SSL_SESSION_dup(session)) {
      self->store(*origin, copy);
    }
  }
  return 0;  // OpenSSL drops the reference it lent us
}

void TlsSessions::store(const OriginKey& origin, SSL_SESSION* session) {
  auto found = origins_.find(origin);
  if (found == origins_.end()) {
    evict_if_full();
    found = origins_.emplace(origin, Origin{}).first;
  }
  Origin& entry = found->second;
  // The newest session replaces the older: a TLS 1.3 server may send several tickets, and
  // each resumption brings fresh ones.
  SSL_SESSION_free(entry.session);
  entry.session = session;
  entry.last_used = ++uses_;
  if (entry.state != State::open) {
    entry.state = State::open;
    entry.waiters->wake_all();
  }
}

void TlsSessions::first_handshake_succeeded(const OriginKey& origin, Clock::duration took) {
  const auto found = origins_.find(origin);
  if (found == origins_.end() || found->second.state != State::first_in_progress) {
    return;  // the session came during the handshake (TLS 1.2), or the entry was forgotten
  }
  Origin& entry = found->second;
  entry.state = State::waiting_for_ticket;
  entry.ticket_deadline = Clock::now() + std::max<Clock::duration>(took, kMinTicketWait);
  entry.waiters->wake_all();  // waiters wait again, until the new deadline
}

void TlsSessions::first_turn_ended(const OriginKey& origin) {
  const auto found = origins_.find(origin);
  if (found == origins_.end() || found->second.state == State::open) {
    return;
  }
  // No session came: the handshake failed, or the first response arrived without a ticket
  // before it. The others make full handshakes, all at once; after a failure they might
  // well succeed (a flaky network), and they should not queue behind one another.
  found->second.state = State::open;
  found->second.waiters->wake_all();
}

void TlsSessions::evict_if_full() {
  if (origins_.size() < capacity_) {
    return;
  }
  // Forget the least recently used origin that no first handshake is in progress to (its
  // waiters would wait in vain). Linear, but only when a new origin comes along, at the price
  // of a full handshake anyway.
  const Clock::time_point now = Clock::now();
  auto settled = [now](const Origin& entry) {
    return entry.state == State::open ||
           (entry.state == State::waiting_for_ticket && now >= entry.ticket_deadline);
  };
  auto oldest = origins_.end();
  for (auto it = origins_.begin(); it != origins_.end(); ++it) {
    const Origin& entry = it->second;
    if (settled(entry) &&
        (oldest == origins_.end() || entry.last_used < oldest->second.last_used)) {
      oldest = it;
    }
  }
  if (oldest != origins_.end()) {
    SSL_SESSION_free(oldest->second.session);
    origins_.erase(oldest);
  }
}

}  // namespace fetch
