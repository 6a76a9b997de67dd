#include "fetch/resolver.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "fetch/error.hpp"

namespace fetch {

namespace asio = boost::asio;
using boost::asio::ip::tcp;

// One host's lookup, shared by every fetch that needs it. Waiters park on their own timer
// (expiring at their own deadline); the lookup cancels those timers when it completes.
struct Resolver::Entry {
  std::string host;
  bool pending = true;
  bool cancelled = false;
  Resolution answer;  // endpoints carry port 0; callers stamp their own port
  std::vector<asio::steady_timer*> waiters;

  void wake_all() {
    for (asio::steady_timer* waiter : waiters) {
      waiter->cancel();
    }
    waiters.clear();
  }
};

namespace {

// Removes a waiter from its entry however the waiting coroutine ends, even when its frame is
// destroyed while suspended.
class WaiterRegistration {
 public:
  WaiterRegistration(std::vector<asio::steady_timer*>& waiters, asio::steady_timer& timer)
      : waiters_(waiters), timer_(timer) {
    waiters_.push_back(&timer_);
  }
  ~WaiterRegistration() { std::erase(waiters_, &timer_); }
  WaiterRegistration(const WaiterRegistration&) = delete;
  WaiterRegistration& operator=(const WaiterRegistration&) = delete;

 private:
  std::vector<asio::steady_timer*>& waiters_;
  asio::steady_timer& timer_;
};

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
      entry->wake_all();
    });
  }
  std::shared_ptr<Entry> entry = slot;  // keeps it alive even if the cache goes away
  if (entry->pending) {
    asio::steady_timer timer{executor_, deadline};
    WaiterRegistration registration{entry->waiters, timer};
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (entry->pending) {
    co_return Resolution{entry->cancelled ? asio::error::operation_aborted
                                          : make_error_code(errc::deadline_exceeded),
                         {}};
  }
  co_return with_port(entry->answer, port);
}

void Resolver::cancel() {
  for (auto& [host, entry] : cache_) {
    if (entry->pending) {
      entry->cancelled = true;
      entry->wake_all();
    }
  }
}

}  // namespace fetch
