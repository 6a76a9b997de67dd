#pragma once
// Per-pass values of a run of unknown length in constant memory: at most `capacity` entries,
// spread evenly over the whole run. Every pass is kept until the list is full; then every
// second entry is dropped and only passes that are multiples of the doubled stride are kept
// from then on (stride 1, 2, 4, ...). A run of --duration with a short list has thousands of
// passes; the comparison with a baseline needs a few dozen, from all of the run.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace fetch::stats {

template <class T>
class StridedSamples {
 public:
  using Entry = std::pair<std::uint64_t, T>;  // pass index, value

  explicit StridedSamples(std::size_t capacity = 128)
      : capacity_(std::max<std::size_t>(capacity, 2)) {}

  // Whether pass `pass` is kept at the current stride (the caller may skip computing it).
  bool wants(std::uint64_t pass) const noexcept { return pass % stride_ == 0; }

  // Keeps `value` of pass `pass` when wanted. Passes come in increasing order; a pass may
  // have several values (merged from several runs of the same list).
  void add(std::uint64_t pass, T value) {
    if (!wants(pass)) return;
    entries_.emplace_back(pass, std::move(value));
    shrink();
  }

  // Adds every entry of `other` (in any order of passes), at the coarser of the two strides.
  void merge(const StridedSamples& other) {
    stride_ = std::max(stride_, other.stride_);
    entries_.insert(entries_.end(), other.entries_.begin(), other.entries_.end());
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry& a, const Entry& b) { return a.first < b.first; });
    std::erase_if(entries_, [this](const Entry& e) { return !wants(e.first); });
    shrink();
  }

  // For readers of an exported form: the stride it was written with.
  void set_stride(std::uint64_t stride) noexcept { stride_ = std::max<std::uint64_t>(stride, 1); }

  const std::vector<Entry>& entries() const noexcept { return entries_; }
  std::vector<Entry>& entries() noexcept { return entries_; }
  std::uint64_t stride() const noexcept { return stride_; }
  std::size_t capacity() const noexcept { return capacity_; }

  friend bool operator==(const StridedSamples&, const StridedSamples&) = default;

 private:
  void shrink() {
    while (entries_.size() > capacity_) {
      std::uint64_t last = 0;
      for (const Entry& entry : entries_) last = std::max(last, entry.first);
      if (stride_ > last) {  // only pass 0 is left (merged from many documents): keep its first
        entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(capacity_), entries_.end());
        return;
      }
      stride_ *= 2;
      std::erase_if(entries_, [this](const Entry& e) { return !wants(e.first); });
    }
  }

  std::size_t capacity_;
  std::uint64_t stride_ = 1;
  std::vector<Entry> entries_;
};

}  // namespace fetch::stats
