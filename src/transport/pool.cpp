#include "fetch/transport/pool.hpp"

#include <algorithm>

namespace fetch {

ConnectionPool::ConnectionPool(std::size_t max_idle)
    : max_idle_(std::max<std::size_t>(max_idle, 1)) {}

ConnectionPool::~ConnectionPool() { clear(); }

std::shared_ptr<Connection> ConnectionPool::take(const OriginKey& origin, bool multiplexed) {
  auto found = by_origin_.find(origin);
  if (found == by_origin_.end()) {
    return nullptr;
  }
  std::vector<Lru::iterator>& positions = found->second;
  // The most recently returned connection is the least likely to have been closed by the
  // server's keep-alive timeout: newest last.
  for (std::size_t index = positions.size(); index-- > 0;) {
    const Lru::iterator position = positions[index];
    Connection& connection = **position;
    if (connection.protocol() == Protocol::http1) {
      std::shared_ptr<Connection> taken = std::move(*position);
      erase(positions, index);
      if (positions.empty()) by_origin_.erase(found);
      return taken;
    }
    if (!multiplexed) continue;
    if (connection.can_take_request()) {
      lru_.splice(lru_.begin(), lru_, position);  // iterators stay valid
      return *position;
    }
    if (connection.idle()) {  // finished: no stream will ever start on it again
      connection.close();
      erase(positions, index);
    }
  }
  if (positions.empty()) by_origin_.erase(found);
  return nullptr;
}

void ConnectionPool::give_back(std::shared_ptr<Connection> connection) {
  if (lru_.size() >= max_idle_) {
    evict_oldest_idle();
  }
  const OriginKey& origin = connection->origin();
  lru_.push_front(std::move(connection));
  by_origin_[origin].push_back(lru_.begin());
}

void ConnectionPool::erase(std::vector<Lru::iterator>& positions, std::size_t index) {
  lru_.erase(positions[index]);
  positions.erase(positions.begin() + static_cast<std::ptrdiff_t>(index));
}

void ConnectionPool::evict_oldest_idle() {
  // HTTP/2 connections carrying streams are skipped: closing one would fail its requests.
  for (auto oldest = lru_.end(); oldest != lru_.begin();) {
    --oldest;
    if (!(*oldest)->idle()) continue;
    auto found = by_origin_.find((*oldest)->origin());
    std::vector<Lru::iterator>& positions = found->second;
    (*oldest)->close();
    erase(positions,
          static_cast<std::size_t>(std::find(positions.begin(), positions.end(), oldest) -
                                   positions.begin()));
    if (positions.empty()) {
      by_origin_.erase(found);
    }
    return;
  }
}

void ConnectionPool::clear() {
  for (auto& connection : lru_) {
    connection->close();
  }
  lru_.clear();
  by_origin_.clear();
}

}  // namespace fetch
