#pragma once
// Asynchronous DNS on the io_context's own thread: c-ares, driven by Asio.
//
// Asio's resolver runs getaddrinfo on one private thread per io_context, so lookups are
// serialised and cannot be cancelled: one silent name server would delay every other host.
// c-ares sends the queries itself; Asio tells it when its sockets are ready.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace fetch {

struct DnsSettings {
  std::string servers;  // "ip[:port],..." to use instead of /etc/resolv.conf; empty: system
  int attempt_timeout_ms = 1000;  // first try; c-ares doubles it on each retry
  int tries = 3;
};

// c-ares status codes as error codes ("Domain name not found", "Timeout while contacting
// DNS servers", ...).
const boost::system::error_category& dns_category() noexcept;
// True when a lookup failed because the name has no address (NXDOMAIN, or no A/AAAA
// record), not because asking failed.
bool is_name_not_found(const boost::system::error_code& ec) noexcept;

class DnsDriver {
 public:
  using Callback =
      std::function<void(boost::system::error_code, std::vector<boost::asio::ip::address>)>;

  // Throws std::runtime_error when c-ares cannot start or `settings.servers` is malformed.
  DnsDriver(boost::asio::any_io_executor executor, const DnsSettings& settings);
  ~DnsDriver();  // pending lookups complete with a "channel destroyed" error
  DnsDriver(const DnsDriver&) = delete;
  DnsDriver& operator=(const DnsDriver&) = delete;

  // Looks up the IPv4 and IPv6 addresses of `host` (hosts file first, then DNS). `done` is
  // called exactly once, on the io_context's thread.
  void lookup(const std::string& host, Callback done);

 private:
  struct Socket;
  static void on_socket_state(void* self, int fd, int readable, int writable);
  void watch(int fd, bool readable, bool writable);
  void arm(const std::shared_ptr<Socket>& socket);
  void schedule_timeout();

  boost::asio::any_io_executor executor_;
  void* channel_ = nullptr;  // ares_channel, kept opaque so ares.h stays out of headers
  boost::asio::steady_timer timer_;
  std::unordered_map<int, std::shared_ptr<Socket>> sockets_;
};

}  // namespace fetch
