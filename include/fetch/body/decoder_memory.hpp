#pragma once
// The memory every content decoder of a run may hold, together, and the scratch buffers they
// decode into.
//
// A decoder's state is small for gzip (~45 KiB) but a brotli or zstd stream chooses its own
// window: up to 16 MiB (brotli) or, as fetch caps it, 8 MiB (zstd). With -j 10000 hostile
// streams that would be 160 GiB; with one budget for all, a decoder that would pass it fails
// (decode_memory) and the others go on. The libraries allocate through allocate() and
// release() below.

#include <array>
#include <cstddef>
#include <span>

namespace fetch {

class DecoderMemory {
 public:
  // 512 MiB: 10 000 gzip streams at once, or 32 brotli streams with the largest window.
  static constexpr std::size_t kDefaultBudget = 512u * 1024 * 1024;
  // Each decoding stage writes its output here before handing it on; decoding never
  // suspends, so one buffer per stage serves every response of the run.
  static constexpr std::size_t kScratchSize = 16 * 1024;
  static constexpr std::size_t kMaxStages = 2;  // at most two stacked codings

  explicit DecoderMemory(std::size_t budget = kDefaultBudget) noexcept : budget_(budget) {}
  DecoderMemory(const DecoderMemory&) = delete;
  DecoderMemory& operator=(const DecoderMemory&) = delete;

  // Memory for a decoder, or null when it would pass the budget (or the system refuses).
  void* allocate(std::size_t size) noexcept;
  // Gives back what allocate() returned; null is ignored.
  void release(void* pointer) noexcept;

  std::size_t in_use() const noexcept { return in_use_; }
  std::size_t budget() const noexcept { return budget_; }

  std::span<char> scratch(std::size_t stage) noexcept { return scratch_[stage]; }

  // The libraries' allocation hooks, with `opaque` pointing at a DecoderMemory.
  static void* allocate_hook(void* opaque, std::size_t size) noexcept;
  static void release_hook(void* opaque, void* pointer) noexcept;

 private:
  std::size_t budget_;
  std::size_t in_use_ = 0;
  std::array<std::array<char, kScratchSize>, kMaxStages> scratch_{};
};

}  // namespace fetch
