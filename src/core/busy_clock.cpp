#include "fetch/core/busy_clock.hpp"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace fetch {

namespace {

// The run-queue wait in /proc/thread-self/schedstat ("cpu_ns wait_ns slices"), or -1 when
// the kernel keeps no schedstats (both read 0 then).
long long run_queue_wait_ns() noexcept {
  static bool available = true;
  if (!available) return -1;
  const int fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  char text[96] = {};
  const ssize_t n = fd >= 0 ? ::read(fd, text, sizeof text - 1) : -1;
  if (fd >= 0) ::close(fd);
  long long cpu = 0;
  long long wait = 0;
  if (n <= 0 || std::sscanf(text, "%lld %lld", &cpu, &wait) != 2 || (cpu == 0 && wait == 0)) {
    available = false;
    return -1;
  }
  return wait;
}

}  // namespace

std::chrono::nanoseconds busy_time() noexcept {
  timespec cpu{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  std::chrono::nanoseconds busy =
      std::chrono::seconds{cpu.tv_sec} + std::chrono::nanoseconds{cpu.tv_nsec};
  if (const long long wait = run_queue_wait_ns(); wait > 0) busy += std::chrono::nanoseconds{wait};
  return busy;
}

std::chrono::nanoseconds idle_since(std::chrono::steady_clock::time_point start,
                                    std::chrono::nanoseconds busy_at_start) noexcept {
  const auto wall = std::chrono::steady_clock::now() - start;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(wall) - (busy_time() - busy_at_start);
}

}  // namespace fetch
