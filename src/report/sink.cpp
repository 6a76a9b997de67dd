#include "fetch/report/sink.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <optional>

#include "fetch/report/bench_text.hpp"
#include "fetch/report/fd_output.hpp"
#include "fetch/report/formats.hpp"
#include "fetch/report/progress.hpp"

namespace fetch {
namespace {

// True when both descriptors are the same terminal device, so a result line written to one
// would land on the progress line drawn on the other.
bool same_terminal(int a, int b) noexcept {
  if (!is_terminal(a) || !is_terminal(b)) return false;
  struct stat sa {};
  struct stat sb {};
  return ::fstat(a, &sa) == 0 && ::fstat(b, &sb) == 0 && sa.st_rdev == sb.st_rdev;
}

class ConsoleSink final : public Sink {
 public:
  ConsoleSink(const OutputChoice& choice, bool quiet, const Summary& run, ConsoleExtras extras,
              int out_fd, int err_fd)
      : choice_(choice),
        quiet_(quiet),
        run_(run),
        write_out_(std::move(extras.write_out)),
        out_(out_fd, has_live_reader(out_fd)),
        err_(err_fd, true),
        table_(!quiet && is_terminal(err_fd)),
        clear_before_result_(choice.progress && same_terminal(out_fd, err_fd)) {
    if (choice_.progress) {
      progress_.emplace(err_, run_);
      if (extras.executor) {
        ticker_.emplace(extras.executor);
        arm_ticker();
      }
    }
  }
  ~ConsoleSink() override {
    stop_ticker();
    if (progress_) progress_->clear();
  }
  ConsoleSink(const ConsoleSink&) = delete;
  ConsoleSink& operator=(const ConsoleSink&) = delete;

  void on_result(const Result& result) override {
    if (progress_ && clear_before_result_) progress_->clear();
    format(result);
    out_.write(line_);
    if (progress_) progress_->update();
  }

  void on_progress() override {
    if (progress_) progress_->update();
  }

  void on_finish() override {
    stop_ticker();
    out_.flush();
    if (progress_) progress_->clear();
    if (!quiet_) err_.write(format_summary(run_));
    // A benchmark's percentile table and histogram, for people only.
    if (table_ && run_.stats) err_.write(format_bench_table(*run_.stats));
  }

  bool closed() const override { return out_.broken(); }

 private:
  // Redraws the progress line every 100 ms until stopped, so that it moves on while no URL
  // finishes. After stop_ticker() a handler only returns: cancelled, or (had the timer
  // expired already) told by ticking_.
  void arm_ticker() {
    ticker_->expires_after(std::chrono::milliseconds(100));
    ticker_->async_wait([this](const boost::system::error_code& ec) {
      if (ec || !ticking_) return;
      progress_->tick();
      arm_ticker();
    });
  }

  void stop_ticker() {
    ticking_ = false;
    if (ticker_) ticker_->cancel();
  }

  // Leaves what stdout gets for `result` in line_.
  void format(const Result& result) {
    if (write_out_) {
      line_.clear();  // the buffer is kept: a template writes into it without allocating
      write_out_->render(line_, result);
      return;
    }
    switch (choice_.format) {
      case OutputFormat::json:
        line_ = format_json(result);
        return;
      case OutputFormat::text:
        line_ = format_text(result, choice_.colour);
        return;
      case OutputFormat::tsv:
      case OutputFormat::automatic:
        break;  // choose_output never leaves it automatic
    }
    line_ = format_tsv(result);
  }

  OutputChoice choice_;
  bool quiet_;
  const Summary& run_;
  std::optional<WriteOut> write_out_;
  std::string line_;  // the record being written
  Output out_;
  Output err_;
  bool table_;
  bool clear_before_result_;
  std::optional<Progress> progress_;                 // declared after err_: it refers to it
  std::optional<boost::asio::steady_timer> ticker_;  // after progress_: its handler draws it
  bool ticking_ = true;
};

}  // namespace

OutputChoice choose_output(const OutputPreferences& preferences, bool stdout_is_tty,
                           bool stderr_is_tty, bool no_colour_env) {
  OutputChoice choice{};
  choice.format = preferences.format;
  if (choice.format == OutputFormat::automatic) {
    choice.format = stdout_is_tty ? OutputFormat::text : OutputFormat::tsv;
  }
  bool colour = false;
  switch (preferences.colour) {
    case ColourMode::always:
      colour = true;
      break;
    case ColourMode::never:
      colour = false;
      break;
    case ColourMode::automatic:
      colour = stdout_is_tty && !no_colour_env;
      break;
  }
  choice.colour = colour && choice.format == OutputFormat::text;
  choice.progress = stderr_is_tty && preferences.progress && !preferences.quiet;
  return choice;
}

bool no_colour_requested() noexcept {
  const char* value = std::getenv("NO_COLOR");
  return value != nullptr && value[0] != '\0';
}

std::unique_ptr<Sink> make_console_sink(const OutputChoice& choice, bool quiet, const Summary& run,
                                        ConsoleExtras extras, int out_fd, int err_fd) {
  return std::make_unique<ConsoleSink>(choice, quiet, run, std::move(extras), out_fd, err_fd);
}

std::unique_ptr<Sink> make_console_sink(const OutputChoice& choice, bool quiet, const Summary& run,
                                        int out_fd, int err_fd) {
  return make_console_sink(choice, quiet, run, ConsoleExtras{}, out_fd, err_fd);
}

}  // namespace fetch
