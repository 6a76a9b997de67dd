#include "fetch/body/saved_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace fetch {
namespace {

constexpr std::size_t kMaxTail = 100;

bool is_name_byte(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// The last non-empty segment of the path, query and fragment left out.
std::string_view last_segment(std::string_view request_target) {
  std::string_view path = request_target.substr(0, request_target.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string sanitised(std::string_view tail) {
  std::string out;
  for (char c : tail) {
    if (out.size() == kMaxTail) break;
    if (out.empty() && c == '.') continue;  // no ".", "..", nor a hidden file
    out += is_name_byte(c) ? c : '_';
  }
  return out.empty() ? "index" : out;
}

}  // namespace

OutputDir::OutputDir(std::string path, bool number_inputs)
    : path_(std::move(path)), number_inputs_(number_inputs) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), path_);
}

OutputDir::~OutputDir() {
  if (fd_ >= 0) ::close(fd_);
}

bool OutputDir::take_buffer() noexcept {
  if ((buffers_ + 1) * kBufferSize > kBufferBudget) return false;
  ++buffers_;
  return true;
}

void OutputDir::give_buffer() noexcept { --buffers_; }

std::string saved_file_name(const OutputDir& dir, std::uint64_t line, std::uint64_t source,
                            std::string_view request_target, std::string_view host) {
  std::string_view tail = last_segment(request_target);
  if (tail.empty()) tail = host;
  if (dir.number_inputs()) return fmt::format("{}.{}-{}", source + 1, line, sanitised(tail));
  return fmt::format("{}-{}", line, sanitised(tail));
}

std::unique_ptr<SavedFile> SavedFile::create(OutputDir& dir, std::string name, std::string& error) {
  std::string temporary = fmt::format(".{}.{}.part", name, ::getpid());
  // O_EXCL: a file (or a symlink) already there is never written through.
  const int fd = ::openat(dir.fd(), temporary.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) {
    error = fmt::format("cannot create {} in {}: {}", temporary, dir.path(), std::strerror(errno));
    return nullptr;
  }
  return std::unique_ptr<SavedFile>(new SavedFile(dir, std::move(name), std::move(temporary), fd));
}

SavedFile::SavedFile(OutputDir& dir, std::string name, std::string temporary, int fd)
    : dir_(dir), name_(std::move(name)), temporary_(std::move(temporary)), fd_(fd) {}

SavedFile::~SavedFile() {
  release_buffer();
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlinkat(dir_.fd(), temporary_.c_str(), 0);
}

void SavedFile::release_buffer() noexcept {
  if (!buffered_) return;
  buffered_ = false;
  dir_.give_buffer();
  std::string().swap(buffer_);
}

bool SavedFile::write(std::string_view bytes) {
  if (!error_.empty()) return false;
  if (!buffered_ && bytes.size() < OutputDir::kBufferSize && dir_.take_buffer()) {
    buffered_ = true;
    buffer_.reserve(OutputDir::kBufferSize);
  }
  if (!buffered_) return write_all(bytes);
  if (buffer_.size() + bytes.size() > OutputDir::kBufferSize && !flush()) return false;
  if (bytes.size() >= OutputDir::kBufferSize) return write_all(bytes);
  buffer_.append(bytes);
  return true;
}

bool SavedFile::flush() {
  if (buffer_.empty()) return true;
  const bool written = write_all(buffer_);
  buffer_.clear();
  return written;
}

bool SavedFile::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = ENOSPC;  // (write(2) never says 0 for a regular file, but be sure)
    if (n <= 0) return fail("cannot write");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool SavedFile::commit() {
  if (!error_.empty() || !flush()) return false;
  release_buffer();
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) return fail("cannot write");  // NFS reports a full disk here
  if (::renameat(dir_.fd(), temporary_.c_str(), dir_.fd(), name_.c_str()) != 0) {
    return fail(fmt::format("cannot rename {} to", temporary_));
  }
  committed_ = true;
  return true;
}

bool SavedFile::fail(std::string_view what) {
  const int error = errno != 0 ? errno : EIO;
  error_ = fmt::format("{} {}/{}: {}", what, dir_.path(), name_, std::strerror(error));
  return false;
}

std::string SavedFile::saved_as() const {
  if (!committed_) return {};
  if (!dir_.path().empty() && dir_.path().back() == '/') return dir_.path() + name_;
  return dir_.path() + "/" + name_;
}

}  // namespace fetch
