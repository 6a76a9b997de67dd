#include "fetch/transport/watchdog.hpp"

namespace fetch {

namespace asio = boost::asio;

struct Watchdog::State {
  explicit State(const asio::any_io_executor& executor) : timer(executor) {}

  asio::steady_timer timer;
  Stop stop = nullptr;
  void* context = nullptr;
  bool armed = false;
  bool expired = false;
  // A handler already queued when the timer is re-armed still runs with success: each arming
  // has its own generation, and only the current one may act.
  std::uint64_t generation = 0;
};

namespace {

void close_socket(void* socket) noexcept {
  boost::system::error_code ignored;
  static_cast<asio::ip::tcp::socket*>(socket)->close(ignored);
}

}  // namespace

Watchdog::Watchdog(const asio::any_io_executor& executor)
    : state_(std::make_shared<State>(executor)) {}

Watchdog::~Watchdog() {
  ++state_->generation;
  state_->stop = nullptr;
  state_->timer.cancel();
}

bool Watchdog::arm(Clock::time_point when, Stop stop, void* context) {
  if (state_->expired) {
    return false;
  }
  state_->stop = stop;
  state_->context = context;
  if (state_->armed && state_->timer.expiry() == when) {
    return true;  // the same deadline, another action: the pending wait already covers it
  }
  state_->armed = true;
  const std::uint64_t generation = ++state_->generation;
  state_->timer.expires_at(when);
  state_->timer.async_wait([state = state_, generation](const boost::system::error_code& ec) {
    if (ec || generation != state->generation) {
      return;  // re-armed, disarmed or destroyed meanwhile
    }
    state->expired = true;
    if (state->stop) {
      state->stop(state->context);
    }
  });
  return true;
}

bool Watchdog::arm(asio::ip::tcp::socket& socket, Clock::time_point when) {
  return arm(when, &close_socket, &socket);
}

void Watchdog::release() noexcept { state_->stop = nullptr; }

bool Watchdog::expired() const noexcept { return state_->expired; }

}  // namespace fetch
