#include "fetch/report/progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string_view>

#include "fetch/report/fd_output.hpp"

namespace fetch {
namespace {

// Return to column 0 and erase the whole line.
constexpr std::string_view erase_line = "\r\x1b[2K";
constexpr auto redraw_interval = std::chrono::milliseconds(100);

// "11 s", "4m05s", "2h10m": short, and steady in width while it counts down.
std::string eta_text(double seconds) {
  const auto s = static_cast<std::uint64_t>(std::ceil(std::max(seconds, 0.0)));
  if (s < 100) return fmt::format("{} s", s);
  if (s < 100 * 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

// The terminal's width in columns, or 0 when it does not say.
unsigned columns(int fd) {
  winsize size{};
  return ::ioctl(fd, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
}

}  // namespace

std::string progress_text(const Summary& run, double elapsed_s) {
  const double rate = elapsed_s > 0 ? static_cast<double>(run.count) / elapsed_s : 0;
  std::string text;
  auto out = std::back_inserter(text);
  // A file that grew while we ran can hold more than was counted: never "12/10".
  const std::uint64_t total = run.expected == 0 ? 0 : std::max(run.expected, run.count);
  if (total == 0) {
    fmt::format_to(out, "{:>6} done", run.count);
  } else {
    fmt::format_to(out, "{:>6}/{} done  {}%", run.count, total, run.count * 100 / total);
  }
  fmt::format_to(out, "  ({} ok, {} failed)  {} in flight  {:.1f} req/s  {:.1f} s", run.ok,
                 run.failed, run.in_flight, rate, elapsed_s);
  if (total != 0 && run.count < total && rate > 0) {
    fmt::format_to(out, "  ETA {}", eta_text(static_cast<double>(total - run.count) / rate));
  }
  return text;
}

Progress::Progress(Output& terminal, const Summary& run)
    : terminal_(terminal), run_(run), started_(std::chrono::steady_clock::now()) {}

void Progress::update() {
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < redraw_interval) return;  // the timer draws it soon
  draw(now);
}

void Progress::tick() { draw(std::chrono::steady_clock::now()); }

void Progress::clear() {
  if (!drawn_) return;
  terminal_.write(erase_line);
  drawn_ = false;
}

void Progress::draw(std::chrono::steady_clock::time_point now) {
  const double elapsed_s = std::chrono::duration<double>(now - started_).count();
  line_.assign(erase_line);
  line_ += progress_text(run_, elapsed_s);
  // One column short of the width: a line that wraps could not be erased with "\r".
  const unsigned width = columns(terminal_.fd());
  if (width > 1 && line_.size() > erase_line.size() + width - 1) {
    line_.resize(erase_line.size() + width - 1);
  }
  terminal_.write(line_);
  last_draw_ = now;
  drawn_ = true;
}

}  // namespace fetch
