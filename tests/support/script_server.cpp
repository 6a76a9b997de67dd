#include "support/script_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace fetch::test {
namespace {

constexpr std::chrono::milliseconds kPortTimeout{5000};

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Reads the first `lines` lines the server prints, within the timeout; on failure, those
// that came.
std::vector<std::string> read_lines(int fd, std::size_t lines) {
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + kPortTimeout;
  while (count_lines(text) < lines) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char buffer[64];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  std::vector<std::string> result;
  for (std::size_t start = 0; result.size() < lines;) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;
    result.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return result;
}

// The port a line ends in ("12345", "ACCEPT 127.0.0.1:12345"); 0 when none.
std::uint16_t port_of(const std::string& line) {
  const std::size_t digits = line.find_last_not_of("0123456789");
  const long port = std::atol(line.c_str() + (digits == std::string::npos ? 0 : digits + 1));
  return port > 0 && port <= 65535 ? static_cast<std::uint16_t>(port) : 0;
}

}  // namespace

ScriptServer start_script_server(const std::vector<std::string>& argv, std::size_t lines) {
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
  // The servers print nothing after their ports, so closing our end later cannot hurt them.
  const std::vector<std::string> got = read_lines(fds[0], lines);
  ::close(fds[0]);
  std::string printed;
  for (const std::string& line : got) {
    server.ports.push_back(port_of(line));
    printed += (printed.empty() ? "" : "\\n") + line;
  }
  if (got.size() < lines || std::count(server.ports.begin(), server.ports.end(), 0) != 0) {
    stop_process(server.pid);
    throw std::runtime_error(argv.at(1) + " did not report its " + std::to_string(lines) +
                             " port(s) (got \"" + printed + "\")");
  }
  server.port = server.ports.front();
  return server;
}

}  // namespace fetch::test
