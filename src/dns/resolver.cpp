#include "fetch/dns/resolver.hpp"

#include <boost/asio/ip/address.hpp>

#include "fetch/core/wait_list.hpp"

namespace fetch {

namespace asio = boost::asio;
using boost::asio::ip::tcp;

// One host's lookup, shared by every fetch that needs it. Waiters park until their own
// deadline; the lookup wakes them when it completes.
struct Resolver::Entry {
  std::string host;
  bool pending = true;
  bool cancelled = false;
  Resolution answer;  // endpoints carry port 0; callers stamp their own port
  WaitList waiters;
};

namespace {

Resolution with_port(const Resolution& answer, std::uint16_t port) {
  Resolution resolution{answer.error, answer.endpoints};
  for (tcp::endpoint& endpoint : resolution.endpoints) {
    endpoint.port(port);
  }
  return resolution;
}

}  // namespace

Resolver::Resolver(asio::any_io_executor executor, const DnsSettings& settings)
    : executor_(std::move(executor)), dns_(executor_, settings) {}

Resolver::~Resolver() { cancel(); }

asio::awaitable<Resolution> Resolver::resolve(std::string host, std::uint16_t port,
                                              std::chrono::steady_clock::time_point deadline) {
  boost::system::error_code not_an_address;
  const asio::ip::address address = asio::ip::make_address(host, not_an_address);
  if (!not_an_address) {
    co_return Resolution{{}, {tcp::endpoint{address, port}}};
  }

  std::shared_ptr<Entry>& slot = cache_[host];
  if (!slot) {
    slot = std::make_shared<Entry>();
    slot->host = host;
    // The callback holds the entry, not the resolver: it may run during ~DnsDriver.
    dns_.lookup(host, [entry = slot](boost::system::error_code ec,
                                     std::vector<asio::ip::address> addresses) {
      entry->answer.error = ec;
      for (const asio::ip::address& address : addresses) {
        entry->answer.endpoints.emplace_back(address, 0);
      }
      entry->pending = false;
      entry->waiters.wake_all();
    });
  }
  std::shared_ptr<Entry> entry = slot;  // keeps it alive even if the cache goes away
  if (entry->pending) {
    co_await entry->waiters.wait_until(deadline);
  }
  if (entry->pending) {
    co_return Resolution{entry->cancelled ? asio::error::operation_aborted : asio::error::timed_out,
                         {}};
  }
  co_return with_port(entry->answer, port);
}

void Resolver::cancel() {
  for (auto& [host, entry] : cache_) {
    if (entry->pending) {
      entry->cancelled = true;
      entry->waiters.wake_all();
    }
  }
}

}  // namespace fetch
