#pragma once
// A pseudo-terminal for tests of what fetch draws on a terminal: the slave side stands for
// the user's terminal (give it to the code or the child as its descriptor), the test reads
// what was drawn from the master. Raw mode: no "\n" -> "\r\n" translation.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace fetch::test {

struct Pty {
  int master = -1;
  int slave = -1;

  // `columns`: the width the terminal reports (TIOCGWINSZ); 0 leaves it unset.
  explicit Pty(unsigned short columns = 0) {
    master = ::posix_openpt(O_RDWR | O_NOCTTY);
    EXPECT_GE(master, 0);
    EXPECT_EQ(::grantpt(master), 0);
    EXPECT_EQ(::unlockpt(master), 0);
    slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    EXPECT_GE(slave, 0);
    termios mode{};
    ::tcgetattr(slave, &mode);
    ::cfmakeraw(&mode);
    ::tcsetattr(slave, TCSANOW, &mode);
    if (columns > 0) {
      winsize size{};
      size.ws_col = columns;
      size.ws_row = 24;
      EXPECT_EQ(::ioctl(master, TIOCSWINSZ, &size), 0);
    }
  }
  ~Pty() {
    close_slave();
    if (master >= 0) ::close(master);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  // Once a child holds the slave, the test closes its own copy: the master then reads EOF
  // (EIO on Linux) when the child has gone.
  void close_slave() {
    if (slave >= 0) ::close(slave);
    slave = -1;
  }

  // What has been drawn so far: reads until nothing more comes for `quiet`.
  std::string read_available(std::chrono::milliseconds quiet = std::chrono::milliseconds(100)) {
    std::string out;
    char buffer[4096];
    pollfd readable{master, POLLIN, 0};
    while (::poll(&readable, 1, static_cast<int>(quiet.count())) > 0) {
      const ssize_t n = ::read(master, buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
};

}  // namespace fetch::test
