#include "fetch/input/line_count.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "fetch/input/line_source.hpp"

namespace fetch {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

// Counts across reads: where the current line is, and what it has shown so far.
class Counter {
 public:
  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      if (decided_) {  // only the line's end matters now
        const void* end = std::memchr(bytes.data(), '\n', bytes.size());
        if (end == nullptr) return;
        bytes.remove_prefix(static_cast<const char*>(end) - bytes.data() + 1);
        end_line();
        continue;
      }
      const char c = bytes.front();
      bytes.remove_prefix(1);
      if (at_start_of_input_ && !bom(c)) continue;
      if (c == '\n') {
        if (!decided_ && leading_ > kMaxLineLength) ++count_;  // cut, and reported as too long
        end_line();
      } else if (decided_) {
        continue;  // (after the start of a BOM that was none)
      } else if (is_blank(c)) {
        ++leading_;
      } else {
        // The first non-blank byte: a comment only if it lies within what is kept of the line.
        if (c != '#' || leading_ >= kMaxLineLength) ++count_;
        decided_ = true;
      }
    }
  }

  std::uint64_t finish() {
    if (at_start_of_input_ && bom_ > 0) ++count_;          // nothing but the start of a BOM
    if (!decided_ && leading_ > kMaxLineLength) ++count_;  // a last line without '\n'
    return count_;
  }

 private:
  // At the start of the input: true when `c` is to be read as part of the first line, false
  // when it belongs to a UTF-8 BOM (which is not part of it). Bytes that began a BOM but did
  // not finish one are the line's first non-blank bytes.
  bool bom(char c) {
    if (c == kUtf8Bom[bom_]) {
      if (++bom_ == kUtf8Bom.size()) at_start_of_input_ = false;
      return false;
    }
    at_start_of_input_ = false;
    if (bom_ > 0) {
      ++count_;
      decided_ = true;
    }
    return true;
  }

  void end_line() {
    decided_ = false;
    leading_ = 0;
  }

  std::uint64_t count_ = 0;
  std::uint64_t leading_ = 0;  // blank bytes at the start of the current line
  bool decided_ = false;       // the current line's first non-blank byte was seen
  bool at_start_of_input_ = true;
  std::size_t bom_ = 0;
};

// The URL lines of a regular file from where its descriptor stands (standard input may have
// been read from already), without moving it; nullopt when it is no regular file, is larger
// than what is left of `budget`, or cannot be read.
std::optional<std::uint64_t> count_file(int fd, std::uint64_t& budget) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  off_t offset = ::lseek(fd, 0, SEEK_CUR);
  if (offset < 0) return std::nullopt;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t left = size > static_cast<std::uint64_t>(offset) ? size - offset : 0;
  if (left > budget) return std::nullopt;
  budget -= left;
  Counter counter;
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), offset);  // stdin keeps its place
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return counter.finish();
    counter.feed({buffer.data(), static_cast<std::size_t>(n)});
    offset += n;
  }
}

}  // namespace

std::uint64_t count_url_lines(std::string_view bytes) {
  Counter counter;
  counter.feed(bytes);
  return counter.finish();
}

std::optional<std::uint64_t> count_records(const std::vector<std::string>& inputs,
                                           std::uint64_t max_bytes) {
  std::uint64_t total = 0;
  for (const std::string& input : inputs) {
    if (input.find("://") != std::string::npos) {
      ++total;  // a URL argument
      continue;
    }
    std::optional<std::uint64_t> lines;
    if (input == "-") {
      lines = count_file(STDIN_FILENO, max_bytes);
    } else {
      const int fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
      if (fd < 0) return std::nullopt;
      lines = count_file(fd, max_bytes);
      ::close(fd);
    }
    if (!lines) return std::nullopt;
    total += *lines;
  }
  return total;
}

}  // namespace fetch
