// URL line sources: regular files read with read(2), pipes and terminals read asynchronously,
// command-line arguments, and their concatenation. One line splitter serves every reader.
#include "fetch/input/line_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <system_error>
#include <utility>

namespace fetch {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Cuts a byte stream into physical lines, keeping at most kMaxLineLength bytes of each, and
// turns them into InputLines. Memory is bounded by kMaxLineLength whatever the input.
class LineSplitter {
 public:
  // Consumes bytes from `pending` up to and including the end of the next URL line, or all of
  // them when no URL line completes inside `pending`.
  std::optional<InputLine> scan(std::string_view& pending) {
    while (!pending.empty()) {
      const std::size_t newline = pending.find('\n');
      const std::string_view chunk = pending.substr(0, newline);
      keep(chunk);
      if (newline == std::string_view::npos) {
        pending = {};
        break;
      }
      pending.remove_prefix(newline + 1);
      if (auto line = complete()) return line;
    }
    return std::nullopt;
  }

  // Called once the input has ended: a last line without '\n' still counts.
  std::optional<InputLine> finish() {
    if (current_.empty() && !too_long_) return std::nullopt;
    return complete();
  }

 private:
  void keep(std::string_view chunk) {
    const std::size_t room = kMaxLineLength - current_.size();
    if (chunk.size() > room) {
      too_long_ = true;
      chunk = chunk.substr(0, room);
    }
    current_.append(chunk);
  }

  std::optional<InputLine> complete() {
    ++number_;
    std::string_view raw = current_;
    if (number_ == 1 && raw.substr(0, kUtf8Bom.size()) == kUtf8Bom)
      raw.remove_prefix(kUtf8Bom.size());
    std::optional<InputLine> out;
    if (too_long_) {
      // What is left of a cut line is reported (as too long) unless it is a comment.
      const std::string_view text = trim(raw);
      if (text.empty() || text.front() != '#') out = InputLine{number_, std::string(text), true};
    } else if (const auto text = url_text_of(raw)) {
      out = InputLine{number_, std::string(*text), false};
    }
    current_.clear();
    too_long_ = false;
    return out;
  }

  std::string current_;
  bool too_long_ = false;
  std::uint64_t number_ = 0;
};

// The common shape of file, pipe and terminal readers: refill a buffer, split it into lines.
class SplittingSource : public LineSource {
 public:
  asio::awaitable<std::optional<InputLine>> next() final {
    for (;;) {
      if (cancelled_) co_return std::nullopt;
      if (auto line = splitter_.scan(pending_)) co_return line;
      if (ended_) co_return splitter_.finish();
      const std::size_t n = co_await fill(buffer_.data(), buffer_.size());
      if (cancelled_) co_return std::nullopt;
      if (n == 0) {
        ended_ = true;
      } else {
        pending_ = std::string_view(buffer_.data(), n);
      }
    }
  }

  void cancel() noexcept final {
    cancelled_ = true;
    interrupt();
  }

 protected:
  // Reads up to `size` bytes into `data`; 0 means the input has ended.
  virtual asio::awaitable<std::size_t> fill(char* data, std::size_t size) = 0;
  // Makes a fill() that is waiting complete at once.
  virtual void interrupt() noexcept {}

 private:
  bool cancelled_ = false;
  std::array<char, kReadChunk> buffer_{};
  std::string_view pending_;
  LineSplitter splitter_;
  bool ended_ = false;
};

// A regular file: read(2) never blocks for long on one, so it is read in place.
class FileSource final : public SplittingSource {
 public:
  FileSource(Fd fd, std::string path) : fd_(fd.release()), path_(std::move(path)) {}

 protected:
  asio::awaitable<std::size_t> fill(char* data, std::size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_.get(), data, size);
      if (n >= 0) co_return static_cast<std::size_t>(n);
      if (errno != EINTR) throw_errno(errno, path_);
    }
  }

 private:
  Fd fd_;
  std::string path_;
};

// A pipe, terminal or other stream: read asynchronously so that a slow producer never stalls
// the fetches in flight.
class StreamSource final : public SplittingSource {
 public:
  StreamSource(const asio::any_io_executor& executor, Fd fd, std::string path)
      : original_flags_(::fcntl(fd.get(), F_GETFL)), stream_(executor), path_(std::move(path)) {
    boost::system::error_code ec;
    stream_.assign(fd.get(), ec);
    if (ec) throw std::system_error(ec, path_);
    fd.release();  // the stream owns it now
  }

  ~StreamSource() override {
    // Asio makes the descriptor non-blocking, and a dup()ed descriptor shares that flag with
    // the original: leave stdin (and the shell's terminal) as we found them.
    if (original_flags_ != -1) ::fcntl(stream_.native_handle(), F_SETFL, original_flags_);
  }

 protected:
  void interrupt() noexcept override {
    boost::system::error_code ignored;
    stream_.cancel(ignored);
  }

  asio::awaitable<std::size_t> fill(char* data, std::size_t size) override {
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(data, size),
                                                    asio::as_tuple(asio::use_awaitable));
    if (!ec) co_return n;
    // The end of the input, or a cancellation: either way there are no more lines.
    if (ec == asio::error::eof || ec == asio::error::operation_aborted) co_return 0;
    throw std::system_error(ec, path_);
  }

 private:
  int original_flags_;
  asio::posix::stream_descriptor stream_;
  std::string path_;
};

class ArgumentSource final : public LineSource {
 public:
  explicit ArgumentSource(std::vector<std::string> urls) : urls_(std::move(urls)) {}

  asio::awaitable<std::optional<InputLine>> next() override {
    if (index_ == urls_.size()) co_return std::nullopt;
    std::string_view text = trim(urls_[index_]);
    InputLine line;
    line.number = ++index_;
    if (text.size() > kMaxLineLength) {
      text = text.substr(0, kMaxLineLength);
      line.too_long = true;
    }
    line.text = std::string(text);
    co_return line;
  }

 private:
  std::vector<std::string> urls_;
  std::size_t index_ = 0;
};

class ConcatSource final : public LineSource {
 public:
  explicit ConcatSource(std::vector<std::unique_ptr<LineSource>> sources)
      : sources_(std::move(sources)) {}

  asio::awaitable<std::optional<InputLine>> next() override {
    while (!cancelled_ && index_ < sources_.size()) {
      if (sources_[index_]) {
        if (auto line = co_await sources_[index_]->next()) {
          line->source = index_;
          co_return line;
        }
        if (cancelled_) co_return std::nullopt;
        sources_[index_].reset();  // close each file as soon as it is done
      }
      ++index_;
    }
    co_return std::nullopt;
  }

  void cancel() noexcept override {
    cancelled_ = true;
    if (index_ < sources_.size() && sources_[index_]) sources_[index_]->cancel();
  }

 private:
  std::vector<std::unique_ptr<LineSource>> sources_;
  std::size_t index_ = 0;
  bool cancelled_ = false;
};

// Every line of the inner source, kept as it is first read, then replayed from memory.
class ReplaySource final : public LineSource {
 public:
  explicit ReplaySource(std::unique_ptr<LineSource> inner) : inner_(std::move(inner)) {}

  asio::awaitable<std::optional<InputLine>> next() override {
    if (cancelled_) co_return std::nullopt;
    if (position_ < lines_.size()) co_return lines_[position_++];
    if (!inner_) co_return std::nullopt;
    // A rewind before the first pass had read everything goes on reading where it stopped.
    std::optional<InputLine> line = co_await inner_->next();
    if (!line || cancelled_) {
      if (!cancelled_) inner_.reset();  // the end: close the file
      co_return std::nullopt;
    }
    lines_.push_back(*line);
    ++position_;
    co_return line;
  }

  void cancel() noexcept override {
    cancelled_ = true;
    if (inner_) inner_->cancel();
  }

  bool rewind() override {
    position_ = 0;
    return !cancelled_;
  }

 private:
  std::unique_ptr<LineSource> inner_;
  std::vector<InputLine> lines_;
  std::size_t position_ = 0;
  bool cancelled_ = false;
};

std::unique_ptr<LineSource> source_for(const asio::any_io_executor& executor, Fd fd,
                                       const std::string& path) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno(errno, path);
  if (S_ISDIR(st.st_mode)) throw_errno(EISDIR, path);
  if (S_ISREG(st.st_mode)) return std::make_unique<FileSource>(std::move(fd), path);
  return std::make_unique<StreamSource>(executor, std::move(fd), path);
}

// A descriptor to read standard input from, closable without closing fd 0.
Fd open_stdin() {
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) != 0) throw_errno(errno, "standard input");
  if (!S_ISREG(st.st_mode)) {
    // A pipe or terminal gets a private open file description of its own. Asio makes the
    // descriptor it reads non-blocking, and on a dup() that flag would be shared with fd 0
    // and, on an interactive shell, with stdout and stderr too (one description for the
    // terminal): writes to a slow terminal would then fail with EAGAIN. O_NONBLOCK: opening
    // a pipe whose writer has already gone must not wait for a new one.
    Fd fd(::open("/proc/self/fd/0", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() >= 0) return fd;
    // No /proc, or a socket: fall back to sharing (flags are restored on destruction).
  }
  Fd fd(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0));
  if (fd.get() < 0) throw_errno(errno, "standard input");
  return fd;
}

}  // namespace

std::optional<std::string_view> url_text_of(std::string_view raw_line) {
  const std::string_view text = trim(raw_line);
  if (text.empty() || text.front() == '#') return std::nullopt;
  return text;
}

std::unique_ptr<LineSource> open_line_source(const asio::any_io_executor& executor,
                                             const std::string& path) {
  if (path == "-") return source_for(executor, open_stdin(), "standard input");
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) throw_errno(errno, path);
  return source_for(executor, std::move(fd), path);
}

std::unique_ptr<LineSource> make_argument_source(std::vector<std::string> urls) {
  return std::make_unique<ArgumentSource>(std::move(urls));
}

std::unique_ptr<LineSource> make_replay_source(std::unique_ptr<LineSource> inner) {
  return std::make_unique<ReplaySource>(std::move(inner));
}

std::unique_ptr<LineSource> concat_sources(std::vector<std::unique_ptr<LineSource>> sources) {
  return std::make_unique<ConcatSource>(std::move(sources));
}

}  // namespace fetch
