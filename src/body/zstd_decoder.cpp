// zstd through libzstd, its window capped at 8 MiB.
#include <fmt/format.h>
// ZSTD_createDStream_advanced (custom allocators) is in the "experimental" section of the API.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include "fetch/body/decoder.hpp"

namespace fetch {

namespace {

void* zstd_alloc(void* opaque, std::size_t size) {
  return DecoderMemory::allocate_hook(opaque, size);
}
void zstd_free(void* opaque, void* address) { DecoderMemory::release_hook(opaque, address); }

DecodeFailure out_of_memory() {
  return {errc::decode_memory, "zstd decoding ran out of the decoders' memory budget"};
}

class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder(DecoderMemory& memory, std::span<char> scratch)
      : stream_(ZSTD_createDStream_advanced(ZSTD_customMem{zstd_alloc, zstd_free, &memory})),
        scratch_(scratch) {
    if (stream_ != nullptr) {
      ZSTD_DCtx_setParameter(stream_, ZSTD_d_windowLogMax, static_cast<int>(kZstdWindowLogMax));
    }
  }
  ~ZstdDecoder() override {
    if (stream_ != nullptr) ZSTD_freeDStream(stream_);
  }

  std::optional<DecodeFailure> feed(std::string_view input, DecodedOutput& out) override {
    if (stream_ == nullptr) return out_of_memory();
    fed_ = fed_ || !input.empty();
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    for (;;) {
      ZSTD_outBuffer output{scratch_.data(), scratch_.size(), 0};
      const std::size_t result = ZSTD_decompressStream(stream_, &output, &in);
      if (ZSTD_isError(result)) return failure(result);
      // 0: a frame ended. Another may follow (concatenated frames are one stream).
      frame_ended_ = result == 0;
      if (output.pos > 0 && !out.write({scratch_.data(), output.pos})) return std::nullopt;
      if (in.pos == in.size && output.pos < output.size) return std::nullopt;
    }
  }

  std::optional<DecodeFailure> finish() override {
    if (fed_ && !frame_ended_) return DecodeFailure{errc::decode_corrupt, "zstd stream truncated"};
    return std::nullopt;
  }

 private:
  static DecodeFailure failure(std::size_t result) {
    switch (ZSTD_getErrorCode(result)) {
      case ZSTD_error_memory_allocation:
        return out_of_memory();
      case ZSTD_error_frameParameter_windowTooLarge:
        return {errc::decode_corrupt,
                "zstd window larger than 8 MiB (the limit RFC 9659 allows a client)"};
      default:
        return {errc::decode_corrupt,
                fmt::format("corrupt zstd stream: {}", ZSTD_getErrorName(result))};
    }
  }

  ZSTD_DStream* stream_;
  std::span<char> scratch_;
  bool frame_ended_ = false;
  bool fed_ = false;
};

}  // namespace

std::unique_ptr<Decoder> make_zstd_decoder(DecoderMemory& memory, std::span<char> scratch) {
  return std::make_unique<ZstdDecoder>(memory, scratch);
}

std::unique_ptr<Decoder> make_decoder(std::string_view coding, DecoderMemory& memory,
                                      std::span<char> scratch) {
  if (coding == "gzip" || coding == "x-gzip") return make_zlib_decoder(true, memory, scratch);
  if (coding == "deflate") return make_zlib_decoder(false, memory, scratch);
  if (coding == "br") return make_brotli_decoder(memory, scratch);
  if (coding == "zstd") return make_zstd_decoder(memory, scratch);
  return nullptr;
}

}  // namespace fetch
