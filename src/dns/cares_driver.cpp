#include "fetch/dns/cares_driver.hpp"

#include <ares.h>
#include <netinet/in.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <mutex>
#include <stdexcept>

namespace fetch {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

class DnsCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "dns"; }
  std::string message(int status) const override { return ares_strerror(status); }
};

ares_channel channel_of(void* opaque) { return static_cast<ares_channel>(opaque); }

std::vector<asio::ip::address> addresses_of(const ares_addrinfo* info) {
  std::vector<asio::ip::address> addresses;
  for (const ares_addrinfo_node* node = info ? info->nodes : nullptr; node; node = node->ai_next) {
    if (node->ai_family == AF_INET) {
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
      asio::ip::address_v4::bytes_type bytes;
      std::memcpy(bytes.data(), &v4->sin_addr, bytes.size());
      addresses.emplace_back(asio::ip::address_v4{bytes});
    } else if (node->ai_family == AF_INET6) {
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
      asio::ip::address_v6::bytes_type bytes;
      std::memcpy(bytes.data(), &v6->sin6_addr, bytes.size());
      addresses.emplace_back(asio::ip::address_v6{bytes, v6->sin6_scope_id});
    }
  }
  return addresses;
}

void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* info) {
  std::unique_ptr<DnsDriver::Callback> done{static_cast<DnsDriver::Callback*>(arg)};
  std::vector<asio::ip::address> addresses = addresses_of(info);
  ares_freeaddrinfo(info);
  if (status == ARES_SUCCESS && addresses.empty()) {
    status = ARES_ENODATA;
  }
  (*done)(status == ARES_SUCCESS ? error_code{} : error_code{status, dns_category()},
          std::move(addresses));
}

}  // namespace

const boost::system::error_category& dns_category() noexcept {
  static const DnsCategory category;
  return category;
}

bool is_name_not_found(const error_code& ec) noexcept {
  return ec.category() == dns_category() &&
         (ec.value() == ARES_ENOTFOUND || ec.value() == ARES_ENODATA);
}

// One c-ares socket, watched through a descriptor that never owns it: c-ares closes it.
struct DnsDriver::Socket {
  Socket(const asio::any_io_executor& executor, int fd) : fd(fd), descriptor(executor, fd) {}
  int fd;
  asio::posix::stream_descriptor descriptor;
  bool want_read = false;
  bool want_write = false;
  bool reading = false;
  bool writing = false;
  bool closed = false;  // c-ares is done with it; late completions must not touch the driver
};

DnsDriver::DnsDriver(asio::any_io_executor executor, const DnsSettings& settings)
    : executor_(std::move(executor)), timer_(executor_) {
  static std::once_flag library_initialised;
  std::call_once(library_initialised, [] { ares_library_init(ARES_LIB_INIT_ALL); });

  ares_options options{};
  options.sock_state_cb = [](void* self, ares_socket_t fd, int readable, int writable) {
    on_socket_state(self, fd, readable, writable);
  };
  options.sock_state_cb_data = this;
  options.timeout = settings.attempt_timeout_ms;
  options.tries = settings.tries;
  ares_channel channel = nullptr;
  const int status = ares_init_options(
      &channel, &options, ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (status != ARES_SUCCESS) {
    throw std::runtime_error(std::string{"cannot start the DNS resolver: "} +
                             ares_strerror(status));
  }
  channel_ = channel;
  if (!settings.servers.empty()) {
    const int set = ares_set_servers_ports_csv(channel, settings.servers.c_str());
    if (set != ARES_SUCCESS) {
      ares_destroy(channel);
      throw std::runtime_error("invalid --dns-servers '" + settings.servers +
                               "': " + ares_strerror(set));
    }
  }
}

DnsDriver::~DnsDriver() {
  // Completes every pending lookup with ARES_EDESTRUCTION and reports each socket closed.
  ares_destroy(channel_of(channel_));
  timer_.cancel();
}

void DnsDriver::lookup(const std::string& host, Callback done) {
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  // Ownership passes to on_addrinfo, which c-ares calls exactly once.
  auto* callback = new Callback{std::move(done)};
  ares_getaddrinfo(channel_of(channel_), host.c_str(), nullptr, &hints, on_addrinfo, callback);
  schedule_timeout();
}

void DnsDriver::on_socket_state(void* self, int fd, int readable, int writable) {
  static_cast<DnsDriver*>(self)->watch(fd, readable != 0, writable != 0);
}

void DnsDriver::watch(int fd, bool readable, bool writable) {
  if (!readable && !writable) {
    if (auto found = sockets_.find(fd); found != sockets_.end()) {
      found->second->closed = true;
      found->second->descriptor.release();  // cancels its waits; c-ares closes the fd
      sockets_.erase(found);
    }
    return;
  }
  std::shared_ptr<Socket>& socket = sockets_[fd];
  if (!socket) {
    socket = std::make_shared<Socket>(executor_, fd);
  }
  socket->want_read = readable;
  socket->want_write = writable;
  arm(socket);
}

void DnsDriver::arm(const std::shared_ptr<Socket>& socket) {
  if (socket->want_read && !socket->reading) {
    socket->reading = true;
    socket->descriptor.async_wait(
        asio::posix::descriptor_base::wait_read, [this, socket](const error_code& ec) {
          socket->reading = false;
          if (ec || socket->closed) {
            return;
          }
          ares_process_fd(channel_of(channel_), socket->fd, ARES_SOCKET_BAD);
          if (!socket->closed) {
            arm(socket);
          }
          schedule_timeout();
        });
  }
  if (socket->want_write && !socket->writing) {
    socket->writing = true;
    socket->descriptor.async_wait(
        asio::posix::descriptor_base::wait_write, [this, socket](const error_code& ec) {
          socket->writing = false;
          if (ec || socket->closed) {
            return;
          }
          ares_process_fd(channel_of(channel_), ARES_SOCKET_BAD, socket->fd);
          if (!socket->closed) {
            arm(socket);
          }
          schedule_timeout();
        });
  }
}

void DnsDriver::schedule_timeout() {
  timeval next{};
  if (ares_timeout(channel_of(channel_), nullptr, &next) == nullptr) {
    timer_.cancel();  // nothing pending
    return;
  }
  timer_.expires_after(std::chrono::seconds{next.tv_sec} + std::chrono::microseconds{next.tv_usec});
  timer_.async_wait([this](const error_code& ec) {
    if (ec) {
      return;  // re-armed or cancelled
    }
    // Retries and gives up on queries whose server stayed silent.
    ares_process_fd(channel_of(channel_), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    schedule_timeout();
  });
}

}  // namespace fetch
