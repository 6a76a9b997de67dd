#pragma once
// One content coding undone as a stream: bytes in, decoded bytes handed on in pieces, never
// the whole body in memory. gzip and deflate (zlib), br (brotli), zstd; as curl's
// content_encoding.c, one writer per coding, chained by BodySink.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "fetch/body/decoder_memory.hpp"
#include "fetch/core/error.hpp"

namespace fetch {

// Where a decoder's output goes: the next decoder, or the counter at the end of the chain.
class DecodedOutput {
 public:
  virtual ~DecodedOutput() = default;
  // False: stop decoding (the body passed a limit, or a later stage failed).
  virtual bool write(std::string_view decoded) = 0;
};

// Why decoding failed: code decode_corrupt or decode_memory, and a message for people.
struct DecodeFailure {
  errc code;
  std::string message;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Decodes `input`, the bytes that follow those fed so far, handing the output to `out`
  // (stopping early, without failure, when `out` says so). Fails on corrupt data, on bytes
  // after the end of the encoded stream, and when the memory budget is spent.
  virtual std::optional<DecodeFailure> feed(std::string_view input, DecodedOutput& out) = 0;
  // The input ended: fails when the encoded stream was cut short. An empty body is fine.
  virtual std::optional<DecodeFailure> finish() = 0;
};

// A decoder for `coding` ("gzip", "x-gzip", "deflate", "br", "zstd"; lower case), writing
// into `scratch`, allocating from `memory`; null for a coding fetch does not decode.
std::unique_ptr<Decoder> make_decoder(std::string_view coding, DecoderMemory& memory,
                                      std::span<char> scratch);

// The same for each library, for the tests.
std::unique_ptr<Decoder> make_zlib_decoder(bool gzip, DecoderMemory& memory,
                                           std::span<char> scratch);
std::unique_ptr<Decoder> make_brotli_decoder(DecoderMemory& memory, std::span<char> scratch);
// zstd windows above this are refused, as RFC 9659 lets a client do for HTTP.
inline constexpr unsigned kZstdWindowLogMax = 23;  // 8 MiB
std::unique_ptr<Decoder> make_zstd_decoder(DecoderMemory& memory, std::span<char> scratch);

}  // namespace fetch
