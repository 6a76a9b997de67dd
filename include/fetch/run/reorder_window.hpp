#pragma once
// --ordered: results back in input order while the fetches run concurrently. Each line takes a
// ticket as it starts; a result that finishes early waits here until every earlier line's has
// gone. The window bounds how far the newest started line may run ahead of the oldest one not
// yet released, so a slow line holds back at most the window, whatever it does: the scheduler
// starts no line while the window is full, and memory stays bounded by it.
//
// The results wait in a ring of slots indexed by ticket, grown by doubling as far as the window
// needs and never shrunk: a run that keeps up allocates nothing per line, and the sink reads
// each result where it waits.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "fetch/client/result.hpp"

namespace fetch {

class ReorderWindow {
 public:
  // Lines started or finished beyond the oldest unreleased one: at least this many...
  static constexpr std::size_t kMinimumSize = 1024;
  // ... and this many per URL in flight (-j), so that a slow line leaves room for the others.
  static constexpr std::size_t kSizePerWorker = 4;
  // The window for -j `concurrency`.
  static std::size_t size_for(unsigned concurrency) noexcept;

  explicit ReorderWindow(std::size_t size);

  // True while `size` tickets are out and not released: no line may start.
  bool full() const noexcept { return next_ - front_ >= size_; }
  // The next line's ticket (0, 1, 2, ...). Only when not full().
  std::uint64_t take();
  // The result of the line holding `ticket`, which is out and not yet put.
  void put(std::uint64_t ticket, Result&& result);
  // The oldest result once it and every one before it are in, else null. Valid until pop().
  const Result* ready() const noexcept;
  // Releases the oldest ticket (after ready() or held() returned its result).
  void pop() noexcept;
  // At a stop: skips the oldest tickets whose lines never finished, and returns the oldest
  // result left, or null when none is. Input order is kept; the lines skipped get no record.
  const Result* held() noexcept;

  std::size_t size() const noexcept { return size_; }
  // Tickets out and not released: lines in flight, and results held.
  std::size_t outstanding() const noexcept { return static_cast<std::size_t>(next_ - front_); }

 private:
  std::optional<Result>& slot(std::uint64_t ticket) noexcept {
    return slots_[static_cast<std::size_t>(ticket) & (slots_.size() - 1)];
  }
  const std::optional<Result>& slot(std::uint64_t ticket) const noexcept {
    return slots_[static_cast<std::size_t>(ticket) & (slots_.size() - 1)];
  }
  void grow();

  std::size_t size_;
  std::uint64_t front_ = 0;                   // the oldest ticket not yet released
  std::uint64_t next_ = 0;                    // the next ticket to take
  std::vector<std::optional<Result>> slots_;  // a power of two of them
};

}  // namespace fetch
