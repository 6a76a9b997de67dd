// The body chain: every coding decoded as a stream (whole, or a byte at a time), stacked
// codings, unknown ones, corrupt and cut streams, trailing junk, and the guards against
// decompression bombs: --max-filesize on decoded bytes, the ratio cap, the zstd window cap and
// the one memory budget of all decoders. Test data is made with the libraries' own encoders.
#define ZSTD_STATIC_LINKING_ONLY
#include "fetch/body/body_sink.hpp"

#include <brotli/encode.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>
#include <vector>

namespace fetch {
namespace {

// Text that compresses as a web page does, ~4:1.
std::string page(std::size_t size) {
  std::string out;
  std::mt19937 rng(7);
  const char* words[] = {"the ",  "fetch ", "of ",      "<div class=\"x\">",
                         "many ", "URLs ",  "</div>\n", "and ",
                         "HTTP ", "timing "};
  while (out.size() < size) out += words[rng() % 10];
  out.resize(size);
  return out;
}

std::string zlib_encode(std::string_view in, int window_bits) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}
std::string gzip(std::string_view in) { return zlib_encode(in, 16 + 15); }
std::string zlib_deflate(std::string_view in) { return zlib_encode(in, 15); }
std::string raw_deflate(std::string_view in) { return zlib_encode(in, -15); }

std::string brotli(std::string_view in, int window = BROTLI_DEFAULT_WINDOW) {
  std::size_t size = BrotliEncoderMaxCompressedSize(in.size()) + 64;
  std::string out(size, '\0');
  BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, window, BROTLI_MODE_TEXT, in.size(),
                        reinterpret_cast<const std::uint8_t*>(in.data()), &size,
                        reinterpret_cast<std::uint8_t*>(out.data()));
  out.resize(size);
  return out;
}

// A zstd frame whose window is 2^window_log, whatever the content's size.
std::string zstd(std::string_view in, int window_log = 19) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::string out(ZSTD_compressBound(in.size()) + 64, '\0');
  ZSTD_outBuffer output{out.data(), out.size(), 0};
  // In two calls, so that the encoder cannot know the size and shrink the window to it.
  ZSTD_inBuffer first{in.data(), in.size() / 2, 0};
  ZSTD_compressStream2(cctx, &output, &first, ZSTD_e_continue);
  ZSTD_inBuffer rest{in.data() + in.size() / 2, in.size() - in.size() / 2, 0};
  ZSTD_compressStream2(cctx, &output, &rest, ZSTD_e_end);
  out.resize(output.pos);
  ZSTD_freeCCtx(cctx);
  return out;
}

struct Decoded {
  bool ok = false;
  std::optional<DecodeFailure> failure;
  std::uint64_t wire = 0;
  std::uint64_t decoded = 0;
  std::string encoding;
};

// Feeds `wire` to a sink for a 200 with `coding`, `step` bytes at a time, then finishes it.
Decoded decode(std::string_view wire, std::string_view coding, std::size_t step = 1 << 20,
               std::optional<std::uint64_t> limit = std::nullopt, DecoderMemory* memory = nullptr) {
  DecoderMemory own;
  BodySink sink{limit, false, memory ? memory : &own};
  bool ok = sink.start(200, false, coding, true);
  for (std::size_t at = 0; ok && at < wire.size(); at += step)
    ok = sink.data(wire.substr(at, step));
  ok = ok && sink.finish();
  return {ok, sink.failure(), sink.wire_bytes(), sink.decoded_bytes(), sink.content_encoding()};
}

struct Coding {
  const char* name;
  const char* header;
  std::string (*encode)(std::string_view);
};
void PrintTo(const Coding& coding, std::ostream* out) { *out << coding.name; }

class EachCoding : public ::testing::TestWithParam<Coding> {};

TEST_P(EachCoding, DecodesWholeOrAByteAtATime) {
  const std::string body = page(100 * 1024);
  const std::string wire = GetParam().encode(body);
  ASSERT_LT(wire.size(), body.size() / 2);
  for (const std::size_t step : {std::size_t{1}, std::size_t{1000}, wire.size()}) {
    const Decoded d = decode(wire, GetParam().header, step);
    ASSERT_TRUE(d.ok) << d.failure->message << " (step " << step << ")";
    EXPECT_EQ(d.decoded, body.size());
    EXPECT_EQ(d.wire, wire.size());
  }
}

TEST_P(EachCoding, ACutStreamIsCorrupt) {
  const std::string wire = GetParam().encode(page(10000));
  const Decoded d = decode(std::string_view{wire}.substr(0, wire.size() / 2), GetParam().header);
  ASSERT_FALSE(d.ok);
  EXPECT_EQ(d.failure->code, errc::decode_corrupt);
  EXPECT_NE(d.failure->message.find("truncated"), std::string::npos) << d.failure->message;
}

TEST_P(EachCoding, JunkAfterTheStreamIsCorrupt) {
  const Decoded d = decode(GetParam().encode(page(10000)) + "trailing junk", GetParam().header);
  ASSERT_FALSE(d.ok);
  EXPECT_EQ(d.failure->code, errc::decode_corrupt);
}

TEST_P(EachCoding, AnEmptyBodyIsFine) { EXPECT_TRUE(decode("", GetParam().header).ok); }

INSTANTIATE_TEST_SUITE_P(
    Codings, EachCoding,
    ::testing::Values(Coding{"Gzip", "gzip", gzip}, Coding{"XGzip", "x-gzip", gzip},
                      Coding{"Deflate", "deflate", zlib_deflate},
                      Coding{"RawDeflate", "deflate", raw_deflate},
                      Coding{"Brotli", "br", [](std::string_view in) { return brotli(in); }},
                      Coding{"Zstd", "zstd", [](std::string_view in) { return zstd(in); }}),
    [](const ::testing::TestParamInfo<Coding>& info) { return std::string(info.param.name); });

TEST(BodySink, CorruptBytesAreCorrupt) {
  for (const char* coding : {"gzip", "deflate", "br", "zstd"}) {
    const Decoded d = decode("\x1f\x8b this is not compressed at all, not even close", coding);
    ASSERT_FALSE(d.ok) << coding;
    EXPECT_EQ(d.failure->code, errc::decode_corrupt) << coding;
  }
}

TEST(BodySink, ConcatenatedGzipMembersAreOneBody) {
  const Decoded d = decode(gzip("first ") + gzip("second"), "gzip", 3);
  ASSERT_TRUE(d.ok) << d.failure->message;
  EXPECT_EQ(d.decoded, 12u);
}

TEST(BodySink, StackedCodingsAreUndoneLastFirst) {
  const std::string body = page(50000);
  const Decoded d = decode(brotli(gzip(body)), "gzip, br", 7);
  ASSERT_TRUE(d.ok) << d.failure->message;
  EXPECT_EQ(d.decoded, body.size());
  EXPECT_EQ(d.encoding, "gzip, br");
}

TEST(BodySink, AtMostTwoCodings) {
  const Decoded d = decode(gzip(gzip(gzip("x"))), "gzip, gzip, gzip");
  ASSERT_FALSE(d.ok);
  EXPECT_EQ(d.failure->code, errc::decode_too_many_codings);
}

TEST(BodySink, AnUnknownCodingIsReportedAndCountedAsItCame) {
  const Decoded d = decode("compressed by something else", "Identity, compress");
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.encoding, "compress");
  EXPECT_EQ(d.decoded, d.wire);
}

TEST(BodySink, NoBodyNoDecodingWhateverTheCoding) {
  DecoderMemory memory;
  BodySink sink{std::nullopt, false, &memory};
  EXPECT_TRUE(sink.start(304, false, "gzip, gzip, gzip", false));
  EXPECT_TRUE(sink.finish());
  EXPECT_EQ(sink.content_encoding(), "gzip, gzip, gzip");
}

TEST(BodySink, MaxFilesizeBoundsTheDecodedBytes) {
  const std::string wire = gzip(page(100000));
  const Decoded d = decode(wire, "gzip", 1000, 50000);
  ASSERT_FALSE(d.ok);
  EXPECT_EQ(d.failure->code, errc::body_too_large);
  EXPECT_LE(d.decoded, 50000u + DecoderMemory::kScratchSize);
}

TEST(BodySink, ABombStopsAtTheRatioCap) {
  // 64 MiB of zeros: a few hundred bytes of brotli, a few KiB of zstd.
  const std::string zeros(64 * 1024 * 1024, '\0');
  for (const auto& [coding, wire] :
       {std::pair{"br", brotli(zeros)}, std::pair{"zstd", zstd(zeros)}}) {
    const Decoded d = decode(wire, coding);
    ASSERT_FALSE(d.ok) << coding;
    EXPECT_EQ(d.failure->code, errc::decode_bomb) << coding;
    EXPECT_LT(d.decoded, 2 * BodySink::kRatioFreeBytes + BodySink::kMaxRatio * d.wire) << coding;
  }
  EXPECT_TRUE(decode(gzip(page(4 * 1024 * 1024)), "gzip").ok) << "a page compresses ~4:1";
}

TEST(BodySink, ZstdWindowsAboveEightMibAreRefused) {
  const std::string body = page(100000);
  EXPECT_TRUE(decode(zstd(body, 23), "zstd").ok);
  const Decoded d = decode(zstd(body, 24), "zstd");
  ASSERT_FALSE(d.ok);
  EXPECT_EQ(d.failure->code, errc::decode_corrupt);
  EXPECT_NE(d.failure->message.find("8 MiB"), std::string::npos);
}

TEST(BodySink, AllDecodersShareOneMemoryBudget) {
  // Ten thousand hostile streams at once, each with brotli's largest window (16 MiB): the
  // budget holds, those past it fail with decode_memory, and everything comes back.
  DecoderMemory memory;
  const std::string wire = brotli(page(64 * 1024), 24);
  std::vector<BodySink> sinks;
  sinks.reserve(10000);
  std::size_t refused = 0;
  for (int i = 0; i < 10000; ++i) {
    BodySink& sink = sinks.emplace_back(std::nullopt, false, &memory);
    ASSERT_TRUE(sink.start(200, false, "br", true));
    if (!sink.data(std::string_view{wire}.substr(0, wire.size() / 2))) {
      ASSERT_EQ(sink.failure()->code, errc::decode_memory) << sink.failure()->message;
      ++refused;
    }
    ASSERT_LE(memory.in_use(), memory.budget());
  }
  EXPECT_GT(refused, 0u) << "the budget was never reached";
  EXPECT_LT(refused, 10000u);
  sinks.clear();
  EXPECT_EQ(memory.in_use(), 0u);
}

TEST(BodySink, RemembersWhenTheResponseStarted) {
  // -w's %{time_starttransfer} is measured here, for every protocol that feeds the sink.
  BodySink sink;
  EXPECT_FALSE(sink.started_at());
  const auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(sink.start(200, false, "", true));
  ASSERT_TRUE(sink.started_at());
  EXPECT_GE(*sink.started_at(), before);
  EXPECT_LE(*sink.started_at(), std::chrono::steady_clock::now());
  sink.reset();  // the next hop
  EXPECT_FALSE(sink.started_at());
}

}  // namespace
}  // namespace fetch
