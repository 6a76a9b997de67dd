#pragma once
// --output-dir: bodies saved as they stream in, never outside the directory, never half.
//
// The directory is opened once and every file is made inside it by name (openat, renameat on
// its descriptor), never through a path: names come from saved_file_name(), one component
// each, so no URL can reach outside it (no "..", no "/", no absolute path), and the directory
// cannot be swapped for another under a running fetch. A body goes to a temporary file
// (".NAME.PID.part", created with O_EXCL | O_NOFOLLOW, so never through a symlink planted
// there) and is renamed to NAME when complete; a body that fails is removed, so no partial
// file is ever left under NAME. An existing NAME is replaced (as curl replaces its output),
// and a symlink there is replaced itself, never followed.
//
// Writes are plain synchronous write(2)s on the io thread: the page cache takes them in
// microseconds, and nothing is fsynced (as curl). Small pieces are gathered in a 16 KiB
// buffer per file; the buffers of the run share a 4 MiB budget (256 files being written at
// once), past which a file writes through unbuffered, so memory stays bounded whatever -j.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fetch {

class OutputDir {
 public:
  static constexpr std::size_t kBufferSize = 16 * 1024;
  static constexpr std::size_t kBufferBudget = 4 * 1024 * 1024;

  // Opens `path`, which must be an existing directory (as curl's --output-dir). `number_inputs`:
  // the run reads several inputs, whose line numbers repeat, so names carry the input's number
  // too. Throws std::system_error naming the path when it cannot be opened as a directory.
  OutputDir(std::string path, bool number_inputs);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // The directory as given, for the records' saved_as.
  const std::string& path() const noexcept { return path_; }
  int fd() const noexcept { return fd_; }
  bool number_inputs() const noexcept { return number_inputs_; }

  // A 16 KiB buffer's share of the budget, if any is left; give_buffer() returns it.
  bool take_buffer() noexcept;
  void give_buffer() noexcept;
  std::size_t buffers_in_use() const noexcept { return buffers_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool number_inputs_;
  std::size_t buffers_ = 0;
};

// The name the body of input line `line` (of input `source`, 0-based, when the directory
// numbers inputs) is saved under: "LINE-TAIL", or "INPUT.LINE-TAIL" with INPUT 1-based. TAIL
// is the URL's last path segment (else its host), query left out, every byte but ASCII
// letters, digits, '.', '-' and '_' replaced by '_', leading dots dropped and at most 100
// bytes long; "index" when nothing is left. One path component, never "." or "..".
std::string saved_file_name(const OutputDir& dir, std::uint64_t line, std::uint64_t source,
                            std::string_view request_target, std::string_view host);

// One body being saved: a temporary file, renamed when complete, removed when not.
class SavedFile {
 public:
  // Creates ".NAME.PID.part" in `dir`; on failure returns null and says why in `error`.
  static std::unique_ptr<SavedFile> create(OutputDir& dir, std::string name, std::string& error);
  ~SavedFile();  // not committed: the temporary file is closed and removed
  SavedFile(const SavedFile&) = delete;
  SavedFile& operator=(const SavedFile&) = delete;

  // Appends body bytes. False when writing failed (disk full, I/O error): error() says why.
  bool write(std::string_view bytes);
  // Flushes, closes and renames the file to its name. False when any of that failed.
  bool commit();

  const std::string& error() const noexcept { return error_; }
  // "DIR/NAME", once committed.
  std::string saved_as() const;

 private:
  SavedFile(OutputDir& dir, std::string name, std::string temporary, int fd);
  bool write_all(std::string_view bytes);
  bool flush();
  bool fail(std::string_view what);
  void release_buffer() noexcept;

  OutputDir& dir_;
  std::string name_;
  std::string temporary_;
  int fd_;
  bool buffered_ = false;  // holds one of the budget's buffers
  bool committed_ = false;
  std::string buffer_;
  std::string error_;
};

}  // namespace fetch
