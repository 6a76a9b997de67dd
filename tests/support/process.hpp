#pragma once
// Child processes for black-box tests: spawn with piped stdin/stdout/stderr, feed and drain
// them without deadlock, bound every wait, never leave a child behind.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fetch::test {

using namespace std::chrono_literals;

struct ProcessResult {
  int exit_code = -1;      // the exit status, or 128 + the signal that killed the child
  int term_signal = 0;     // that signal; 0 when the child exited by itself
  bool timed_out = false;  // the child outlived its deadline and was killed
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};  // spawn to exit (or to the kill)
  // The child's peak resident set in KiB: the largest VmHWM read from /proc/PID/status
  // while it ran (sampled every few ms, so a peak reached in its last moments can be
  // missed). Not getrusage's ru_maxrss: exec folds the spawning process's own high-water
  // mark into it. 0 when never sampled.
  long peak_rss_kib = 0;
};

// Resource limits a child starts with (soft = hard, so it cannot raise them), applied by
// prlimit(1), which then execs the program: the child's pid is the program's.
struct Limits {
  std::optional<std::uint64_t> open_files;           // RLIMIT_NOFILE
  std::optional<std::uint64_t> address_space_bytes;  // RLIMIT_AS
  bool empty() const noexcept { return !open_files && !address_space_bytes; }
};

// `argv` prefixed with the prlimit(1) command that applies `limits` (unchanged when empty).
std::vector<std::string> with_limits(std::vector<std::string> argv, const Limits& limits);

// One running child with all three standard streams piped to us. SIGPIPE is ignored in the
// test process (a child that exits early must not kill us through its stdin); the child
// starts with every signal at its default disposition and none blocked.
class ChildProcess {
 public:
  // argv[0] is the program's path. Throws std::system_error when the spawn fails.
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();  // SIGKILLs and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  void send_signal(int signal);

  // Writes `text` to the child's stdin as it accepts it, during the next wait_*; then
  // closes stdin unless `keep_open` (more may be written with another set_stdin).
  void set_stdin(std::string text, bool keep_open = false);
  // Closes our end of the child's stdin now (the child reads end of file).
  void close_stdin();
  // Closes our end of the child's stdout, like `| head -1` after its line: the child's next
  // write to stdout fails with EPIPE (or SIGPIPE). Output not yet read is discarded.
  void close_stdout();

  // Reads until stdout holds at least `n` complete lines; returns them (without their '\n')
  // and keeps the rest buffered. nullopt when stdout ended or `timeout` passed first.
  std::optional<std::vector<std::string>> wait_for_lines(std::size_t n,
                                                         std::chrono::milliseconds timeout);

  // Feeds stdin, drains stdout and stderr, and reaps the child. When the child has not
  // exited after `timeout` it is SIGKILLed and the result says timed_out.
  ProcessResult wait(std::chrono::milliseconds timeout);

 private:
  // One round of poll(): moves bytes in and out. False when nothing is left to pump.
  bool pump(std::chrono::milliseconds budget);
  // Reads what the exited child left in its pipes, for at most `grace`.
  void drain(std::chrono::milliseconds grace);
  bool try_reap();
  // Reads the child's VmHWM into peak_rss_kib_ (while it has not been reaped).
  void sample_peak_rss();

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdin_text_;
  std::size_t stdin_written_ = 0;
  bool keep_stdin_open_ = false;
  std::string out_;
  std::string err_;
  bool reaped_ = false;
  int status_ = 0;
  long peak_rss_kib_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point ended_;
};

// The fetch binary under test: $FETCH_TEST_BINARY when set, else the one this build made.
std::string fetch_binary();

// `argv` prefixed with the env(1) command that removes from the child's environment the
// proxy variables fetch reads (as curl: http_proxy, https_proxy, all_proxy, no_proxy, in
// both cases), so that no test depends on the machine's proxy settings, then sets
// `environment` ("NAME=VALUE" each). Unchanged when there is nothing to remove or set.
std::vector<std::string> with_environment(std::vector<std::string> argv,
                                          const std::vector<std::string>& environment);

// Runs fetch with `args`, `stdin_text` on its stdin (closed after), and waits at most
// `timeout`. A run that needs the kill is also reported as a test failure, with its output,
// so that no test can hang CI. `environment`: see with_environment.
ProcessResult run_fetch(const std::vector<std::string>& args, std::string stdin_text = {},
                        std::chrono::milliseconds timeout = 20s, const Limits& limits = {},
                        const std::vector<std::string>& environment = {});

// Starts fetch without waiting for it (for signal and pipe tests).
ChildProcess start_fetch(const std::vector<std::string>& args, const Limits& limits = {},
                         const std::vector<std::string>& environment = {});

// For servers: spawns argv (argv[0] a path) with stdin from /dev/null and stdout/stderr on
// the given descriptors (-1: inherited from the test), default signal dispositions.
// Throws std::system_error when the spawn fails.
pid_t spawn_server(const std::vector<std::string>& argv, int stdout_fd, int stderr_fd);

// True once `pid` (our child) has exited; reaps it.
bool has_exited(pid_t pid);

// SIGTERM, up to `grace` for the exit, then SIGKILL; always reaps.
void stop_process(pid_t pid, std::chrono::milliseconds grace = 3s);

// "exit 1 after 35 ms\n--- stdout ---\n...\n--- stderr ---\n...": for failure messages.
std::string describe(const ProcessResult& result);

}  // namespace fetch::test
