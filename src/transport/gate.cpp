#include "fetch/transport/gate.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "fetch/transport/pool.hpp"

namespace fetch {

namespace asio = boost::asio;
using Clock = ConnectionGate::Clock;

namespace {

// A request queued for a connection to its origin.
struct Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}

  asio::steady_timer timer;
  std::shared_ptr<Connection> handed;  // set, with its lease, by give_back() or opened()
  ConnectionGate::Lease lease;
  bool queued = true;
  bool woken = false;  // told to look again, and not yet back to waiting
};

}  // namespace

// What the gate knows of an origin beyond the life of its entry.
struct Learned {
  std::optional<Protocol> protocol;  // what its latest connection spoke
  bool http1_only = false;           // it answered HTTP_1_1_REQUIRED
};

struct ConnectionGate::Origins {
  std::unordered_map<OriginKey, std::shared_ptr<Origin>, OriginKeyHash> by_key;
  std::unordered_map<OriginKey, Learned, OriginKeyHash> learned;

  Learned& learn(const OriginKey& key) {
    // Bounded crudely: forgetting costs one pipe-wait per origin, not correctness.
    if (learned.size() >= ConnectionGate::kLearnedOrigins && !learned.contains(key)) {
      learned.clear();
    }
    return learned[key];
  }
  const Learned* known(const OriginKey& key) const {
    const auto found = learned.find(key);
    return found == learned.end() ? nullptr : &found->second;
  }
};

struct ConnectionGate::Origin {
  OriginKey key;
  std::weak_ptr<Origins> registry;  // to leave it once nothing refers to the origin
  std::size_t in_use = 0;           // leases
  std::optional<std::chrono::microseconds> round_trip;  // of the latest TCP connect
  std::optional<std::chrono::nanoseconds> first_idle;   // its first TLS handshake's wait
  std::optional<Clock::duration> open_took;             // the latest connection ready
  Clock::time_point progress{};  // the latest connection handed over or ready
  std::deque<Waiter*> queue;     // first come, first served
  bool deciding = false;         // a handshake under way will tell the protocol (pipe-wait)
  std::size_t opening = 0;       // leases whose connection is being opened
  // When the origin's first opening began, and our busy time then: until a connection to it
  // opens, how long that one has waited for the network tells a far server.
  std::optional<std::pair<Clock::time_point, std::chrono::nanoseconds>> first_opening;

  // Known to be far: by its TCP connects' round trip, or its first TLS handshake's wait.
  bool known_far() const noexcept {
    return (round_trip && *round_trip >= ConnectionGate::kNearRoundTrip) ||
           (first_idle && *first_idle >= kFarIdle);
  }
  // Known to be near: both measured, neither far.
  bool known_near() const noexcept { return round_trip && first_idle && !known_far(); }

  // One of its connections opened, or will not: a request waiting for a place among the
  // openings may take it.
  void opening_done() {
    --opening;
    wake_first();
  }

  // Wakes the first queued request that is not already looking again at the origin: a
  // second place coming free in the same turn of the event loop is for the second request.
  void wake_first() {
    const auto sleeping = std::find_if(queue.begin(), queue.end(),
                                       [](const Waiter* waiter) { return !waiter->woken; });
    if (sleeping != queue.end()) {
      (*sleeping)->woken = true;
      (*sleeping)->timer.cancel();
    }
  }
  // Wakes every queued request that waits: the origin's protocol became known, or nobody is
  // finding it out any more.
  void wake_all() {
    for (Waiter* waiter : queue) {
      waiter->woken = true;
      waiter->timer.cancel();
    }
  }
  // Forgets the origin once no connection to it is in use and no request waits for one:
  // a run over a million origins must not keep a million entries.
  void leave_if_unused() {
    if (in_use > 0 || !queue.empty()) return;
    if (const auto origins = registry.lock()) {
      const auto found = origins->by_key.find(key);
      if (found != origins->by_key.end() && found->second.get() == this) {
        origins->by_key.erase(found);  // `this` lives on in the caller's shared_ptr
      }
    }
  }
};

namespace {

// Lists a waiter in its origin's queue for as long as its request waits, however the wait ends.
class Queued {
 public:
  Queued(ConnectionGate::Origin& origin, Waiter& waiter) : origin_(origin), waiter_(waiter) {
    origin_.queue.push_back(&waiter_);
  }
  ~Queued() {
    if (waiter_.queued) {
      std::erase(origin_.queue, &waiter_);
    }
  }
  Queued(const Queued&) = delete;
  Queued& operator=(const Queued&) = delete;

 private:
  ConnectionGate::Origin& origin_;
  Waiter& waiter_;
};

// When a request that pipe-waits should give up on the other handshake, or nothing when
// it should not wait for one: no handshake is telling the origin's protocol, or it is known
// to be HTTP/1.1.
std::optional<Clock::time_point> pipe_wait_until(const ConnectionGate::Origin& origin,
                                                 const Learned* learned,
                                                 std::chrono::milliseconds min_patience,
                                                 Clock::time_point started) {
  using Gate = ConnectionGate;
  if (!origin.deciding ||
      (learned != nullptr && (learned->protocol == Protocol::http1 || learned->http1_only))) {
    return std::nullopt;
  }
  // How long a handshake of its own would take: what opening one took last, else three
  // round trips of a far kernel round trip (a TCP terminator in the path, such as a proxy or
  // a sidecar, makes the round trip look near, never far).
  Clock::duration own_handshake{};
  if (origin.open_took) {
    own_handshake = *origin.open_took;
  } else if (origin.round_trip && *origin.round_trip >= Gate::kNearRoundTrip) {
    own_handshake = Gate::kPipeWaitRoundTrips * *origin.round_trip;
  } else {
    // Near by the kernel's word only, and nothing measured yet: the answer is worth waiting
    // for, as curl's PIPEWAIT waits (the connect deadline bounds it). A near server answers
    // in a millisecond or two; behind a terminator, fifty handshakes over a WAN were slower
    // than one (measured: 50 connections for 1 000 URLs at a 40 ms round trip).
    return Clock::time_point::max();
  }
  return started + std::max<Clock::duration>(own_handshake, min_patience);
}

// While kConnectionsPerNearOrigin connections to an origin not known to be far are being
// opened, when a request that would open another should look again; nothing when it may.
std::optional<Clock::time_point> openings_full_until(const ConnectionGate::Origin& origin,
                                                     Clock::time_point now) {
  using Gate = ConnectionGate;
  if (origin.opening < Gate::kConnectionsPerNearOrigin || origin.known_far()) {
    return std::nullopt;
  }
  if (!origin.open_took && origin.first_opening) {
    // Nothing opened yet: a first opening that waits on the network this long is far away.
    // It cannot have waited longer than it has taken: until then, no need to ask the kernel
    // for our busy time (a file read; dozens of requests may be asking).
    const Clock::time_point earliest = origin.first_opening->first + Gate::kFarOpeningIdle;
    if (now < earliest) return earliest;
    const std::chrono::nanoseconds idle =
        idle_since(origin.first_opening->first, origin.first_opening->second);
    if (idle >= Gate::kFarOpeningIdle) return std::nullopt;
    // Idle time grows only while this thread sleeps: looking again sooner than this would
    // keep it from ever growing.
    constexpr std::chrono::milliseconds kLookAgain{1};
    return now + std::max<Clock::duration>(Gate::kFarOpeningIdle - idle, kLookAgain);
  }
  return Clock::time_point::max();  // until one opens or fails: either wakes the queue
}

// When a request that would open a connection should look again, or nothing when it should
// open one now.
std::optional<Clock::time_point> keep_waiting_until(const ConnectionGate::Origin& origin,
                                                    std::chrono::milliseconds min_patience,
                                                    std::size_t max_per_origin,
                                                    Clock::time_point now) {
  using Gate = ConnectionGate;
  if (max_per_origin > 0 && origin.in_use >= max_per_origin) {
    return Clock::time_point::max();  // at the cap: until a connection comes free or closes
  }
  if (const std::optional<Clock::time_point> until = openings_full_until(origin, now)) {
    return until;
  }
  if (!origin.known_near() || origin.in_use < Gate::kConnectionsPerNearOrigin) {
    return std::nullopt;  // not known to be near, or not crowded
  }
  // Patience: no longer without a connection coming free than opening one takes.
  const Clock::time_point until =
      origin.progress + std::max<Clock::duration>(*origin.open_took, min_patience);
  return now < until ? std::optional{until} : std::nullopt;
}

}  // namespace

ConnectionGate::Lease::Lease(std::shared_ptr<Origin> origin, bool opening)
    : origin_(std::move(origin)), opening_(opening) {
  ++origin_->in_use;
  if (!opening_) return;
  ++origin_->opening;
  if (!origin_->open_took && !origin_->first_opening) {
    origin_->first_opening.emplace(Clock::now(), busy_time());
  }
}

ConnectionGate::Lease& ConnectionGate::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    end();
    origin_ = std::move(other.origin_);
    decides_ = std::exchange(other.decides_, false);
    opening_ = std::exchange(other.opening_, false);
  }
  return *this;
}

ConnectionGate::Lease::~Lease() { end(); }

void ConnectionGate::Lease::done_opening() noexcept {
  if (origin_ && std::exchange(opening_, false)) origin_->opening_done();
}

void ConnectionGate::Lease::end() noexcept {
  done_opening();
  const std::shared_ptr<Origin> origin = std::exchange(origin_, nullptr);
  if (!origin) return;
  --origin->in_use;
  if (std::exchange(decides_, false)) {
    // Its handshake failed: nobody finds the protocol out now; the waiters look again.
    origin->deciding = false;
    origin->wake_all();
  }
  // A connection closed, or failed to open, instead of coming back: one queued request may
  // open another.
  origin->wake_first();
  origin->leave_if_unused();
}

void ConnectionGate::Lease::connected(std::chrono::microseconds round_trip) {
  if (!origin_) return;
  const bool was_far = origin_->known_far();
  origin_->round_trip = round_trip;
  if (!was_far && origin_->known_far()) origin_->wake_all();  // nobody waits for openings now
}

void ConnectionGate::Lease::opened(Clock::duration took, std::chrono::nanoseconds handshake_idle) {
  if (!origin_) return;
  if (!origin_->first_idle) origin_->first_idle = handshake_idle;
  origin_->open_took = took;
  origin_->progress = Clock::now();
  done_opening();
}

ConnectionGate::ConnectionGate(ConnectionPool& pool, std::chrono::milliseconds min_patience,
                               std::size_t max_per_origin, bool http2)
    : pool_(pool),
      min_patience_(min_patience),
      max_per_origin_(max_per_origin),
      http2_(http2),
      origins_(std::make_shared<Origins>()) {}

ConnectionGate::~ConnectionGate() = default;

std::shared_ptr<ConnectionGate::Origin> ConnectionGate::origin(const OriginKey& key) {
  auto [found, inserted] = origins_->by_key.try_emplace(key);
  if (inserted) {
    found->second = std::make_shared<Origin>();
    found->second->key = key;
    found->second->registry = origins_;
  }
  return found->second;
}

std::shared_ptr<Connection> ConnectionGate::take_idle(const OriginKey& key) {
  const Learned* learned = origins_->known(key);
  return pool_.take(key, learned == nullptr || !learned->http1_only);
}

asio::awaitable<ConnectionGate::Acquired> ConnectionGate::acquire(OriginKey key,
                                                                  Clock::time_point deadline) {
  if (std::shared_ptr<Connection> idle = take_idle(key)) {
    if (idle->protocol() == Protocol::http2) {
      co_return Acquired{std::move(idle), Lease{}};
    }
    co_return Acquired{std::move(idle), Lease{origin(key), false}};
  }
  co_return co_await wait_in_turn(origin(key), deadline, Turn::open);
}

asio::awaitable<ConnectionGate::Acquired> ConnectionGate::reconsider(Lease lease,
                                                                     Clock::time_point deadline) {
  if (!lease.origin_) {
    co_return Acquired{};
  }
  // An HTTP/2 connection may have opened meanwhile: this one is not needed.
  if (std::shared_ptr<Connection> shared = take_idle(lease.origin_->key);
      shared && shared->protocol() == Protocol::http2) {
    lease = Lease{};
    co_return Acquired{std::move(shared), Lease{}};
  }
  // The connection gives its place up and asks again, like a request of its own, and gets a
  // lease back unless an ALPN answer is awaited or the origin is at its cap. It stays among
  // the origin's openings meanwhile (unless a connection is handed over instead).
  std::shared_ptr<Origin> entry = std::exchange(lease.origin_, nullptr);
  const bool opening = std::exchange(lease.opening_, false);
  --entry->in_use;
  Acquired acquired = co_await wait_in_turn(entry, deadline, Turn::handshake);
  if (opening && acquired.connection) {
    entry->opening_done();
  } else if (opening) {
    acquired.lease.opening_ = true;
  }
  const Learned* learned = origins_->known(entry->key);
  const bool may_be_http2 =
      http2_ &&
      (learned == nullptr || (!learned->http1_only && learned->protocol != Protocol::http1));
  if (!acquired.connection && !entry->deciding && may_be_http2) {
    // Nobody is finding out whether an HTTP/2 connection comes: this handshake will.
    acquired.lease.decides_ = true;
    entry->deciding = true;
  }
  co_return acquired;
}

asio::awaitable<ConnectionGate::Acquired> ConnectionGate::wait_in_turn(
    std::shared_ptr<Origin> entry, Clock::time_point deadline, Turn turn) {
  const Clock::time_point started = Clock::now();
  const auto waiting_until = [&](Clock::time_point now) -> std::optional<Clock::time_point> {
    if (turn == Turn::open) return keep_waiting_until(*entry, min_patience_, max_per_origin_, now);
    std::optional<Clock::time_point> until =
        pipe_wait_until(*entry, origins_->known(entry->key), min_patience_, started);
    if (until && *until > now) return until;
    if (max_per_origin_ > 0 && entry->in_use >= max_per_origin_) return Clock::time_point::max();
    return std::nullopt;
  };
  std::optional<Clock::time_point> until = waiting_until(started);
  if (until && Clock::now() < deadline) {
    Waiter waiter{co_await asio::this_coro::executor};
    const Queued queued{*entry, waiter};
    do {
      waiter.woken = false;
      waiter.timer.expires_at(std::min(*until, deadline));
      co_await waiter.timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (waiter.handed) {
        co_return Acquired{std::move(waiter.handed), std::move(waiter.lease)};
      }
      until = waiting_until(Clock::now());
    } while (until && Clock::now() < deadline);
  }
  // A lease to open a connection; before a handshake, reconsider() marks it as opening.
  co_return Acquired{nullptr, Lease{std::move(entry), turn == Turn::open}};
}

void ConnectionGate::opened(const std::shared_ptr<Connection>& connection, Lease& lease) {
  const std::shared_ptr<Origin> entry = lease.origin_;
  if (!entry) return;
  origins_->learn(entry->key).protocol = connection->protocol();
  if (std::exchange(lease.decides_, false)) entry->deciding = false;
  if (connection->protocol() == Protocol::http1) {
    entry->wake_all();  // those waiting for the protocol go on; the others look again
    return;
  }
  // Shared from now on: every request queued for the origin rides it, without a lease.
  pool_.give_back(connection);
  entry->progress = Clock::now();
  while (!entry->queue.empty()) {
    Waiter* waiter = entry->queue.front();
    entry->queue.pop_front();
    waiter->queued = false;
    waiter->handed = connection;
    waiter->timer.cancel();
  }
  lease = Lease{};
}

void ConnectionGate::require_http1(const OriginKey& origin) {
  origins_->learn(origin).http1_only = true;
}

bool ConnectionGate::offers_http2(const OriginKey& origin) const {
  if (!http2_) return false;
  const Learned* learned = origins_->known(origin);
  return learned == nullptr || !learned->http1_only;
}

void ConnectionGate::give_back(std::shared_ptr<Connection> connection, Lease lease) {
  const std::shared_ptr<Origin> entry = lease.origin_;
  if (entry) {
    // Progress, whether anyone waits or not: a request that queues next must measure its
    // patience from here, not from the last time one waited.
    entry->progress = Clock::now();
  }
  if (entry && !entry->queue.empty()) {
    Waiter* waiter = entry->queue.front();
    entry->queue.pop_front();
    waiter->queued = false;
    waiter->handed = std::move(connection);
    waiter->lease = std::move(lease);  // still in use: nobody else may open in its place
    waiter->timer.cancel();
    if (std::exchange(waiter->woken, true)) {
      entry->wake_first();  // it had been woken for a place coming free: pass that on
    }
    return;
  }
  pool_.give_back(std::move(connection));
}

std::size_t ConnectionGate::origins() const noexcept { return origins_->by_key.size(); }

}  // namespace fetch
