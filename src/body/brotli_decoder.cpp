// br through brotli's decoder.
#include <brotli/decode.h>
#include <fmt/format.h>

#include "fetch/body/decoder.hpp"

namespace fetch {

namespace {

void* brotli_alloc(void* opaque, std::size_t size) {
  return DecoderMemory::allocate_hook(opaque, size);
}
void brotli_free(void* opaque, void* address) { DecoderMemory::release_hook(opaque, address); }

DecodeFailure out_of_memory() {
  return {errc::decode_memory, "br decoding ran out of the decoders' memory budget"};
}

class BrotliDecoder final : public Decoder {
 public:
  BrotliDecoder(DecoderMemory& memory, std::span<char> scratch)
      : state_(BrotliDecoderCreateInstance(brotli_alloc, brotli_free, &memory)),
        scratch_(scratch) {}
  ~BrotliDecoder() override {
    if (state_ != nullptr) BrotliDecoderDestroyInstance(state_);
  }

  std::optional<DecodeFailure> feed(std::string_view input, DecodedOutput& out) override {
    if (state_ == nullptr) return out_of_memory();
    fed_ = fed_ || !input.empty();
    if (ended_ && !input.empty()) return trailing();
    std::size_t available_in = input.size();
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(input.data());
    for (;;) {
      std::size_t available_out = scratch_.size();
      auto* next_out = reinterpret_cast<std::uint8_t*>(scratch_.data());
      const BrotliDecoderResult result = BrotliDecoderDecompressStream(
          state_, &available_in, &next_in, &available_out, &next_out, nullptr);
      const std::size_t produced = scratch_.size() - available_out;
      if (result == BROTLI_DECODER_RESULT_ERROR) {
        const BrotliDecoderErrorCode code = BrotliDecoderGetErrorCode(state_);
        // The allocation errors are -21 to -30 (brotli/decode.h).
        if (code <= BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES &&
            code >= BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES) {
          return out_of_memory();
        }
        return DecodeFailure{errc::decode_corrupt,
                             fmt::format("corrupt br stream: {}", BrotliDecoderErrorString(code))};
      }
      if (produced > 0 && !out.write({scratch_.data(), produced})) return std::nullopt;
      if (result == BROTLI_DECODER_RESULT_SUCCESS) {
        ended_ = true;
        return available_in > 0 ? std::optional{trailing()} : std::nullopt;
      }
      if (result == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return std::nullopt;
    }
  }

  std::optional<DecodeFailure> finish() override {
    if (fed_ && !ended_) return DecodeFailure{errc::decode_corrupt, "br stream truncated"};
    return std::nullopt;
  }

 private:
  static DecodeFailure trailing() {
    return {errc::decode_corrupt, "data after the end of the br stream"};
  }

  BrotliDecoderState* state_;
  std::span<char> scratch_;
  bool ended_ = false;
  bool fed_ = false;
};

}  // namespace

std::unique_ptr<Decoder> make_brotli_decoder(DecoderMemory& memory, std::span<char> scratch) {
  return std::make_unique<BrotliDecoder>(memory, scratch);
}

}  // namespace fetch
