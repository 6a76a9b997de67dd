#include "fetch/run/reorder_window.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace fetch {
namespace {

constexpr std::size_t kFirstSlots = 64;

}  // namespace

std::size_t ReorderWindow::size_for(unsigned concurrency) noexcept {
  return std::max(kMinimumSize, kSizePerWorker * concurrency);
}

ReorderWindow::ReorderWindow(std::size_t size)
    : size_(std::max<std::size_t>(size, 1)), slots_(kFirstSlots) {}

std::uint64_t ReorderWindow::take() {
  assert(!full());
  if (next_ - front_ == slots_.size()) grow();
  return next_++;
}

// Doubles the ring; each waiting result moves to its ticket's slot in the larger one.
void ReorderWindow::grow() {
  std::vector<std::optional<Result>> larger(slots_.size() * 2);
  for (std::uint64_t ticket = front_; ticket != next_; ++ticket) {
    larger[static_cast<std::size_t>(ticket) & (larger.size() - 1)] = std::move(slot(ticket));
  }
  slots_.swap(larger);
}

void ReorderWindow::put(std::uint64_t ticket, Result&& result) {
  assert(ticket >= front_ && ticket < next_);
  slot(ticket).emplace(std::move(result));
}

const Result* ReorderWindow::ready() const noexcept {
  if (front_ == next_ || !slot(front_)) return nullptr;
  return &*slot(front_);
}

void ReorderWindow::pop() noexcept {
  assert(front_ != next_);
  slot(front_).reset();
  ++front_;
}

const Result* ReorderWindow::held() noexcept {
  while (front_ != next_ && !slot(front_)) ++front_;  // lines that never finished
  return front_ == next_ ? nullptr : &*slot(front_);
}

}  // namespace fetch
