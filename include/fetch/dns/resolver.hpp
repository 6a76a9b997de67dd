#pragma once
// Host name resolution, cached per host for the run, with concurrent lookups coalesced.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "fetch/dns/cares_driver.hpp"

namespace fetch {

struct Resolution {
  boost::system::error_code error;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
};

// One --resolve entry, as curl takes it: HOST:PORT:ADDRESS[,ADDRESS]..., the addresses used
// for HOST (any host when "*") at PORT instead of asking DNS.
struct ResolveOverride {
  std::string host;  // lower case, or "*"
  std::uint16_t port = 0;
  std::vector<boost::asio::ip::address> addresses;
};

// Parses one --resolve argument ("example.org:443:127.0.0.1", "[::1]:80:::1,[::2]";
// curl's '+' prefix is accepted and changes nothing), or says why it is not one.
std::variant<ResolveOverride, std::string> parse_resolve_override(std::string_view text);

class Resolver {
 public:
  // Throws std::runtime_error when the DNS resolver cannot start (see DnsDriver).
  // `overrides` answer for their host and port before any lookup; the first that matches.
  Resolver(boost::asio::any_io_executor executor, const DnsSettings& settings,
           std::vector<ResolveOverride> overrides = {});
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // The addresses of `host` (a name or an IP literal) with `port`: an override's, or from
  // DNS (the hosts file first). The first caller for a
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
  std::vector<ResolveOverride> overrides_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> cache_;
  DnsDriver dns_;  // after cache_: destroyed first, completing lookups into live entries
};

}  // namespace fetch
