#pragma once
// Host name resolution, cached per host for the run, with concurrent lookups coalesced.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace fetch {

struct Resolution {
  boost::system::error_code error;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
};

class Resolver {
 public:
  explicit Resolver(boost::asio::any_io_executor executor);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // The addresses of `host` (a name or an IP literal) with `port`. The first caller for a
  // host starts the lookup; later callers share it and its cached answer. Gives up with
  // errc::deadline_exceeded at `deadline` without cancelling the shared lookup.
  boost::asio::awaitable<Resolution> resolve(std::string host, std::uint16_t port,
                                             std::chrono::steady_clock::time_point deadline);

  // Stops waiting lookups: they complete with operation_aborted.
  void cancel();

 private:
  struct Entry;
  static boost::asio::awaitable<void> lookup(boost::asio::any_io_executor executor,
                                            std::shared_ptr<Entry> entry);

  boost::asio::any_io_executor executor_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> cache_;
};

}  // namespace fetch
