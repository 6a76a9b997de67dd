// fuzz_h2_client: any bytes as what an HTTP/2 server sends, straight into the client session
// (http2/client_session.hpp), with one to eight requests open on it.
//
// Input layout: byte 0 steers, the rest is the server's bytes.
//   bits 0-2: streams opened before the bytes arrive, minus one (1..8)
//   bit 3:    the first request is HEAD
//   bit 4:    the bytes are given whole; else in the reads bits 5-6 choose
//   bits 5-6: read size: 1 byte, 7 bytes, 100 bytes, 16 KiB
//   bit 7:    a valid SETTINGS frame and a SETTINGS ACK go first (past the preface check)
//
// Invariants checked:
//   - nothing crashes, and the session's output is drained after every read;
//   - once the transport ends, every stream has closed exactly once (its wake called once),
//     and the session holds no stream;
//   - a stream without a failure has a final status (200-599 by nghttp2's rules) and its
//     whole body: as many bytes as its content-length, if it sent one and may have a body;
//   - a failure's message is printable text without any server byte that could drive a
//     terminal;
//   - the outcome of each stream (success or failure, status, a whole body's size) does not depend
//   on
//     how the bytes are split into reads, unless the connection itself failed (which streams
//     were still open then, and whether ACKs piled up into a flood, depends on when the
//     session's frames were written, so on the reads).

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fetch/body/body_sink.hpp"
#include "fetch/body/decoder_memory.hpp"
#include "fetch/core/request.hpp"
#include "fetch/http2/client_session.hpp"
#include "fetch/input/url.hpp"
#include "printable.hpp"

namespace {

using fetch::BodySink;
using fetch::H2Stream;
using fetch::Http2ClientSession;

[[noreturn]] void violated(const char* what, std::string_view input) {
  std::fprintf(stderr, "\nfuzz_h2_client: invariant violated: %s\n  input: \"%s\"\n", what,
               fetch::fuzz::printable(input, 600).c_str());
  std::fflush(stderr);
  __builtin_trap();
}

#define CHECK(cond, input)                 \
  do {                                     \
    if (!(cond)) violated(#cond, (input)); \
  } while (false)

struct Steering {
  unsigned streams = 1;
  bool head = false;
  bool whole = true;
  std::size_t read_size = 1;
  bool settings_first = false;
};

Steering steer(std::uint8_t byte) {
  static constexpr std::size_t kReadSizes[] = {1, 7, 100, 16 * 1024};
  Steering steering;
  steering.streams = (byte & 0x07u) + 1;
  steering.head = (byte & 0x08u) != 0;
  steering.whole = (byte & 0x10u) != 0;
  steering.read_size = kReadSizes[(byte >> 5) & 0x03u];
  steering.settings_first = (byte & 0x80u) != 0;
  return steering;
}

struct Request {
  explicit Request(fetch::DecoderMemory& memory) : body(std::nullopt, false, &memory) {
    stream.body = &body;
    stream.wake = [](H2Stream& s) noexcept { ++*static_cast<int*>(s.waiter); };
    stream.waiter = &wakes;
  }
  BodySink body;
  H2Stream stream;
  int wakes = 0;
};

struct Outcome {
  unsigned status = 0;
  std::optional<fetch::errc> code;
  std::uint64_t bytes = 0;
  // Whether it failed, not why: a response wrong in two ways is caught by whichever check
  // the reads reach first (a corrupt coding inside DATA past the content-length, say).
  bool operator==(const Outcome& other) const {
    return status == other.status && code.has_value() == other.code.has_value() &&
           bytes == other.bytes;
  }
};

bool printable_text(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  return true;
}

struct Run {
  std::vector<Outcome> outcomes;
  // The connection ended in an error of its own (not by the transport closing): which
  // streams it caught still open depends on when frames were written, so on the reads.
  bool connection_error = false;
};

Run run(const Steering& steering, std::string_view server_bytes, bool whole,
        std::string_view input) {
  fetch::DecoderMemory memory{8u * 1024 * 1024};
  Http2ClientSession session;
  const fetch::RequestSpec get = fetch::default_request("fuzz", false);
  const fetch::RequestSpec head = fetch::default_request("fuzz", true);
  const fetch::Target target = std::get<fetch::Target>(fetch::parse_target("https://h.example/"));
  std::vector<std::unique_ptr<Request>> requests;
  for (unsigned n = 0; n < steering.streams; ++n) {
    requests.push_back(std::make_unique<Request>(memory));
    const bool is_head = n == 0 && steering.head;
    requests.back()->stream.head_request = is_head;
    session.submit(is_head ? head : get, target, requests.back()->stream);
  }
  while (!session.output().empty()) {
  }
  const std::size_t step = whole ? server_bytes.size() : steering.read_size;
  for (std::size_t at = 0; at < server_bytes.size(); at += step) {
    if (!session.receive(server_bytes.substr(at, step))) break;
    while (!session.output().empty()) {
    }
  }
  session.end("the server closed the connection");
  CHECK(session.open_streams() == 0, input);
  CHECK(!session.can_take_request(), input);

  Run result;
  result.connection_error =
      session.failure() && session.failure()->code != fetch::errc::empty_reply;
  std::vector<Outcome>& outcomes = result.outcomes;
  for (const auto& request : requests) {
    const H2Stream& stream = request->stream;
    CHECK(stream.closed, input);
    CHECK(request->wakes == 1, input);
    Outcome outcome;
    // A failed body stops where the read that failed it ended: its count depends on the reads.
    outcome.bytes = stream.failure ? 0 : request->body.wire_bytes();
    if (stream.failure) {
      outcome.code = stream.failure->code;
      CHECK(!stream.failure->message.empty(), input);
      CHECK(printable_text(stream.failure->message), input);
    } else {
      CHECK(stream.head_done, input);
      CHECK(stream.status >= 200 && stream.status <= 999, input);
      outcome.status = stream.status;
      const bool bodiless = stream.head_request || stream.status == 204 || stream.status == 304;
      if (stream.content_length && !bodiless) {
        CHECK(request->body.wire_bytes() == *stream.content_length, input);
      }
    }
    outcomes.push_back(outcome);
  }
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  const Steering steering = steer(data[0]);
  std::string server_bytes;
  if (steering.settings_first) {
    // SETTINGS (empty) and SETTINGS ACK: 9-byte headers, type 4, flags 0 and 1, stream 0.
    server_bytes.append(
        "\0\0\0\x04\0\0\0\0\0"
        "\0\0\0\x04\x01\0\0\0\0",
        18);
  }
  server_bytes.append(input.substr(1));

  const Run first = run(steering, server_bytes, steering.whole, input);
  const Run second = run(steering, server_bytes, !steering.whole, input);
  if (!first.connection_error && !second.connection_error && first.outcomes != second.outcomes) {
    for (std::size_t i = 0; i < first.outcomes.size(); ++i) {
      const Outcome& a = first.outcomes[i];
      const Outcome& b = second.outcomes[i];
      std::fprintf(stderr, "stream %zu: status %u/%u, code %s/%s, bytes %llu/%llu\n", i, a.status,
                   b.status, a.code ? fetch::to_name(*a.code).data() : "-",
                   b.code ? fetch::to_name(*b.code).data() : "-",
                   static_cast<unsigned long long>(a.bytes),
                   static_cast<unsigned long long>(b.bytes));
    }
    CHECK(first.outcomes == second.outcomes, input);
  }
  return 0;
}
