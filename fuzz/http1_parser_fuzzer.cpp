// fuzz_http1_parser: any bytes as an HTTP/1.1 response, straight into the sans-io parser.
//
// Thousands of inputs a second (no sockets, no coroutines), so that the framing rules (line
// endings, Transfer-Encoding and Content-Length in every order, chunk sizes, trailers, heads
// split anywhere) get far more coverage than fuzz_response can give them.
//
// Input layout: byte 0 steers, the rest is the response.
//   bit 0:    the request was HEAD
//   bit 1:    the connection closes after the bytes (end_of_stream), cleanly
//   bit 2:    ... or cut (as a TLS stream without close_notify)
//   bits 3-4: --max-filesize none, 0, 16, 1 MiB
//   bits 5-7: where the bytes are split into reads (see split_points)
//
// Invariants checked:
//   - parse() consumes no more than it is given, and makes progress until done or failed;
//   - the outcome does not depend on how the bytes are split into reads (whole, one byte at a
//     time, or the steered split): same status, state, failure code, and, unless it failed,
//     body count and consumption (for a coded body: the same status and head);
//   - the sink never receives more than --max-filesize; a complete length-framed body has its
//     Content-Length; a failure's message is printable text without any server byte that
//     could drive a terminal; nothing is consumed after the response ends.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/http1/response_parser.hpp"
#include "printable.hpp"

namespace {

using fetch::BodySink;
using fetch::ResponseParser;

[[noreturn]] void violated(const char* what, std::string_view input) {
  std::fprintf(stderr, "\nfuzz_http1_parser: invariant violated: %s\n  input: \"%s\"\n", what,
               fetch::fuzz::printable(input, 600).c_str());
  std::fflush(stderr);
  __builtin_trap();
}

#define CHECK(cond, input)                 \
  do {                                     \
    if (!(cond)) violated(#cond, (input)); \
  } while (false)

struct Settings {
  bool head = false;
  bool end = false;
  bool cut = false;
  std::optional<std::uint64_t> limit;
  unsigned split = 0;
};

struct Outcome {
  bool done = false;
  bool failed = false;
  fetch::errc code{};
  unsigned status = 0;
  bool head_complete = false;
  std::uint64_t body = 0;
  std::uint64_t consumed = 0;
  std::optional<std::uint64_t> content_length;
  bool keep_alive = false;
  bool coded = false;  // the body named a content coding

  bool operator==(const Outcome&) const = default;
};

bool fit_for_terminal(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return false;
  }
  return true;
}

// Feeds `bytes` in reads of `sizes` (cycled), carrying unconsumed bytes over as a read
// buffer does, and checks what each call may do.
Outcome run(std::string_view bytes, const Settings& settings, const std::vector<std::size_t>& sizes,
            std::string_view input) {
  fetch::DecoderMemory memory;
  BodySink body{settings.limit, false, &memory};
  ResponseParser parser{body, settings.head};
  std::string pending;
  std::size_t at = 0;
  for (std::size_t read = 0; at < bytes.size() && !parser.done() && !parser.failure(); ++read) {
    const std::size_t size = sizes[read % sizes.size()];
    pending.append(bytes.substr(at, size));
    at += size;
    const std::size_t used = parser.parse(pending);
    CHECK(used <= pending.size(), input);
    CHECK(used == pending.size() || parser.done() || parser.failure(), input);
    pending.erase(0, used);
  }
  if (parser.done() || parser.failure()) {
    CHECK(parser.parse("more bytes") == 0, input);
  }
  if (settings.end && !parser.done() && !parser.failure()) {
    parser.end_of_stream(settings.cut ? "TLS connection cut without close_notify" : "");
  }
  Outcome outcome;
  outcome.done = parser.done();
  outcome.failed = parser.failure().has_value();
  if (parser.failure()) {
    outcome.code = parser.failure()->code;
    CHECK(!parser.failure()->message.empty(), input);
    CHECK(fit_for_terminal(parser.failure()->message), input);
  }
  outcome.status = parser.status();
  outcome.head_complete = parser.head_complete();
  outcome.body = parser.body_bytes();
  outcome.consumed = parser.bytes_consumed();
  outcome.content_length = parser.content_length();
  outcome.keep_alive = parser.keep_alive();
  outcome.coded = !body.content_encoding().empty();
  CHECK(outcome.body == body.wire_bytes(), input);
  if (settings.limit) CHECK(body.decoded_bytes() <= *settings.limit + fetch::DecoderMemory::kScratchSize, input);
  CHECK(outcome.body <= outcome.consumed, input);
  CHECK(outcome.consumed <= bytes.size(), input);
  if (outcome.status != 0) CHECK(outcome.status >= 100 && outcome.status <= 599, input);
  if (settings.limit) CHECK(outcome.body <= *settings.limit, input);
  if (outcome.done && outcome.content_length && !settings.head && outcome.status != 204 &&
      outcome.status != 304) {
    CHECK(outcome.body == *outcome.content_length, input);
  }
  if (outcome.keep_alive) CHECK(outcome.done, input);
  return outcome;
}

std::vector<std::size_t> split_points(unsigned steer, std::size_t length) {
  switch (steer) {
    case 0:
      return {length + 1};  // whole
    case 1:
      return {1};  // one byte at a time
    case 2:
      return {2, 3};
    case 3:
      return {7};
    case 4:
      return {length / 2 + 1};
    case 5:
      return {16, 1};
    case 6:
      return {4096};
    default:
      return {3, 64};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t steer = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr std::optional<std::uint64_t> limits[] = {std::nullopt, 0, 16, 1024 * 1024};
  Settings settings;
  settings.head = (steer & 1) != 0;
  settings.end = (steer & 2) != 0;
  settings.cut = (steer & 4) != 0;
  settings.limit = limits[(steer >> 3) & 3];
  settings.split = steer >> 5;

  Outcome whole = run(bytes, settings, {bytes.size() + 1}, bytes);
  Outcome bytewise = run(bytes, settings, {1}, bytes);
  Outcome steered = run(bytes, settings, split_points(settings.split, bytes.size()), bytes);
  if (whole.failed) {
    // A failure is found as soon as the bytes allow: how far it read then depends on where
    // the reads ended (a bad status line fails at its first wrong byte, or at its end).
    // So do the body bytes counted before the failure, and, once the head is read, which
    // of two faults of a body is met first (a corrupt coding, or --max-filesize passed by
    // what decoded before the corruption showed): each read may bring either first.
    for (Outcome* outcome : {&whole, &bytewise, &steered}) {
      outcome->consumed = 0;
      outcome->body = 0;
      if (outcome->head_complete) outcome->code = fetch::errc::bad_body;
    }
  }
  if (whole.coded) {
    // A decoder may see corruption earlier or later depending on how its input is cut (zstd
    // decodes a block piece by piece when it comes a byte at a time): for coded bodies the
    // framing must agree, the decoding's verdict may come at another byte.
    for (Outcome* outcome : {&whole, &bytewise, &steered}) {
      *outcome = Outcome{.status = outcome->status, .head_complete = outcome->head_complete,
                         .coded = true};
    }
  }
  CHECK(whole == bytewise, bytes);
  CHECK(whole == steered, bytes);
  return 0;
}
