#pragma once
// --ordered: results back in input order while the fetches run concurrently. Each line takes a
// ticket as it starts; a result that finishes early waits here until every earlier line's has
// gone. The window bounds how far the newest started line may run ahead of the oldest one not
// yet released, so a slow line holds back at most the window, whatever it does: the scheduler
// starts no line while the window is full, and memory stays bounded by it.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

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
  bool full() const noexcept { return slots_.size() >= size_; }
  // The next line's ticket (0, 1, 2, ...). Only when not full().
  std::uint64_t take();
  // The result of the line holding `ticket`, which is out and not yet put.
  void put(std::uint64_t ticket, Result result);
  // The oldest result, once it and every one before it have been put; nullopt until then.
  std::optional<Result> pop_ready();
  // At a stop: the oldest result held, skipping lines that never finished; nullopt when none
  // is left. Input order is kept; the lines skipped never get a record.
  std::optional<Result> pop_any();

  std::size_t size() const noexcept { return size_; }
  // Tickets out and not released: lines in flight, and results held.
  std::size_t outstanding() const noexcept { return slots_.size(); }

 private:
  std::size_t size_;
  std::uint64_t front_ticket_ = 0;           // the oldest ticket not yet released
  std::deque<std::optional<Result>> slots_;  // slots_[i] holds ticket front_ticket_ + i
};

}  // namespace fetch
