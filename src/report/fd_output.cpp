#include "fetch/report/fd_output.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace fetch {
namespace {

// Batched output is written once this much is buffered.
constexpr std::size_t batch_bytes = 64 * 1024;

}  // namespace

Output::Output(int fd, bool flush_each_line) : fd_(fd), flush_each_line_(flush_each_line) {
  if (!flush_each_line_) buffer_.reserve(batch_bytes);
}

Output::~Output() { flush(); }

void Output::write(std::string_view line) {
  if (broken_) return;
  if (flush_each_line_) {
    write_all(line);
    return;
  }
  buffer_.append(line);
  if (buffer_.size() >= batch_bytes) flush();
}

void Output::flush() {
  if (broken_ || buffer_.empty()) return;
  write_all(buffer_);
  buffer_.clear();
}

// Writes every byte, retrying interrupted and partial writes. A descriptor left non-blocking
// by whoever started us is waited on rather than treated as failed. Any other error (EPIPE
// included: the program ignores SIGPIPE) marks the output broken and drops what is pending.
void Output::write_all(std::string_view bytes) {
  while (!bytes.empty() && !broken_) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n >= 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd waiting{fd_, POLLOUT, 0};
      if (::poll(&waiting, 1, -1) >= 0 || errno == EINTR) continue;
    }
    broken_ = true;
    errno_ = errno;
    buffer_.clear();
  }
}

bool is_terminal(int fd) noexcept { return ::isatty(fd) == 1; }

bool has_live_reader(int fd) noexcept {
  if (is_terminal(fd)) return true;
  struct stat status {};
  return ::fstat(fd, &status) == 0 && (S_ISFIFO(status.st_mode) || S_ISSOCK(status.st_mode));
}

}  // namespace fetch
