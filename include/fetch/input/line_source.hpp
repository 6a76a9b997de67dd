#pragma once
// Streams URL lines from files, stdin or arguments, one at a time.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fetch {

// One candidate URL: the trimmed text and where it came from.
struct InputLine {
  std::uint64_t number = 0;  // 1-based line number in its file, or argument position
  std::string text;          // trimmed; at most kMaxLineLength bytes
  bool too_long = false;     // the line was longer than kMaxLineLength and was cut
  std::uint64_t source = 0;  // which input it came from, 0-based, in the order they are read
};

// Longer lines are not URLs anyone can fetch; keeping them whole would let one line of
// input decide our memory use.
inline constexpr std::size_t kMaxLineLength = 64 * 1024;

// Trims surrounding whitespace (including a CR from CRLF). Returns nullopt for lines that
// carry no URL: blank ones and comments starting with '#'.
std::optional<std::string_view> url_text_of(std::string_view raw_line);

// A source of URL lines. Memory use is bounded by the longest line, never by the length of
// the list. next() is called by one consumer at a time.
class LineSource {
 public:
  virtual ~LineSource() = default;
  // The next URL line, or nullopt at the end of the input. Throws std::system_error when
  // reading fails (EIO, a vanished device): rare, and not the end of the input.
  virtual boost::asio::awaitable<std::optional<InputLine>> next() = 0;
  // Ends the input early (SIGINT/SIGTERM): a read waiting on a pipe or terminal completes and
  // next() returns nullopt from then on. Safe to call at any time, also when nothing waits.
  virtual void cancel() noexcept {}
  // Starts the input again from its first line, for another pass over the list; false when
  // this source cannot (a stream is read once: make_replay_source() keeps its lines).
  virtual bool rewind() { return false; }
};

// Reads the named file; "-" means standard input. Pipes and terminals are read
// asynchronously on `executor` so that a slow producer never stalls fetches in flight.
// Throws std::system_error when the file cannot be opened.
std::unique_ptr<LineSource> open_line_source(const boost::asio::any_io_executor& executor,
                                             const std::string& path);

// URLs given on the command line; their numbers are their 1-based positions.
std::unique_ptr<LineSource> make_argument_source(std::vector<std::string> urls);

// Reads `inner` once, keeping every line it gave, and rewinds: for runs of several passes over
// one list (--runs, --duration), so that standard input and pipes can be replayed too. Memory
// grows with the list (about 100 bytes per URL), which a single pass never keeps.
std::unique_ptr<LineSource> make_replay_source(std::unique_ptr<LineSource> inner);

// Several sources read one after another; each line's `source` is its source's index.
std::unique_ptr<LineSource> concat_sources(std::vector<std::unique_ptr<LineSource>> sources);

}  // namespace fetch
