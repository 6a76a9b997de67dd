#pragma once
// A pipe(2) for unit tests of code that writes to a descriptor: both ends closed on
// destruction, the read end non-blocking so that reading never hangs a test.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace fetch::test {

struct Pipe {
  int read_end = -1;
  int write_end = -1;

  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    read_end = fds[0];
    write_end = fds[1];
    ::fcntl(read_end, F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  void close_read() {
    if (read_end >= 0) ::close(read_end);
    read_end = -1;
  }
  void close_write() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
  }
  // Whatever is in the pipe right now.
  std::string drain() const {
    std::string out;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(read_end, buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
  // Closes the write end and reads everything written.
  std::string read_all() {
    close_write();
    return drain();
  }
};

}  // namespace fetch::test
