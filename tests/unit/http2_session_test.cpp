// The HTTP/2 client session without I/O, against nghttp2's own server session in memory:
// bytes go from one to the other until neither has anything to say. Where a test needs what
// a correct server never sends (floods, endless header blocks, forbidden frames), it writes
// the raw frames itself.
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>
#include <zlib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "fetch/body/body_sink.hpp"
#include "fetch/body/decoder_memory.hpp"
#include "fetch/core/request.hpp"
#include "fetch/http2/client_session.hpp"
#include "fetch/input/url.hpp"

namespace fetch {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A server's response, as the in-memory server sends it.
struct Reply {
  Fields headers{};  // ":status" first
  std::string body{};
  std::optional<Fields> trailers{};
};

// nghttp2's server session, answering each request with what `answer` does with it.
class MemoryServer {
 public:
  using Answer =
      std::function<void(MemoryServer& server, std::int32_t stream, const Fields& request)>;

  explicit MemoryServer(Answer answer, std::vector<nghttp2_settings_entry> settings = {})
      : answer_(std::move(answer)) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &MemoryServer::on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &MemoryServer::on_frame_recv);
    nghttp2_option* options = nullptr;
    nghttp2_option_new(&options);
    // Large header blocks are what some tests send on purpose.
    nghttp2_option_set_max_send_header_block_length(options, 1 << 20);
    nghttp2_session_server_new2(&session_, callbacks, this, options);
    nghttp2_option_del(options);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  }
  ~MemoryServer() { nghttp2_session_del(session_); }
  MemoryServer(const MemoryServer&) = delete;
  MemoryServer& operator=(const MemoryServer&) = delete;

  nghttp2_session* session() { return session_; }
  const std::map<std::int32_t, Fields>& requests() const { return requests_; }
  std::vector<std::pair<std::int32_t, std::uint32_t>> resets;  // RST_STREAMs received
  // Done once everything queued before has been sent: to order frames across sends.
  std::vector<std::function<void()>> later;

  void reply(std::int32_t stream, Reply reply) {
    auto& pending = bodies_[stream];
    pending = std::make_unique<Pending>(std::move(reply));
    std::vector<nghttp2_nv> fields = to_nv(pending->reply.headers);
    nghttp2_data_provider provider{};
    provider.source.ptr = pending.get();
    provider.read_callback = &MemoryServer::read_body;
    nghttp2_submit_response(session_, stream, fields.data(), fields.size(), &provider);
  }
  void headers_only(std::int32_t stream, const Fields& headers, bool end_stream) {
    std::vector<nghttp2_nv> fields = to_nv(headers);
    nghttp2_submit_headers(session_, end_stream ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE,
                           stream, nullptr, fields.data(), fields.size(), nullptr);
  }
  void reset(std::int32_t stream, std::uint32_t code) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, code);
  }
  void goaway(std::int32_t last_stream, std::uint32_t code, std::string_view debug = {}) {
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last_stream, code,
                          reinterpret_cast<const std::uint8_t*>(debug.data()), debug.size());
  }

 private:
  struct Pending {
    explicit Pending(Reply r) : reply(std::move(r)) {}
    Reply reply;
    std::size_t sent = 0;
    std::vector<std::string> trailer_storage;
  };

  static std::vector<nghttp2_nv> to_nv(const Fields& fields) {
    std::vector<nghttp2_nv> nv;
    for (const auto& [name, value] : fields) {
      nv.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE});
    }
    return nv;
  }

  static ssize_t read_body(nghttp2_session* session, std::int32_t stream, std::uint8_t* buffer,
                           std::size_t length, std::uint32_t* flags, nghttp2_data_source* source,
                           void*) {
    auto* pending = static_cast<Pending*>(source->ptr);
    const std::size_t n = std::min(length, pending->reply.body.size() - pending->sent);
    std::memcpy(buffer, pending->reply.body.data() + pending->sent, n);
    pending->sent += n;
    if (pending->sent == pending->reply.body.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (pending->reply.trailers) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        std::vector<nghttp2_nv> fields = to_nv(*pending->reply.trailers);
        nghttp2_submit_trailer(session, stream, fields.data(), fields.size());
      }
    }
    return static_cast<ssize_t>(n);
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t flags, void* self) {
    auto& server = *static_cast<MemoryServer*>(self);
    server.requests_[frame->hd.stream_id].emplace_back(
        std::string(reinterpret_cast<const char*>(name), name_length),
        std::string(reinterpret_cast<const char*>(value), value_length));
    if (flags & NGHTTP2_NV_FLAG_NO_INDEX) {
      server.never_indexed_.push_back(
          std::string(reinterpret_cast<const char*>(name), name_length));
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* self) {
    auto& server = *static_cast<MemoryServer*>(self);
    if (frame->hd.type == NGHTTP2_RST_STREAM) {
      server.resets.emplace_back(frame->hd.stream_id, frame->rst_stream.error_code);
    }
    if (frame->hd.type == NGHTTP2_HEADERS && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
      server.answer_(server, frame->hd.stream_id, server.requests_[frame->hd.stream_id]);
    }
    return 0;
  }

 public:
  std::vector<std::string> never_indexed_;

 private:
  Answer answer_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Fields> requests_;
  std::map<std::int32_t, std::unique_ptr<Pending>> bodies_;
};

// Moves bytes both ways until neither side has more to send, or the client gives up.
// Returns false when the client refused what it received.
bool pump(Http2ClientSession& client, MemoryServer& server) {
  for (int round = 0; round < 10000; ++round) {
    bool moved = false;
    for (std::string_view out = client.output(); !out.empty(); out = client.output()) {
      nghttp2_session_mem_recv(server.session(), reinterpret_cast<const std::uint8_t*>(out.data()),
                               out.size());
      moved = true;
    }
    const std::uint8_t* data = nullptr;
    for (ssize_t n = nghttp2_session_mem_send(server.session(), &data); n > 0;
         n = nghttp2_session_mem_send(server.session(), &data)) {
      if (!client.receive({reinterpret_cast<const char*>(data), static_cast<std::size_t>(n)})) {
        return false;
      }
      moved = true;
    }
    if (!moved && server.later.empty()) return true;
    if (!moved) {
      auto actions = std::exchange(server.later, {});
      for (auto& action : actions) action();
    }
  }
  return true;
}

Target target_of(std::string_view url) {
  auto parsed = parse_target(url);
  return std::get<Target>(std::move(parsed));
}

// One request's stream and the body sink it reports into.
struct Request {
  explicit Request(bool head = false, DecoderMemory* memory = nullptr)
      : body(std::nullopt, false, memory) {
    stream.body = &body;
    stream.head_request = head;
    stream.wake = [](H2Stream& s) noexcept { ++*static_cast<int*>(s.waiter); };
    stream.waiter = &wakes;
  }
  BodySink body;
  H2Stream stream;
  int wakes = 0;
};

// A raw frame: 9-byte header (RFC 9113 4.1), then the payload.
std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                  std::string_view payload = {}) {
  std::string bytes;
  const auto length = static_cast<std::uint32_t>(payload.size());
  bytes.push_back(static_cast<char>(length >> 16));
  bytes.push_back(static_cast<char>(length >> 8));
  bytes.push_back(static_cast<char>(length));
  bytes.push_back(static_cast<char>(type));
  bytes.push_back(static_cast<char>(flags));
  bytes.push_back(static_cast<char>((stream >> 24) & 0x7f));
  bytes.push_back(static_cast<char>(stream >> 16));
  bytes.push_back(static_cast<char>(stream >> 8));
  bytes.push_back(static_cast<char>(stream));
  bytes.append(payload);
  return bytes;
}

// HPACK for ":status: 200" alone (static table index 8).
const std::string kStatus200 = "\x88";

class Http2Session : public ::testing::Test {
 protected:
  // Client and server exchange prefaces and SETTINGS; then `request` is sent for `url`.
  void start(Request& request, std::string_view url = "https://example.org/path?q=1") {
    target_ = target_of(url);
    ASSERT_TRUE(client_.submit(spec_, target_, request.stream));
    pump(client_, *server_);
  }
  void serve(MemoryServer::Answer answer, std::vector<nghttp2_settings_entry> settings = {}) {
    server_ = std::make_unique<MemoryServer>(std::move(answer), std::move(settings));
  }
  // Settles the connection with a raw server: the client's preface is read (and dropped),
  // the server's SETTINGS and its ACK of the client's go in.
  void raw_server_ready(Request& request) {
    target_ = target_of("https://example.org/");
    ASSERT_TRUE(client_.submit(spec_, target_, request.stream));
    while (!client_.output().empty()) {
    }
    ASSERT_TRUE(client_.receive(frame(NGHTTP2_SETTINGS, 0, 0) +
                                frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0)));
  }

  RequestSpec spec_ = default_request("fetch-test", false);
  Target target_;
  Http2ClientSession client_;
  std::unique_ptr<MemoryServer> server_;
};

std::string header_value(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return "<absent>";
}

TEST_F(Http2Session, SendsPseudoHeadersAndLowerCaseFieldsAndReadsTheResponse) {
  serve([](MemoryServer& server, std::int32_t stream, const Fields&) {
    server.reply(stream, {{{":status", "200"}, {"content-length", "5"}}, "hello"});
  });
  spec_ = RequestSpec{
      "GET",
      {{"User-Agent", "ua"}, {"Connection", "keep-alive"}, {"X-Custom", "v"}, {"TE", "gzip"}}};
  Request request;
  start(request, "https://user:pw@example.org:8443/a/b?c=d");
  const Fields& sent = server_->requests().begin()->second;
  EXPECT_EQ(header_value(sent, ":method"), "GET");
  EXPECT_EQ(header_value(sent, ":scheme"), "https");
  EXPECT_EQ(header_value(sent, ":authority"), "example.org:8443");
  EXPECT_EQ(header_value(sent, ":path"), "/a/b?c=d");
  EXPECT_EQ(header_value(sent, "user-agent"), "ua");
  EXPECT_EQ(header_value(sent, "x-custom"), "v");
  EXPECT_EQ(header_value(sent, "connection"), "<absent>");  // forbidden in HTTP/2
  EXPECT_EQ(header_value(sent, "te"), "<absent>");          // only "trailers" is allowed
  EXPECT_EQ(header_value(sent, "authorization"), "Basic dXNlcjpwdw==");
  EXPECT_EQ(server_->never_indexed_, std::vector<std::string>{"authorization"});

  ASSERT_TRUE(request.stream.closed);
  EXPECT_EQ(request.wakes, 1);
  EXPECT_FALSE(request.stream.failure) << request.stream.failure->message;
  EXPECT_EQ(request.stream.status, 200u);
  EXPECT_EQ(request.stream.content_length, 5u);
  EXPECT_EQ(request.body.wire_bytes(), 5u);
  EXPECT_EQ(client_.open_streams(), 0u);
  EXPECT_TRUE(client_.can_take_request());
}

TEST_F(Http2Session, AHostHeaderBecomesTheAuthority) {
  serve([](MemoryServer& server, std::int32_t stream, const Fields&) {
    server.reply(stream, {{{":status", "204"}}, ""});
  });
  spec_ = RequestSpec{"GET", {{"Host", "other.example"}}};
  Request request;
  start(request);
  const Fields& sent = server_->requests().begin()->second;
  EXPECT_EQ(header_value(sent, ":authority"), "other.example");
  EXPECT_EQ(header_value(sent, "host"), "<absent>");
  EXPECT_FALSE(request.stream.failure);
  EXPECT_EQ(request.stream.status, 204u);
}

TEST_F(Http2Session, SkipsInterimResponsesAndKeepsTheFinalOne) {
  serve([](MemoryServer& server, std::int32_t stream, const Fields&) {
    server.headers_only(stream, {{":status", "103"}, {"link", "</s.css>; rel=preload"}}, false);
    server.reply(stream, {{{":status", "200"}, {"location", "/next"}}, "final\n"});
  });
  Request request;
  start(request);
  ASSERT_TRUE(request.stream.closed);
  EXPECT_FALSE(request.stream.failure);
  EXPECT_EQ(request.stream.status, 200u);
  EXPECT_EQ(request.stream.location, "/next");
  EXPECT_EQ(request.body.wire_bytes(), 6u);
}

TEST_F(Http2Session, TrailersEndTheStreamAndAreNotTheHead) {
  serve([](MemoryServer& server, std::int32_t stream, const Fields&) {
    server.reply(stream, {{{":status", "200"}}, "body", Fields{{"x-checksum", "1"}}});
  });
  Request request;
  start(request);
  EXPECT_FALSE(request.stream.failure) << request.stream.failure->message;
  EXPECT_EQ(request.stream.status, 200u);
  EXPECT_EQ(request.body.wire_bytes(), 4u);
}

TEST_F(Http2Session, HeadResponsesHaveNoBodyWhateverTheirContentLength) {
  serve([](MemoryServer& server, std::int32_t stream, const Fields&) {
    server.headers_only(stream, {{":status", "200"}, {"content-length", "1000"}}, true);
  });
  spec_ = default_request("fetch-test", true);
  Request request{true};
  start(request);
  EXPECT_FALSE(request.stream.failure) << request.stream.failure->message;
  EXPECT_EQ(request.stream.content_length, 1000u);
}

// A stream-level outcome the server causes, and what the client makes of it.
struct StreamCase {  // NOLINT
  std::string name;
  std::function<void(MemoryServer&, std::int32_t)> server;
  errc code;
  bool retry_safe;
  std::string message_part;
};

void PrintTo(const StreamCase& c, std::ostream* os) { *os << c.name; }

class Http2StreamOutcome : public Http2Session, public ::testing::WithParamInterface<StreamCase> {};

TEST_P(Http2StreamOutcome, IsOneClearVerdict) {
  const StreamCase& c = GetParam();
  serve(
      [&](MemoryServer& server, std::int32_t stream, const Fields&) { c.server(server, stream); });
  Request request;
  start(request);
  ASSERT_TRUE(request.stream.closed);
  EXPECT_EQ(request.wakes, 1);
  ASSERT_TRUE(request.stream.failure);
  EXPECT_EQ(request.stream.failure->code, c.code) << request.stream.failure->message;
  EXPECT_EQ(request.stream.retry_safe, c.retry_safe);
  EXPECT_NE(request.stream.failure->message.find(c.message_part), std::string::npos)
      << request.stream.failure->message;
  EXPECT_EQ(client_.open_streams(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Http2StreamOutcome,
    ::testing::Values(
        StreamCase{"RefusedStream",
                   [](MemoryServer& s, std::int32_t id) { s.reset(id, NGHTTP2_REFUSED_STREAM); },
                   errc::h2_refused_stream, true, "refused"},
        StreamCase{"Http11Required",
                   [](MemoryServer& s, std::int32_t id) { s.reset(id, NGHTTP2_HTTP_1_1_REQUIRED); },
                   errc::h2_http_1_1_required, true, "HTTP/1.1"},
        StreamCase{"ResetBeforeHeaders",
                   [](MemoryServer& s, std::int32_t id) { s.reset(id, NGHTTP2_INTERNAL_ERROR); },
                   errc::h2_internal_error, false, "reset the stream (INTERNAL_ERROR) before"},
        StreamCase{"ResetMidBody",
                   [](MemoryServer& s, std::int32_t id) {
                     s.headers_only(id, {{":status", "200"}}, false);
                     s.later.push_back([&s, id] { s.reset(id, NGHTTP2_CANCEL); });
                   },
                   errc::h2_cancel, false, "reset the stream (CANCEL) after 0 body bytes"},
        StreamCase{
            "DataPastContentLength",
            [](MemoryServer& s, std::int32_t id) {
              s.reply(id, {{{":status", "200"}, {"content-length", "5"}}, "hello and more\n"});
            },
            errc::bad_body, false, "past the response's content-length (5)"},
        StreamCase{"EndStreamBeforeContentLength",
                   [](MemoryServer& s, std::int32_t id) {
                     s.reply(id, {{{":status", "200"}, {"content-length", "1000"}}, "0123456789"});
                   },
                   errc::body_truncated, false, "after 10 of 1000 body bytes"},
        StreamCase{"ConnectionHeaderInResponse",
                   [](MemoryServer& s, std::int32_t id) {
                     s.reply(id, {{{":status", "200"}, {"connection", "keep-alive"}}, "ok"});
                   },
                   errc::h2_protocol_error, false, "malformed HTTP/2 response"},
        StreamCase{"HeaderListOverTheLimit",
                   [](MemoryServer& s, std::int32_t id) {
                     Fields fields{{":status", "200"}};
                     for (int i = 0; i < 100; ++i)
                       fields.emplace_back("x-big", std::string(1000, 'a'));
                     s.reply(id, {fields, "ok"});
                   },
                   errc::bad_response, false, "larger than 64 KiB"},
        StreamCase{"ClosedWithoutAResponse",
                   [](MemoryServer& s, std::int32_t id) { s.reset(id, NGHTTP2_NO_ERROR); },
                   errc::bad_response, false, "closed the stream before its response"}),
    [](const auto& info) { return info.param.name; });

TEST_F(Http2Session, AGoawayBelowAStreamLeavesItSafeToRetry) {
  serve([](MemoryServer& server, std::int32_t, const Fields&) {
    server.goaway(0, NGHTTP2_NO_ERROR);
  });
  Request request;
  start(request);
  ASSERT_TRUE(request.stream.closed);
  EXPECT_TRUE(request.stream.retry_safe);
  EXPECT_EQ(request.stream.failure->code, errc::h2_refused_stream);
  EXPECT_NE(request.stream.failure->message.find("GOAWAY"), std::string::npos);
  EXPECT_FALSE(client_.can_take_request());
}

TEST_F(Http2Session, AGoawayAboveAStreamLetsItFinish) {
  std::int32_t first = 0;
  serve([&](MemoryServer& server, std::int32_t stream, const Fields&) {
    if (first == 0) {
      first = stream;
      return;  // answered after the second request arrives
    }
    server.goaway(first, NGHTTP2_NO_ERROR);
    server.reply(first, {{{":status", "200"}}, "first"});
  });
  Request one;
  Request two;
  start(one);
  ASSERT_TRUE(client_.submit(spec_, target_, two.stream));
  pump(client_, *server_);
  EXPECT_FALSE(one.stream.failure) << one.stream.failure->message;
  EXPECT_EQ(one.body.wire_bytes(), 5u);
  EXPECT_TRUE(two.stream.retry_safe);
  EXPECT_FALSE(client_.can_take_request());
}

TEST_F(Http2Session, AGoawayWithAnErrorNamesIt) {
  serve([](MemoryServer&, std::int32_t, const Fields&) {});
  Request request;
  start(request);
  server_->headers_only(request.stream.id, {{":status", "200"}}, false);
  server_->goaway(request.stream.id, NGHTTP2_ENHANCE_YOUR_CALM, "slow down");
  pump(client_, *server_);
  client_.end("the server closed the HTTP/2 connection");
  ASSERT_TRUE(request.stream.closed);
  EXPECT_EQ(request.stream.failure->code, errc::h2_enhance_your_calm);
  EXPECT_NE(request.stream.failure->message.find("GOAWAY ENHANCE_YOUR_CALM: slow down"),
            std::string::npos)
      << request.stream.failure->message;
}

TEST_F(Http2Session, AConnectionEndingFailsEveryOpenStreamOnce) {
  serve([](MemoryServer& server, std::int32_t stream, const Fields&) {
    if (stream == 1) server.headers_only(stream, {{":status", "200"}}, false);
  });
  Request answered;
  Request unanswered;
  start(answered);
  ASSERT_TRUE(client_.submit(spec_, target_, unanswered.stream));
  pump(client_, *server_);
  client_.end("the server closed the HTTP/2 connection");
  EXPECT_EQ(answered.wakes, 1);
  EXPECT_EQ(unanswered.wakes, 1);
  EXPECT_EQ(answered.stream.failure->code, errc::body_truncated);
  EXPECT_FALSE(answered.stream.retry_safe);
  EXPECT_TRUE(unanswered.stream.retry_safe);
  EXPECT_EQ(unanswered.stream.failure->code, errc::empty_reply);
  EXPECT_FALSE(client_.alive());
  Request late;
  EXPECT_FALSE(client_.submit(spec_, target_, late.stream));
  EXPECT_TRUE(late.stream.retry_safe);
}

TEST_F(Http2Session, CancelResetsTheStreamAndNotTheConnection) {
  serve([](MemoryServer&, std::int32_t, const Fields&) {});
  Request request;
  start(request);
  client_.cancel(request.stream, {Stage::timeout, errc::timeout_max_time, "late"});
  pump(client_, *server_);
  EXPECT_EQ(request.wakes, 1);
  ASSERT_EQ(server_->resets.size(), 1u);
  EXPECT_EQ(server_->resets[0].second, static_cast<std::uint32_t>(NGHTTP2_CANCEL));
  EXPECT_TRUE(client_.can_take_request());
}

TEST_F(Http2Session, HonoursTheServersStreamLimit) {
  serve([](MemoryServer&, std::int32_t, const Fields&) {},
        {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 2}});
  Request one;
  Request two;
  start(one);
  EXPECT_TRUE(client_.can_take_request());
  ASSERT_TRUE(client_.submit(spec_, target_, two.stream));
  EXPECT_FALSE(client_.can_take_request());
}

TEST_F(Http2Session, ACorruptBodyCodingFailsAndResetsTheStream) {
  serve([](MemoryServer& server, std::int32_t stream, const Fields&) {
    server.reply(stream, {{{":status", "200"}, {"content-encoding", "gzip"}}, "not gzip at all"});
  });
  DecoderMemory memory;
  Request request{false, &memory};
  start(request);
  ASSERT_TRUE(request.stream.failure);
  EXPECT_EQ(request.stream.failure->code, errc::decode_corrupt);
  ASSERT_EQ(server_->resets.size(), 1u);
  EXPECT_TRUE(client_.can_take_request());
}

// Raw frames no correct server sends.

TEST_F(Http2Session, EmptyDataFramesPastTheLimitResetTheStream) {
  Request request;
  raw_server_ready(request);
  std::string flood = frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, kStatus200);
  for (int i = 0; i < 101; ++i) flood += frame(NGHTTP2_DATA, 0, 1);
  EXPECT_TRUE(client_.receive(flood));
  ASSERT_TRUE(request.stream.closed);
  EXPECT_EQ(request.stream.failure->code, errc::h2_enhance_your_calm);
  EXPECT_NE(request.stream.failure->message.find("empty DATA"), std::string::npos);
}

TEST_F(Http2Session, AnEndlessHeaderBlockEndsTheConnection) {
  Request request;
  raw_server_ready(request);
  std::string block = frame(NGHTTP2_HEADERS, 0, 1, kStatus200);
  // Each CONTINUATION carries a new literal field, "x: y", never indexed.
  for (int i = 0; i < 9; ++i)
    block += frame(NGHTTP2_CONTINUATION, 0, 1, std::string("\x10\x01x\x01y", 5));
  EXPECT_FALSE(client_.receive(block));
  ASSERT_TRUE(request.stream.closed);
  EXPECT_EQ(request.stream.failure->code, errc::h2_enhance_your_calm);
  EXPECT_NE(request.stream.failure->message.find("CONTINUATION"), std::string::npos)
      << request.stream.failure->message;
  EXPECT_FALSE(client_.alive());
}

TEST_F(Http2Session, APushPromiseWhilePushIsOffIsAConnectionError) {
  Request request;
  raw_server_ready(request);
  // Promised stream 2, then a header block for it.
  const std::string payload = std::string("\0\0\0\x02", 4) + "\x82\x87\x84\x41\x0b" + "example.org";
  EXPECT_TRUE(client_.receive(frame(NGHTTP2_PUSH_PROMISE, NGHTTP2_FLAG_END_HEADERS, 1, payload)));
  while (!client_.output().empty()) {
  }
  client_.end("the server closed the HTTP/2 connection");
  ASSERT_TRUE(request.stream.closed);
  EXPECT_EQ(request.stream.failure->code, errc::h2_protocol_error)
      << request.stream.failure->message;
}

TEST_F(Http2Session, ASettingsFloodEndsTheConnection) {
  Request request;
  raw_server_ready(request);
  std::string flood;
  for (int i = 0; i < 5000; ++i) flood += frame(NGHTTP2_SETTINGS, 0, 0);
  EXPECT_FALSE(client_.receive(flood));
  ASSERT_TRUE(request.stream.closed);
  EXPECT_EQ(request.stream.failure->code, errc::h2_enhance_your_calm)
      << request.stream.failure->message;
}

TEST_F(Http2Session, DataOnAStreamNeverOpenedIsAConnectionError) {
  Request request;
  raw_server_ready(request);
  EXPECT_TRUE(client_.receive(frame(NGHTTP2_DATA, 0, 0x7fffffff, "x")));
  while (!client_.output().empty()) {
  }
  EXPECT_FALSE(client_.can_take_request());
  client_.end("the server closed the HTTP/2 connection");
  EXPECT_EQ(request.stream.failure->code, errc::h2_protocol_error)
      << request.stream.failure->message;
}

}  // namespace
}  // namespace fetch
