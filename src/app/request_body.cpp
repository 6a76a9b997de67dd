#include "fetch/app/request_body.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>
#include <variant>

#include "fetch/app/runtime.hpp"

namespace fetch {

namespace {

// The whole of `path` ("-": standard input).
std::string read_file(const std::string& path) {
  const bool stdin_wanted = path == "-";
  const int fd = stdin_wanted ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const std::string name = stdin_wanted ? "standard input" : "'" + path + "'";
  if (fd < 0) {
    throw SetupError("cannot read the body from " + name + ": " + std::strerror(errno));
  }
  std::string contents;
  char block[65536];
  for (;;) {
    const ssize_t n = ::read(fd, block, sizeof block);
    if (n > 0) {
      contents.append(block, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    const int error = errno;
    if (!stdin_wanted) ::close(fd);
    if (n < 0) {
      throw SetupError("cannot read the body from " + name + ": " + std::strerror(error));
    }
    return contents;
  }
}

std::string part_text(const DataArgument& part) {
  using Kind = DataArgument::Kind;
  if (part.kind == Kind::raw || !part.text.starts_with('@')) return part.text;
  std::string contents = read_file(part.text.substr(1));
  if (part.kind == Kind::data) {
    std::erase_if(contents, [](char c) { return c == '\r' || c == '\n'; });
  }
  return contents;
}

}  // namespace

std::optional<std::string> join_body(const std::vector<DataArgument>& parts) {
  if (parts.empty()) return std::nullopt;
  std::string body;
  bool first = true;
  for (const DataArgument& part : parts) {
    if (!first && part.kind != DataArgument::Kind::json) body += '&';
    body += part_text(part);
    first = false;
  }
  return body;
}

RequestOptions request_options(const Options& options) {
  RequestOptions request;
  request.user_agent = options.user_agent;
  request.head = options.head;
  request.compressed = options.compressed;
  request.method = options.method;
  for (const std::string& line : options.headers) {
    // Checked when the options were parsed: a header that fails here was never accepted.
    auto parsed = parse_header_option(line);
    if (auto* header = std::get_if<HeaderOption>(&parsed)) {
      request.headers.push_back(std::move(*header));
    }
  }
  request.body = join_body(options.data);
  request.json = std::any_of(options.data.begin(), options.data.end(), [](const DataArgument& p) {
    return p.kind == DataArgument::Kind::json;
  });
  return request;
}

}  // namespace fetch
