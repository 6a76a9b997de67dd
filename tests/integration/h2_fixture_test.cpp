// Checks of the HTTP/2 test server itself, without fetch (which does not speak HTTP/2 yet):
// it starts, reports its ports, answers its control port, and speaks h2c to a minimal
// hand-written client whose streams it counts.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/h2_server.hpp"
#include "support/net.hpp"

namespace fetch::test {
namespace {

constexpr std::uint8_t kData = 0x0, kHeaders = 0x1, kSettings = 0x4, kGoaway = 0x7;
constexpr std::uint8_t kEndStream = 0x1, kAck = 0x1, kEndHeaders = 0x4;

std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                  const std::string& payload = {}) {
  std::string out;
  const auto length = static_cast<std::uint32_t>(payload.size());
  for (int shift : {16, 8, 0}) out += static_cast<char>((length >> shift) & 0xff);
  out += static_cast<char>(type);
  out += static_cast<char>(flags);
  const std::uint32_t id = stream & 0x7f'ff'ff'ff;  // the reserved bit clear
  for (int shift : {24, 16, 8, 0}) out += static_cast<char>((id >> shift) & 0xff);
  return out + payload;
}

// A GET as HPACK without the dynamic table or Huffman: :method GET and :scheme http are
// static entries 2 and 6; :path and :authority literals with the static names 4 and 1.
std::string request_block(const std::string& path, const std::string& authority) {
  return std::string("\x82\x86") + '\x04' + static_cast<char>(path.size()) + path + '\x01' +
         static_cast<char>(authority.size()) + authority;
}

struct Response {
  std::uint8_t first_header_byte = 0;  // 0x88 is ":status: 200" (static entry 8)
  std::string body;
  bool ended = false;
};

// Opens one plain TCP connection, sends the preface and one GET per path on streams 1, 3, 5...,
// and reads until every stream has ended (or a GOAWAY, or 5 s). Keyed by stream id.
std::map<std::uint32_t, Response> h2c_get(std::uint16_t port,
                                          const std::vector<std::string>& paths) {
  std::map<std::uint32_t, Response> responses;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return responses;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return responses;
  }
  std::string out = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(kSettings, 0, 0);
  const std::string authority = "127.0.0.1:" + std::to_string(port);
  std::uint32_t stream = 1;
  for (const std::string& path : paths) {
    out += frame(kHeaders, kEndStream | kEndHeaders, stream, request_block(path, authority));
    responses[stream] = {};
    stream += 2;
  }
  bool ok = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
  std::string in;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  auto all_ended = [&] {
    for (const auto& [id, response] : responses)
      if (!response.ended) return false;
    return true;
  };
  while (ok && !all_ended() && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[16384];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    in.append(buffer, static_cast<std::size_t>(n));
    while (in.size() >= 9) {
      const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(in[i]); };
      const std::size_t length =
          (std::size_t{byte(0)} << 16) | (std::size_t{byte(1)} << 8) | byte(2);
      if (in.size() < 9 + length) break;
      const std::uint8_t type = byte(3), flags = byte(4);
      const std::uint32_t id = ((std::uint32_t{byte(5)} & 0x7f) << 24) |
                               (std::uint32_t{byte(6)} << 16) | (std::uint32_t{byte(7)} << 8) |
                               byte(8);
      const std::string payload = in.substr(9, length);
      in.erase(0, 9 + length);
      if (type == kSettings && !(flags & kAck)) {
        const std::string ack = frame(kSettings, kAck, 0);
        ok = ok && ::send(fd, ack.data(), ack.size(), MSG_NOSIGNAL) > 0;
      } else if (type == kGoaway) {
        ok = false;
      } else if ((type == kHeaders || type == kData) && responses.count(id)) {
        Response& response = responses[id];
        if (type == kHeaders && !payload.empty()) {
          response.first_header_byte = static_cast<std::uint8_t>(payload[0]);
        }
        if (type == kData) response.body += payload;
        if (flags & kEndStream) response.ended = true;
      }
    }
  }
  ::close(fd);
  return responses;
}

TEST(H2Fixture, ReportsItsPortsAndAnswersItsControlPort) {
  H2Server server;  // TLS with ALPN h2
  EXPECT_NE(server.port(), 0);
  EXPECT_NE(server.control_port(), 0);
  EXPECT_NE(server.port(), server.control_port());
  EXPECT_EQ(server.h2c_port(), 0);
  EXPECT_EQ(server.url("/ok"), "https://127.0.0.1:" + std::to_string(server.port()) + "/ok");
  EXPECT_TRUE(can_connect("127.0.0.1", server.port()));
  const auto stats = server.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->connections, 0);
  EXPECT_EQ(stats->streams, 0);
  const auto requests = server.requests();
  ASSERT_TRUE(requests);
  EXPECT_TRUE(requests->empty());
  EXPECT_TRUE(server.reset());

  H2Server both({.also_h2c = true});
  EXPECT_NE(both.h2c_port(), 0);
  EXPECT_EQ(both.h2c_url("/ok"), "http://127.0.0.1:" + std::to_string(both.h2c_port()) + "/ok");
}

TEST(H2Fixture, SpeaksH2cAndCountsTheStreamsOfOneConnection) {
  H2Server server({.tls = false});
  EXPECT_EQ(server.url("/ok"), "http://127.0.0.1:" + std::to_string(server.port()) + "/ok");
  auto responses = h2c_get(server.port(), {"/ok", "/size/100", "/status/404"});
  ASSERT_EQ(responses.size(), 3u);
  for (const auto& [id, response] : responses) EXPECT_TRUE(response.ended) << "stream " << id;
  EXPECT_EQ(responses[1].first_header_byte, 0x88);  // :status 200
  EXPECT_EQ(responses[1].body, "ok\n");
  EXPECT_EQ(responses[3].body, std::string(100, 'x'));
  EXPECT_EQ(responses[5].first_header_byte, 0x8d);  // :status 404 (static entry 13)
  EXPECT_EQ(responses[5].body, "status 404\n");

  const auto stats = server.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->connections, 1);
  EXPECT_EQ(stats->h2_connections, 1);
  EXPECT_EQ(stats->streams, 3);
  EXPECT_GE(stats->settings_received, 1);
  const auto requests = server.requests();
  ASSERT_TRUE(requests);
  ASSERT_EQ(requests->size(), 3u);
  std::set<std::string> paths;
  for (const H2Server::Request& request : *requests) {
    EXPECT_EQ(request.connection, requests->front().connection);
    EXPECT_EQ(request.protocol, "h2c");
    EXPECT_EQ(request.method, "GET");
    paths.insert(request.path);
    ASSERT_FALSE(request.headers.empty());
    EXPECT_EQ(request.headers.front(), (std::pair<std::string, std::string>{":method", "GET"}));
  }
  EXPECT_EQ(paths, (std::set<std::string>{"/ok", "/size/100", "/status/404"}));
  EXPECT_EQ(requests->at(0).stream, 1);

  EXPECT_TRUE(server.reset());
  const auto after = server.stats();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->streams, 0);
}

TEST(H2Fixture, AnswersWhatIsNotHttp2OverHttp11) {
  H2Server server({.tls = false});
  const auto reply = http_get("127.0.0.1", server.port(), "/anything");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "http/1.1\n");
  const auto stats = server.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->h1_connections, 1);
  EXPECT_EQ(stats->h2_connections, 0);
  const auto requests = server.requests();
  ASSERT_TRUE(requests);
  ASSERT_EQ(requests->size(), 1u);
  EXPECT_EQ(requests->front().protocol, "http/1.1");
  EXPECT_EQ(requests->front().path, "/anything");
}

}  // namespace
}  // namespace fetch::test
