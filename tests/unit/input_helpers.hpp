#pragma once
// Shared by the line-source unit tests: temporary files, and reading a source to its end.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "fetch/input/line_source.hpp"

namespace fetch::test_input {

namespace asio = boost::asio;

// --- helpers ---------------------------------------------------------------------------

// A file in the temporary directory, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/fetch_input_test_XXXXXX";
    const int fd = ::mkstemp(path_.data());
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemp");
    ::close(fd);
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Collected {
  std::vector<InputLine> lines;
  bool done = false;
  std::exception_ptr error;
};

inline asio::awaitable<void> drain(LineSource& source, Collected& out) {
  while (auto line = co_await source.next()) out.lines.push_back(std::move(*line));
  out.done = true;
}

// Reads `source` to its end on a fresh io_context, failing (not hanging) after `limit`.
inline std::vector<InputLine> read_all(asio::io_context& ioc, LineSource& source,
                                std::chrono::milliseconds limit = std::chrono::seconds{5}) {
  Collected out;
  asio::co_spawn(ioc, drain(source, out), [&out](std::exception_ptr e) { out.error = e; });
  ioc.run_for(limit);
  EXPECT_TRUE(out.done) << "the source did not reach its end in time";
  if (out.error) std::rethrow_exception(out.error);
  return out.lines;
}

inline std::vector<InputLine> read_file(const std::string& contents) {
  TempFile file(contents);
  asio::io_context ioc;
  auto source = open_line_source(ioc.get_executor(), file.path());
  return read_all(ioc, *source);
}

inline void expect_line(const InputLine& line, std::uint64_t number, const std::string& text,
                 bool too_long = false) {
  EXPECT_EQ(line.number, number);
  EXPECT_EQ(line.text, text);
  EXPECT_EQ(line.too_long, too_long);
}

}  // namespace fetch::test_input
