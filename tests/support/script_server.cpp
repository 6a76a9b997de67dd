#include "support/script_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "support/process.hpp"

namespace fetch::test {
namespace {

constexpr std::chrono::milliseconds kPortTimeout{5000};

// Reads the first line the server prints, within the timeout; empty on failure.
std::string read_first_line(int fd) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + kPortTimeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return {};
    char buffer[64];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return {};
    line.append(buffer, static_cast<std::size_t>(n));
  }
  return line.substr(0, line.find('\n'));
}

}  // namespace

ScriptServer start_script_server(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  ScriptServer server;
  try {
    server.pid = spawn_server(argv, fds[1], -1);
  } catch (...) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw;
  }
  ::close(fds[1]);
  // The servers print nothing after their port, so closing our end later cannot hurt them.
  const std::string line = read_first_line(fds[0]);
  ::close(fds[0]);
  const std::size_t digits = line.find_last_not_of("0123456789");
  server.port = static_cast<std::uint16_t>(
      std::atoi(line.c_str() + (digits == std::string::npos ? 0 : digits + 1)));
  if (server.port == 0) {
    stop_process(server.pid);
    throw std::runtime_error(argv.at(1) + " did not report its port (got \"" + line + "\")");
  }
  return server;
}

}  // namespace fetch::test
