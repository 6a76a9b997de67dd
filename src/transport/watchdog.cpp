#include "fetch/transport/watchdog.hpp"

namespace fetch {

namespace asio = boost::asio;

struct Watchdog::State {
  explicit State(const asio::any_io_executor& executor) : timer(executor) {}

  asio::steady_timer timer;
  asio::ip::tcp::socket* socket = nullptr;
  bool armed = false;
  bool expired = false;
  // A handler already queued when the timer is re-armed still runs with success: each arming
  // has its own generation, and only the current one may act.
  std::uint64_t generation = 0;
};

Watchdog::Watchdog(const asio::any_io_executor& executor)
    : state_(std::make_shared<State>(executor)) {}

Watchdog::~Watchdog() {
  ++state_->generation;
  state_->socket = nullptr;
  state_->timer.cancel();
}

bool Watchdog::arm(asio::ip::tcp::socket& socket, Clock::time_point when) {
  if (state_->expired) {
    return false;
  }
  state_->socket = &socket;
  if (state_->armed && state_->timer.expiry() == when) {
    return true;  // the same deadline on another socket: the pending wait already covers it
  }
  state_->armed = true;
  const std::uint64_t generation = ++state_->generation;
  state_->timer.expires_at(when);
  state_->timer.async_wait([state = state_, generation](const boost::system::error_code& ec) {
    if (ec || generation != state->generation) {
      return;  // re-armed, disarmed or destroyed meanwhile
    }
    state->expired = true;
    if (state->socket) {
      boost::system::error_code ignored;
      state->socket->close(ignored);
    }
  });
  return true;
}

void Watchdog::release() noexcept { state_->socket = nullptr; }

bool Watchdog::expired() const noexcept { return state_->expired; }

}  // namespace fetch
