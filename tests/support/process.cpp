#include "support/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

extern char** environ;

namespace fetch::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSetpriv = "/usr/bin/setpriv";
constexpr const char* kPrlimit = "/usr/bin/prlimit";
constexpr const char* kEnv = "/usr/bin/env";

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
  return {fds[0], fds[1]};
}

void ignore_sigpipe_once() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

// posix_spawn with every signal at its default disposition and none blocked, whatever the
// test process did to its own signals. Consumes `actions`. Returns the pid or throws.
pid_t spawn(const std::vector<std::string>& argv, posix_spawn_file_actions_t& actions) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> copy = argv;
  std::vector<char*> c_argv;
  for (auto& arg : copy) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw_errno(rc, "posix_spawn " + argv.at(0));
  return pid;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv) : argv_(std::move(argv)) {
  ignore_sigpipe_once();
  Pipe in = make_pipe();
  Pipe out = make_pipe();
  Pipe err = make_pipe();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);

  started_ = Clock::now();
  try {
    pid_ = spawn(argv_, actions);
  } catch (...) {
    for (int fd : {in.read, in.write, out.read, out.write, err.read, err.write}) ::close(fd);
    throw;
  }
  ::close(in.read);
  ::close(out.write);
  ::close(err.write);
  stdin_fd_ = in.write;
  stdout_fd_ = out.read;
  stderr_fd_ = err.read;
  ::fcntl(stdin_fd_, F_SETFL, O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);
}

void ChildProcess::send_signal(int signal) {
  if (!reaped_) ::kill(pid_, signal);
}

void ChildProcess::set_stdin(std::string text, bool keep_open) {
  stdin_text_ = std::move(text);
  stdin_written_ = 0;
  keep_stdin_open_ = keep_open;
}

void ChildProcess::close_stdin() { close_fd(stdin_fd_); }

void ChildProcess::close_stdout() {
  close_fd(stdout_fd_);
  out_.clear();
}

void ChildProcess::sample_peak_rss() {
  if (reaped_) return;
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) {
      peak_rss_kib_ = std::max(peak_rss_kib_, std::atol(line.c_str() + 6));
      return;
    }
  }
}

bool ChildProcess::try_reap() {
  if (reaped_) return true;
  sample_peak_rss();
  const pid_t rc = ::waitpid(pid_, &status_, WNOHANG);
  if (rc == pid_) {
    reaped_ = true;
    ended_ = Clock::now();
  }
  return reaped_;
}

bool ChildProcess::pump(std::chrono::milliseconds budget) {
  const bool stdin_pending = stdin_written_ < stdin_text_.size();
  if (stdin_fd_ >= 0 && !stdin_pending && !keep_stdin_open_) close_fd(stdin_fd_);

  std::vector<pollfd> fds;
  if (stdin_fd_ >= 0 && stdin_pending) fds.push_back({stdin_fd_, POLLOUT, 0});
  if (stdout_fd_ >= 0) fds.push_back({stdout_fd_, POLLIN, 0});
  if (stderr_fd_ >= 0) fds.push_back({stderr_fd_, POLLIN, 0});
  if (fds.empty()) return false;

  const int timeout_ms =
      static_cast<int>(std::max<std::chrono::milliseconds::rep>(budget.count(), 0));
  const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
  if (ready < 0 && errno != EINTR) throw_errno(errno, "poll");
  if (ready <= 0) return true;

  char buffer[65536];
  for (const pollfd& p : fds) {
    if (p.revents == 0) continue;
    if (p.fd == stdin_fd_) {
      const ssize_t n = ::write(stdin_fd_, stdin_text_.data() + stdin_written_,
                                stdin_text_.size() - stdin_written_);
      if (n > 0) {
        stdin_written_ += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        close_fd(stdin_fd_);  // the child closed its stdin or exited: EPIPE
      }
      continue;
    }
    const bool is_out = p.fd == stdout_fd_;
    const ssize_t n = ::read(p.fd, buffer, sizeof buffer);
    if (n > 0) {
      (is_out ? out_ : err_).append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      close_fd(is_out ? stdout_fd_ : stderr_fd_);
    }
  }
  return true;
}

std::optional<std::vector<std::string>> ChildProcess::wait_for_lines(
    std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto complete_lines = [&] {
    return static_cast<std::size_t>(std::count(out_.begin(), out_.end(), '\n'));
  };
  while (complete_lines() < n) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms || stdout_fd_ < 0) return std::nullopt;
    sample_peak_rss();
    pump(std::min(left, 50ms));
  }
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t end = out_.find('\n', start);
    lines.emplace_back(out_.substr(start, end - start));
    start = end + 1;
  }
  out_.erase(0, start);
  return lines;
}

void ChildProcess::drain(std::chrono::milliseconds grace) {
  // The pipes end soon after the child does, unless a grandchild holds them open.
  const auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline && (stdout_fd_ >= 0 || stderr_fd_ >= 0) && pump(10ms)) {
  }
}

ProcessResult ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  ProcessResult result;
  for (;;) {
    if (try_reap()) {
      drain(200ms);
      break;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) break;
    if (!pump(std::min(left, 20ms))) std::this_thread::sleep_for(2ms);
  }
  if (!try_reap()) {
    result.timed_out = true;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    reaped_ = true;
    ended_ = Clock::now();
    drain(200ms);  // whatever the child wrote before the kill is still worth showing
  }
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);

  if (WIFEXITED(status_)) {
    result.exit_code = WEXITSTATUS(status_);
  } else if (WIFSIGNALED(status_)) {
    result.term_signal = WTERMSIG(status_);
    result.exit_code = 128 + result.term_signal;
  }
  result.out = std::move(out_);
  result.err = std::move(err_);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(ended_ - started_);
  result.peak_rss_kib = peak_rss_kib_;
  // In a sanitizer build, a report from the child must fail the test that ran it, whatever
  // that test checks (many tests do not look at stderr or the exit status).
  for (std::string_view report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                  "runtime error:", "WARNING: AddressSanitizer"}) {
    if (result.err.find(report) != std::string::npos) {
      ADD_FAILURE() << "sanitizer report from " << argv_.front() << ":\n" << result.err;
      break;
    }
  }
  return result;
}

pid_t spawn_server(const std::vector<std::string>& argv, int stdout_fd, int stderr_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  // A test that crashes never runs the destructor that stops its servers: have the kernel
  // kill them when we die. setpriv execs the server, so the pid stays the server's.
  static const bool have_setpriv = ::access(kSetpriv, X_OK) == 0;
  if (!have_setpriv) return spawn(argv, actions);
  std::vector<std::string> wrapped{kSetpriv, "--pdeathsig", "KILL", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return spawn(wrapped, actions);
}

bool has_exited(pid_t pid) {
  int status = 0;
  const pid_t rc = ::waitpid(pid, &status, WNOHANG);
  return rc == pid || (rc < 0 && errno == ECHILD);
}

void stop_process(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0 || has_exited(pid)) return;
  ::kill(pid, SIGTERM);
  const auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (has_exited(pid)) return;
    std::this_thread::sleep_for(5ms);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

std::string fetch_binary() {
  if (const char* override_path = std::getenv("FETCH_TEST_BINARY");
      override_path && *override_path) {
    return override_path;
  }
  return FETCH_BINARY;
}

std::vector<std::string> with_limits(std::vector<std::string> argv, const Limits& limits) {
  if (limits.empty()) return argv;
  std::vector<std::string> wrapped{kPrlimit};
  if (limits.open_files) {
    const std::string n = std::to_string(*limits.open_files);
    wrapped.push_back("--nofile=" + n + ":" + n);
  }
  if (limits.address_space_bytes) {
    const std::string n = std::to_string(*limits.address_space_bytes);
    wrapped.push_back("--as=" + n + ":" + n);
  }
  wrapped.push_back("--");
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

std::vector<std::string> with_environment(std::vector<std::string> argv,
                                          const std::vector<std::string>& environment) {
  static constexpr const char* kProxyVariables[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                                    "HTTPS_PROXY", "all_proxy",  "ALL_PROXY",
                                                    "no_proxy",    "NO_PROXY"};
  std::vector<std::string> wrapped{kEnv};
  for (const char* name : kProxyVariables) {
    if (std::getenv(name) != nullptr) {
      wrapped.push_back("-u");
      wrapped.push_back(name);
    }
  }
  if (wrapped.size() == 1 && environment.empty()) return argv;
  wrapped.insert(wrapped.end(), environment.begin(), environment.end());
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

ChildProcess start_fetch(const std::vector<std::string>& args, const Limits& limits,
                         const std::vector<std::string>& environment) {
  std::vector<std::string> argv{fetch_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return ChildProcess(with_limits(with_environment(std::move(argv), environment), limits));
}

ProcessResult run_fetch(const std::vector<std::string>& args, std::string stdin_text,
                        std::chrono::milliseconds timeout, const Limits& limits,
                        const std::vector<std::string>& environment) {
  ChildProcess child = start_fetch(args, limits, environment);
  child.set_stdin(std::move(stdin_text));
  ProcessResult result = child.wait(timeout);
  if (result.timed_out) {
    std::ostringstream command;
    command << "fetch";
    for (const auto& arg : args) command << ' ' << arg;
    ADD_FAILURE() << "fetch did not finish within " << timeout.count()
                  << " ms and was killed: " << command.str() << "\n"
                  << describe(result);
  }
  return result;
}

std::string describe(const ProcessResult& result) {
  std::ostringstream text;
  if (result.timed_out) {
    text << "killed after timeout";
  } else if (result.term_signal != 0) {
    text << "killed by signal " << result.term_signal << " (" << ::strsignal(result.term_signal)
         << ")";
  } else {
    text << "exit " << result.exit_code;
  }
  text << " after " << result.elapsed.count() << " ms\n--- stdout ---\n"
       << result.out << "--- stderr ---\n"
       << result.err << "--------------";
  return text.str();
}

}  // namespace fetch::test
