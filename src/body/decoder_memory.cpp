#include "fetch/body/decoder_memory.hpp"

#include <cstdlib>
#include <cstring>

namespace fetch {

namespace {

// Every block carries its size in front: zlib, brotli and zstd free without telling it.
constexpr std::size_t kHeader = alignof(std::max_align_t);

}  // namespace

void* DecoderMemory::allocate(std::size_t size) noexcept {
  if (size > budget_ - in_use_ || size > budget_) return nullptr;
  auto* block = static_cast<unsigned char*>(std::malloc(kHeader + size));
  if (block == nullptr) return nullptr;
  std::memcpy(block, &size, sizeof size);
  in_use_ += size;
  return block + kHeader;
}

void DecoderMemory::release(void* pointer) noexcept {
  if (pointer == nullptr) return;
  auto* block = static_cast<unsigned char*>(pointer) - kHeader;
  std::size_t size = 0;
  std::memcpy(&size, block, sizeof size);
  in_use_ -= size;
  std::free(block);
}

void* DecoderMemory::allocate_hook(void* opaque, std::size_t size) noexcept {
  return static_cast<DecoderMemory*>(opaque)->allocate(size);
}

void DecoderMemory::release_hook(void* opaque, void* pointer) noexcept {
  static_cast<DecoderMemory*>(opaque)->release(pointer);
}

}  // namespace fetch
