#pragma once
// Writes lines to a file descriptor with a flush policy fit for who is reading.

#include <string>
#include <string_view>

namespace fetch {

class Output {
 public:
  // `flush_each_line`: a terminal or pipe reader sees each line as soon as it is written;
  // otherwise (a regular file, /dev/null) lines are batched.
  Output(int fd, bool flush_each_line);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view line);
  void flush();

  // The reader went away (EPIPE) or the descriptor failed: further writes are dropped.
  bool broken() const noexcept { return broken_; }
  int fd() const noexcept { return fd_; }
  int error() const noexcept { return errno_; }

 private:
  void write_all(std::string_view bytes);

  int fd_;
  bool flush_each_line_;
  bool broken_ = false;
  int errno_ = 0;
  std::string buffer_;
};

// True when the descriptor is a terminal.
bool is_terminal(int fd) noexcept;
// True when someone may be reading as we write: a terminal, a pipe or a socket. Regular
// files and devices such as /dev/null are only read afterwards, so output to them is batched.
bool has_live_reader(int fd) noexcept;

}  // namespace fetch
