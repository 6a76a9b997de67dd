// gzip and deflate through zlib.
#include <fmt/format.h>
#include <zlib.h>

#include <string>

#include "fetch/body/decoder.hpp"

namespace fetch {

namespace {

constexpr int kMaxWindowBits = 15;

// RFC 1950 2.2: method 8 (deflate), a window of at most 32 KiB, and the check bits.
bool is_zlib_header(std::string_view head) {
  const auto cmf = static_cast<unsigned char>(head[0]);
  const auto flg = static_cast<unsigned char>(head[1]);
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && (cmf * 256 + flg) % 31 == 0;
}

void* zlib_alloc(void* opaque, unsigned items, unsigned size) {
  const auto bytes = static_cast<std::size_t>(items) * size;
  void* block = DecoderMemory::allocate_hook(opaque, bytes);
  return block != nullptr ? block : Z_NULL;
}

void zlib_free(void* opaque, void* address) { DecoderMemory::release_hook(opaque, address); }

class ZlibDecoder final : public Decoder {
 public:
  ZlibDecoder(bool gzip, DecoderMemory& memory, std::span<char> scratch)
      : gzip_(gzip), memory_(memory), scratch_(scratch) {}
  ~ZlibDecoder() override {
    if (initialised_) inflateEnd(&z_);
  }

  std::optional<DecodeFailure> feed(std::string_view input, DecodedOutput& out) override {
    fed_ = fed_ || !input.empty();
    if (!initialised_) {
      // "deflate" should be zlib-wrapped (RFC 9110 8.4.1.2), but some servers send raw
      // deflate: as browsers and curl do, a stream that does not start with a zlib header is
      // read raw. The header is two bytes; they may come in two reads.
      if (!gzip_ && header_.size() + input.size() < 2) {
        header_.append(input);
        return std::nullopt;
      }
      const std::string head = header_ + std::string{input.substr(0, 2 - header_.size())};
      const bool zlib_header = gzip_ || is_zlib_header(head);
      if (auto failure = init(gzip_ ? 16 + kMaxWindowBits
                                    : (zlib_header ? kMaxWindowBits : -kMaxWindowBits))) {
        return failure;
      }
      if (!header_.empty()) {
        const std::string buffered = std::move(header_);
        header_.clear();
        if (auto failure = inflate_all(buffered, out)) return failure;
      }
    }
    return inflate_all(input, out);
  }

  std::optional<DecodeFailure> finish() override {
    if (fed_ && !ended_) {
      return DecodeFailure{errc::decode_corrupt, fmt::format("{} stream truncated", name())};
    }
    return std::nullopt;
  }

 private:
  const char* name() const noexcept { return gzip_ ? "gzip" : "deflate"; }

  std::optional<DecodeFailure> init(int window_bits) {
    z_ = z_stream{};
    z_.zalloc = zlib_alloc;
    z_.zfree = zlib_free;
    z_.opaque = &memory_;
    const int status = inflateInit2(&z_, window_bits);
    if (status == Z_MEM_ERROR) return out_of_memory();
    if (status != Z_OK) {
      return DecodeFailure{errc::decode_corrupt, fmt::format("cannot start {} decoding", name())};
    }
    initialised_ = true;
    return std::nullopt;
  }

  DecodeFailure out_of_memory() const {
    return {errc::decode_memory,
            fmt::format("{} decoding ran out of the decoders' memory budget", name())};
  }

  std::optional<DecodeFailure> inflate_all(std::string_view input, DecodedOutput& out) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z_.avail_in = static_cast<uInt>(input.size());
    for (;;) {
      if (ended_) {
        if (z_.avail_in == 0) return std::nullopt;
        // Another gzip member may follow (RFC 1952 2.2); anything else is garbage.
        if (!gzip_ || z_.next_in[0] != 0x1f) {
          return DecodeFailure{errc::decode_corrupt,
                               fmt::format("data after the end of the {} stream", name())};
        }
        inflateReset(&z_);
        ended_ = false;
      }
      z_.next_out = reinterpret_cast<Bytef*>(scratch_.data());
      z_.avail_out = static_cast<uInt>(scratch_.size());
      const int status = inflate(&z_, Z_NO_FLUSH);
      const std::size_t produced = scratch_.size() - z_.avail_out;
      if (status == Z_MEM_ERROR) return out_of_memory();
      if (status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_STREAM_ERROR) {
        return DecodeFailure{errc::decode_corrupt,
                             fmt::format("corrupt {} stream: {}", name(),
                                         z_.msg != nullptr ? z_.msg : "invalid data")};
      }
      if (produced > 0 && !out.write({scratch_.data(), produced})) return std::nullopt;
      if (status == Z_STREAM_END) {
        ended_ = true;
        continue;
      }
      if (z_.avail_in == 0 && z_.avail_out != 0) return std::nullopt;  // wants more input
      if (status == Z_BUF_ERROR && produced == 0) return std::nullopt;
    }
  }

  bool gzip_;
  DecoderMemory& memory_;
  std::span<char> scratch_;
  z_stream z_{};
  bool initialised_ = false;
  std::string header_;  // a deflate stream's first byte, until the second says what it is
  bool ended_ = false;
  bool fed_ = false;
};

}  // namespace

std::unique_ptr<Decoder> make_zlib_decoder(bool gzip, DecoderMemory& memory,
                                           std::span<char> scratch) {
  return std::make_unique<ZlibDecoder>(gzip, memory, scratch);
}

}  // namespace fetch
