#include "fetch/transport/pool.hpp"

#include <algorithm>

namespace fetch {

ConnectionPool::ConnectionPool(std::size_t max_idle)
    : max_idle_(std::max<std::size_t>(max_idle, 1)) {}

ConnectionPool::~ConnectionPool() { clear(); }

std::unique_ptr<Connection> ConnectionPool::take(const OriginKey& origin) {
  auto found = by_origin_.find(origin);
  if (found == by_origin_.end() || found->second.empty()) {
    return nullptr;
  }
  // The most recently returned connection is the least likely to have been closed by the
  // server's keep-alive timeout.
  Lru::iterator position = found->second.back();
  found->second.pop_back();
  std::unique_ptr<Connection> connection = std::move(*position);
  lru_.erase(position);
  return connection;
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  if (lru_.size() >= max_idle_) {
    evict_oldest();
  }
  const OriginKey& origin = connection->origin();
  lru_.push_front(std::move(connection));
  by_origin_[origin].push_back(lru_.begin());
}

void ConnectionPool::evict_oldest() {
  Lru::iterator oldest = std::prev(lru_.end());
  auto found = by_origin_.find((*oldest)->origin());
  std::vector<Lru::iterator>& positions = found->second;
  // Within an origin, older connections sit at the front of its vector.
  positions.erase(std::find(positions.begin(), positions.end(), oldest));
  if (positions.empty()) {
    by_origin_.erase(found);
  }
  (*oldest)->close();
  lru_.erase(oldest);
}

void ConnectionPool::clear() {
  for (auto& connection : lru_) {
    connection->close();
  }
  lru_.clear();
  by_origin_.clear();
}

}  // namespace fetch
