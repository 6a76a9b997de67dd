#include "fetch/run/reorder_window.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace fetch {

std::size_t ReorderWindow::size_for(unsigned concurrency) noexcept {
  return std::max(kMinimumSize, kSizePerWorker * concurrency);
}

ReorderWindow::ReorderWindow(std::size_t size) : size_(std::max<std::size_t>(size, 1)) {}

std::uint64_t ReorderWindow::take() {
  assert(!full());
  slots_.emplace_back();
  return front_ticket_ + slots_.size() - 1;
}

void ReorderWindow::put(std::uint64_t ticket, Result result) {
  assert(ticket >= front_ticket_ && ticket - front_ticket_ < slots_.size());
  slots_[static_cast<std::size_t>(ticket - front_ticket_)] = std::move(result);
}

std::optional<Result> ReorderWindow::pop_ready() {
  if (slots_.empty() || !slots_.front()) return std::nullopt;
  std::optional<Result> ready = std::move(slots_.front());
  slots_.pop_front();
  ++front_ticket_;
  return ready;
}

std::optional<Result> ReorderWindow::pop_any() {
  while (!slots_.empty()) {
    if (std::optional<Result> ready = pop_ready()) return ready;
    slots_.pop_front();  // a line that never finished
    ++front_ticket_;
  }
  return std::nullopt;
}

}  // namespace fetch
