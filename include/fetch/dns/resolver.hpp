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

#include "fetch/dns/cares_driver.hpp"

namespace fetch {

struct Resolution {
  boost::system::error_code error;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
};

class Resolver {
 public:
  // Throws std::runtime_error when the DNS resolver cannot start (see DnsDriver).
  Resolver(boost::asio::any_io_executor executor, const DnsSettings& settings);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // The addresses of `host` (a name or an IP literal) with `port`. The first caller for a
  // host starts the lookup; later callers share it and its cached answer (failures too: a
  // name that did not resolve is not asked for again in this run). Gives up with
  // asio::error::timed_out at `deadline` without cancelling the shared lookup.
  boost::asio::awaitable<Resolution> resolve(std::string host, std::uint16_t port,
                                             std::chrono::steady_clock::time_point deadline);

  // Stops waiting lookups: they complete with operation_aborted.
  void cancel();

 private:
  struct Entry;

  boost::asio::any_io_executor executor_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> cache_;
  DnsDriver dns_;  // after cache_: destroyed first, completing lookups into live entries
};

}  // namespace fetch
