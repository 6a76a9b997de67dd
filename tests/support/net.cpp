#include "support/net.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

namespace fetch::test {
namespace {

// A socket descriptor closed on scope exit.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// Fills `storage` with host:port; false when host is not a numeric address.
bool make_address(const std::string& host, std::uint16_t port, sockaddr_storage& storage,
                  socklen_t& length) {
  storage = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

// A connected socket, or -1.
int connect_to(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  sockaddr_storage address;
  socklen_t length = 0;
  if (!make_address(host, port, address, length)) return -1;
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::uint16_t free_port() {
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  }
  socklen_t length = sizeof address;
  ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

bool can_connect(const std::string& host, std::uint16_t port) {
  Socket socket(connect_to(host, port, 1s));
  if (socket.get() < 0) return false;
  // A TCP self-connect: with nothing listening yet, the kernel may pick `port` itself, which
  // free_port() took from the ephemeral range, as our local port, and the SYN meets itself.
  // That is no listener, and it blocks the server's bind() while it lasts.
  sockaddr_storage local{};
  sockaddr_storage peer{};
  socklen_t local_length = sizeof local;
  socklen_t peer_length = sizeof peer;
  ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&local), &local_length);
  ::getpeername(socket.get(), reinterpret_cast<sockaddr*>(&peer), &peer_length);
  return !(local_length == peer_length && std::memcmp(&local, &peer, local_length) == 0);
}

bool listens_on(int pid, std::uint16_t port) {
  // Lines of /proc/net/tcp: "sl local_address rem_address st ... uid timeout inode ...",
  // addresses as HEX_IP:HEX_PORT, state 0A for LISTEN.
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      const std::size_t colon = local.rfind(':');
      if (state != "0A" || colon == std::string::npos) continue;
      if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) == port) inodes.insert(inode);
    }
  }
  std::error_code ec;
  const std::filesystem::path fds = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& entry : std::filesystem::directory_iterator(fds, ec)) {
    const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
    if (target.starts_with("socket:[") && target.size() > 9 &&
        inodes.count(target.substr(8, target.size() - 9)) > 0) {
      return true;
    }
  }
  return false;
}

std::optional<RawReply> http_get(const std::string& host, std::uint16_t port, std::string_view path,
                                 std::chrono::milliseconds timeout) {
  Socket socket(connect_to(host, port, timeout));
  if (socket.get() < 0) return std::nullopt;

  const bool v6 = host.find(':') != std::string::npos;
  std::string request =
      "GET " + std::string(path) + " HTTP/1.1\r\nHost: " + (v6 ? "[" + host + "]" : host) + ":" +
      std::to_string(port) + "\r\nConnection: close\r\nUser-Agent: fetch-test-support\r\n\r\n";
  std::string_view rest = request;
  while (!rest.empty()) {
    const ssize_t n = ::send(socket.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n <= 0) return std::nullopt;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }

  std::string reply;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::recv(socket.get(), buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0) return std::nullopt;  // includes the SO_RCVTIMEO timeout
    reply.append(buffer, static_cast<std::size_t>(n));
  }

  RawReply result;
  const std::size_t end_of_head = reply.find("\r\n\r\n");
  if (end_of_head == std::string::npos) {
    result.head = reply;
  } else {
    result.head = reply.substr(0, end_of_head);
    result.body = reply.substr(end_of_head + 4);
  }
  if (result.head.starts_with("HTTP/1.") && result.head.size() >= 12) {
    result.status = std::atoi(result.head.substr(9, 3).c_str());
  }
  return result;
}

std::optional<std::string> header_value(std::string_view head, std::string_view name) {
  std::size_t start = head.find("\r\n");
  while (start != std::string_view::npos) {
    start += 2;
    const std::size_t end = head.find("\r\n", start);
    const std::string_view line =
        head.substr(start, end == std::string_view::npos ? end : end - start);
    const std::size_t colon = line.find(':');
    if (colon == name.size() && ::strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    start = end;
  }
  return std::nullopt;
}

RawClient::RawClient(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout)
    : fd_(connect_to(host, port, timeout)) {
  if (fd_ < 0) {
    throw std::system_error(errno, std::generic_category(),
                            "connect " + host + ":" + std::to_string(port));
  }
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawClient::receive() {
  char buffer[65536];
  const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n <= 0) {
    last_error_ = n == 0 ? 0 : (errno == EWOULDBLOCK ? EAGAIN : errno);
    return false;
  }
  buffer_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> RawClient::read_until(std::string_view delimiter) {
  std::size_t at = buffer_.find(delimiter);
  while (at == std::string::npos) {
    const std::size_t searched =
        buffer_.size() < delimiter.size() ? 0 : buffer_.size() - delimiter.size();
    if (!receive()) return std::nullopt;
    at = buffer_.find(delimiter, searched);
  }
  std::string head = buffer_.substr(0, at + delimiter.size());
  buffer_.erase(0, at + delimiter.size());
  return head;
}

std::optional<std::string> RawClient::read_to_end() {
  while (receive()) {
  }
  if (last_error_ != 0) return std::nullopt;
  return std::exchange(buffer_, {});
}

SilentListener::SilentListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 512) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "bind/listen 127.0.0.1:0");
  }
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
}

SilentListener::~SilentListener() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace fetch::test
