#include "fetch/dns/resolver.hpp"

#include <boost/asio/ip/address.hpp>
#include <cctype>

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

std::variant<ResolveOverride, std::string> parse_resolve_override(std::string_view text) {
  const std::string expected = "expected HOST:PORT:ADDRESS[,ADDRESS]...";
  std::string_view rest = text;
  if (rest.starts_with('+')) rest.remove_prefix(1);  // curl: entries time out; all do here
  ResolveOverride entry;
  std::size_t host_end = rest.find(':');
  std::string_view host = rest.substr(0, host_end);
  if (rest.starts_with('[')) {
    host_end = rest.find("]:");
    if (host_end == std::string_view::npos) return expected;
    host = rest.substr(1, host_end - 1);
    ++host_end;
  }
  if (host_end == std::string_view::npos || host.empty()) return expected;
  for (const char c : host)
    entry.host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  rest.remove_prefix(host_end + 1);
  const std::size_t port_end = rest.find(':');
  if (port_end == std::string_view::npos) return expected;
  unsigned long port = 0;
  for (const char c : rest.substr(0, port_end)) {
    port = c >= '0' && c <= '9' && port <= 65535 ? port * 10 + static_cast<unsigned long>(c - '0')
                                                 : 70000;
  }
  if (port_end == 0 || port == 0 || port > 65535) {
    return "'" + std::string{rest.substr(0, port_end)} + "' is not a port";
  }
  entry.port = static_cast<std::uint16_t>(port);
  rest.remove_prefix(port_end + 1);
  while (!rest.empty() || entry.addresses.empty()) {
    const std::size_t comma = rest.find(',');
    std::string address{rest.substr(0, comma)};
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
      address = address.substr(1, address.size() - 2);
    }
    boost::system::error_code not_an_address;
    entry.addresses.push_back(asio::ip::make_address(address, not_an_address));
    if (not_an_address) return "'" + address + "' is not an IP address";
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
  return entry;
}

Resolver::Resolver(asio::any_io_executor executor, const DnsSettings& settings,
                   std::vector<ResolveOverride> overrides)
    : executor_(std::move(executor)), overrides_(std::move(overrides)), dns_(executor_, settings) {}

Resolver::~Resolver() { cancel(); }

asio::awaitable<Resolution> Resolver::resolve(std::string host, std::uint16_t port,
                                              std::chrono::steady_clock::time_point deadline) {
  boost::system::error_code not_an_address;
  const asio::ip::address address = asio::ip::make_address(host, not_an_address);
  if (!not_an_address) {
    co_return Resolution{{}, {tcp::endpoint{address, port}}};
  }
  for (const ResolveOverride& entry : overrides_) {
    if (entry.port == port && (entry.host == host || entry.host == "*")) {
      Resolution resolution;
      for (const asio::ip::address& override_address : entry.addresses) {
        resolution.endpoints.emplace_back(override_address, port);
      }
      co_return resolution;
    }
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
