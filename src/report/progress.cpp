#include "fetch/report/progress.hpp"

#include <fmt/format.h>

#include <string_view>

#include "fetch/report/fd_output.hpp"

namespace fetch {
namespace {

// Return to column 0 and erase the whole line.
constexpr std::string_view erase_line = "\r\x1b[2K";
constexpr auto redraw_interval = std::chrono::milliseconds(100);

}  // namespace

Progress::Progress(Output& terminal)
    : terminal_(terminal), started_(std::chrono::steady_clock::now()) {}

void Progress::update(const Summary& so_far) {
  const auto now = std::chrono::steady_clock::now();
  const bool fresh = !line_.empty() && now - last_draw_ < redraw_interval;
  if (fresh) {
    if (!drawn_) {
      terminal_.write(line_);
      drawn_ = true;
    }
    return;
  }

  const double elapsed_s = std::chrono::duration<double>(now - started_).count();
  const double rate = elapsed_s > 0 ? static_cast<double>(so_far.count) / elapsed_s : 0;
  line_ = fmt::format("{}{:>6} done  ({} ok, {} failed)  {} in flight  {:.1f} req/s  {:.1f} s",
                      erase_line, so_far.count, so_far.ok, so_far.failed, so_far.in_flight, rate,
                      elapsed_s);
  terminal_.write(line_);
  last_draw_ = now;
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  terminal_.write(erase_line);
  drawn_ = false;
}

}  // namespace fetch
