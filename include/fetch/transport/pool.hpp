#pragma once
// The connections a request may ride without opening one: idle HTTP/1.1 connections, each
// for one request at a time, and HTTP/2 connections, shared by every request to their
// origin while they have streams to spare. Bounded in total; the least recently used idle
// connection is closed first, and a connection carrying requests never is.

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

  // A connection for a request to `origin`, or null: the most recently used HTTP/1.1 one
  // (which leaves the pool), or else an HTTP/2 one that can take another stream (which
  // stays, shared) unless `multiplexed` is false. HTTP/2 connections found finished on the
  // way (GOAWAY, or failed, with no stream left) are closed and dropped.
  std::shared_ptr<Connection> take(const OriginKey& origin, bool multiplexed = true);
  // Keeps a connection for later requests: an HTTP/1.1 one whose last response ended
  // cleanly, or an HTTP/2 one as it opens (once; it stays while it lives).
  void give_back(std::shared_ptr<Connection> connection);
  // Closes every connection.
  void clear();

  std::size_t idle() const noexcept { return lru_.size(); }  // connections kept

 private:
  using Lru = std::list<std::shared_ptr<Connection>>;  // front: most recently used
  void evict_oldest_idle();
  void erase(std::vector<Lru::iterator>& positions, std::size_t index);

  std::size_t max_idle_;
  Lru lru_;
  std::unordered_map<OriginKey, std::vector<Lru::iterator>, OriginKeyHash> by_origin_;
};

}  // namespace fetch
