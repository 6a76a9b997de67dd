#pragma once
// Idle keep-alive connections per origin, bounded in total, least recently used evicted.

#include <cstddef>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "fetch/core/origin_key.hpp"
#include "fetch/transport/connection.hpp"

namespace fetch {

class ConnectionPool {
 public:
  explicit ConnectionPool(std::size_t max_idle);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The most recently used idle connection to `origin`, or null.
  std::unique_ptr<Connection> take(const OriginKey& origin);
  // Keeps a connection whose last response ended cleanly for a later request.
  void give_back(std::unique_ptr<Connection> connection);
  // Closes every idle connection.
  void clear();

  std::size_t idle() const noexcept { return lru_.size(); }

 private:
  using Lru = std::list<std::unique_ptr<Connection>>;  // front: most recently used
  void evict_oldest();

  std::size_t max_idle_;
  Lru lru_;
  std::unordered_map<OriginKey, std::vector<Lru::iterator>, OriginKeyHash> by_origin_;
};

}  // namespace fetch
