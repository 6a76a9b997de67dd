// fuzz_response: any bytes as an HTTP server's reply, through the real client end to end.
//
// An in-process server on 127.0.0.1 (an acceptor on the fuzzer's io_context) answers every
// request with the fuzz bytes, while fetch_url() fetches http://127.0.0.1:PORT/ with the
// program's own Runtime (resolver, pool, gate, TLS context), made afresh for each input. Redirects
// to the same server are answered with the same bytes, up to kMaxResponses replies per input.
//
// Input layout: byte 0 and byte 1 steer the server and the client, the rest is the reply.
//   byte 0, bits 0-1: after a reply the server 0 closes, 1 half-closes (shutdown(SHUT_WR)
//                     and drains), 2 keeps the connection for another request, 3 resets
//                     (SO_LINGER 0)
//   byte 0, bits 2-7: where the reply is split in two writes (x/64 of its length); the
//                     client gets to read the first part alone
//   byte 1, bits 0-1: --max-filesize 1 MiB, 16 bytes, 0 bytes, none
//   byte 1, bits 2-3: --max-redirects 2, 0, 1, 2
// In the reply, "{port}" stands for the server's port, so that a Location header can name
// the server itself in other ways: https://127.0.0.1:{port}/ (the server answers a TLS
// ClientHello with the reply), http://localhost:{port}/ (another origin, same server).
//
// Nothing leaves loopback: connect() is wrapped so that only the server's own port can be
// reached; every other address (a redirect to 10.1.2.3, a DNS server) is refused at once.
//
// No wall-clock waits: the io_context is driven with poll(). When nothing is ready, client
// and server wait on each other (say, the client reads a body that runs to the end of the
// connection while the server waits for a next request): the server then closes the
// connections it keeps idle, as a real server does after its keep-alive timeout.

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/app/runtime.hpp"
#include "fetch/client/client.hpp"
#include "printable.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxResponses = 6;  // per input, over all connections
constexpr auto kServerTimeout = 1s;       // a safety net only: see Script::release_idle()
constexpr std::size_t kMaxRequestHead = 64 * 1024;
constexpr std::uint64_t kDefaultMaxFilesize = 1024 * 1024;

// The one port connect() may reach; 0 before the server listens.
std::uint16_t g_server_port = 0;

// ---- reporting ------------------------------------------------------------------------

std::string printable(std::string_view s) { return fetch::fuzz::printable(s, 600); }

[[noreturn]] void violated(const char* what, std::string_view detail) {
  std::fprintf(stderr, "\nfuzz_response: invariant violated: %s\n  detail: \"%s\"\n", what,
               printable(detail).c_str());
  std::fflush(stderr);
  __builtin_trap();
}

#define CHECK(cond, detail)                 \
  do {                                      \
    if (!(cond)) violated(#cond, (detail)); \
  } while (false)

bool fit_for_terminal(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return false;
  }
  return true;
}

// ---- the server -----------------------------------------------------------------------

enum class AfterReply { close, half_close, keep_alive, reset };

// What the server does for one input, and the connections it has open.
struct Script {
  std::string_view reply;
  std::size_t split = 0;
  AfterReply after = AfterReply::close;
  std::size_t replies_left = kMaxResponses;
  tcp::acceptor* acceptor = nullptr;
  std::vector<beast::tcp_stream*> open;
  std::vector<beast::tcp_stream*> idle;  // replied, waiting for another request or the EOF

  // The fetch is over: stop accepting and close what is still open.
  void stop() {
    boost::system::error_code ignored;
    acceptor->cancel(ignored);
    for (beast::tcp_stream* stream : open) stream->close();
  }

  // Nothing is ready to run: closes the idle connections. False when there were none.
  bool release_idle() {
    if (idle.empty()) return false;
    for (beast::tcp_stream* stream : idle) stream->close();
    return true;
  }
};

// Keeps `stream` in `list` for the life of the registration, however the coroutine ends.
class Registration {
 public:
  Registration(std::vector<beast::tcp_stream*>& list, beast::tcp_stream& stream)
      : list_(list), stream_(stream) {
    list_.push_back(&stream_);
  }
  ~Registration() { std::erase(list_, &stream_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  std::vector<beast::tcp_stream*>& list_;
  beast::tcp_stream& stream_;
};

// Reads up to the end of a request head. A TLS ClientHello (first byte 0x16) counts as a
// request at once: the reply then exercises the handshake's failure paths.
asio::awaitable<bool> read_request_head(beast::tcp_stream& stream, std::string& pending) {
  for (;;) {
    if (!pending.empty() && pending.front() == '\x16') {
      pending.clear();
      co_return true;
    }
    if (const std::size_t end = pending.find("\r\n\r\n"); end != std::string::npos) {
      pending.erase(0, end + 4);
      co_return true;
    }
    if (pending.size() > kMaxRequestHead) co_return false;
    char buffer[4096];
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), use_tuple);
    if (ec) co_return false;
    pending.append(buffer, n);
  }
}

asio::awaitable<bool> write_reply(beast::tcp_stream& stream, const Script& script) {
  const std::string_view first = script.reply.substr(0, script.split);
  const std::string_view second = script.reply.substr(script.split);
  stream.expires_after(kServerTimeout);
  if (!first.empty()) {
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(first), use_tuple);
    if (ec) co_return false;
    if (!second.empty()) {
      // A timer completes only after the reactor has run: the client reads `first` alone.
      asio::steady_timer pause{stream.get_executor(), 0ms};
      co_await pause.async_wait(use_tuple);
    }
  }
  if (!second.empty()) {
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(second), use_tuple);
    if (ec) co_return false;
  }
  co_return true;
}

asio::awaitable<void> serve_connection(beast::tcp_stream stream, Script& script) {
  Registration registration{script.open, stream};
  std::string pending;
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay{true}, ignored);
  for (bool first = true;; first = false) {
    stream.expires_after(kServerTimeout);
    if (first) {
      if (!co_await read_request_head(stream, pending)) co_return;
    } else {
      Registration waiting{script.idle, stream};
      if (!co_await read_request_head(stream, pending)) co_return;
    }
    if (script.replies_left == 0) co_return;
    --script.replies_left;
    if (!co_await write_reply(stream, script)) co_return;
    switch (script.after) {
      case AfterReply::close:
        co_return;
      case AfterReply::reset:
        stream.socket().set_option(asio::socket_base::linger{true, 0}, ignored);
        co_return;
      case AfterReply::half_close: {
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.expires_after(kServerTimeout);
        Registration waiting{script.idle, stream};
        char sink[4096];
        for (;;) {
          auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
          if (ec) co_return;
        }
      }
      case AfterReply::keep_alive:
        break;
    }
  }
}

void must_not_throw(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    violated("the test server never throws", e.what());
  }
}

asio::awaitable<void> serve(Script& script) {
  for (;;) {
    auto [ec, socket] = co_await script.acceptor->async_accept(use_tuple);
    if (ec) co_return;  // stop()
    asio::co_spawn(script.acceptor->get_executor(),
                   serve_connection(beast::tcp_stream{std::move(socket)}, script), must_not_throw);
  }
}

// Runs `io` until it has no work left, closing idle server connections whenever nothing is
// ready to run. False when `limit` passed first.
bool drive(asio::io_context& io, Script& script, std::chrono::steady_clock::time_point limit) {
  io.restart();
  while (!io.stopped()) {
    if (io.poll() > 0) continue;
    if (io.stopped()) break;
    if (script.release_idle()) continue;
    // Only a timer can move things on now (a deadline, a DNS retry).
    if (std::chrono::steady_clock::now() >= limit) return false;
    io.run_one_until(limit);
  }
  return true;
}

// ---- the server's address ------------------------------------------------------------------

// The URL fetched for the current input: the server of that input's runtime.
std::string& current_url() {
  static std::string url;
  return url;
}

// ---- checking the result ------------------------------------------------------------------

void check_result(const fetch::Result& r, const fetch::ClientSettings& settings) {
  static const bool verbose = std::getenv("FETCH_FUZZ_VERBOSE") != nullptr;
  const std::string detail =
      "status " + (r.status ? std::to_string(*r.status) : std::string("none")) + ", bytes " +
      std::to_string(r.bytes) + ", redirects " + std::to_string(r.redirects) + ", error " +
      (r.error ? std::string(fetch::to_string(r.error->stage)) + ": " + r.error->message
               : std::string("none")) +
      ", final " + r.final_url;
  if (verbose) std::fprintf(stderr, "fuzz_response: %s\n", printable(detail).c_str());
  CHECK(r.line == 1, detail);
  CHECK(r.url == current_url(), detail);
  if (r.ok()) CHECK(*r.status >= 100 && *r.status <= 399, detail);
  if (r.error) {
    CHECK(!r.error->message.empty(), detail);
    // Error messages are printed to terminals and logs: no raw byte from the server.
    CHECK(fit_for_terminal(r.error->message), detail);
  }
  CHECK(!r.final_url.empty() && fit_for_terminal(r.final_url), detail);
  // --max-filesize limits the body kept. A redirect's body is not kept, and is not limited
  // even when the redirect then fails (its Location, or its body): the record is that
  // redirect. (A 3xx without a Location is limited, so this only weakens the check there.)
  const bool unfollowed_redirect = r.status && *r.status >= 300 && *r.status <= 399 && r.error;
  if (settings.max_filesize && !unfollowed_redirect) {
    CHECK(r.bytes <= *settings.max_filesize, detail);
  }
  CHECK(r.redirects <= settings.max_redirects, detail);
  // A complete response with a declared length delivered exactly that many body bytes
  // (1xx, 204 and 304 responses have no body whatever they declare).
  if (!r.error && r.status && r.content_length && *r.status >= 200 && *r.status != 204 &&
      *r.status != 304) {
    CHECK(r.bytes == *r.content_length, detail);
  }
}

}  // namespace

// Only the test server is reachable. Asio and c-ares both connect through here (the
// executable's definition interposes libc's).
extern "C" int connect(int fd, const sockaddr* address, socklen_t length) {
  using Connect = int (*)(int, const sockaddr*, socklen_t);
  static const auto real = reinterpret_cast<Connect>(dlsym(RTLD_NEXT, "connect"));
  if (address != nullptr && address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    if (g_server_port != 0 && in->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
        ntohs(in->sin_port) == g_server_port) {
      return real(fd, address, length);
    }
  }
  errno = ECONNREFUSED;
  return -1;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::signal(SIGPIPE, SIG_IGN);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint8_t steer0 = size > 0 ? data[0] : 0;
  const std::uint8_t steer1 = size > 1 ? data[1] : 0;
  const std::size_t skip = size < 2 ? size : 2;

  fetch::RuntimeConfig config;
  config.concurrency = 1;
  config.dns = fetch::DnsSettings{.servers = "127.0.0.1:1", .attempt_timeout_ms = 100, .tries = 1};
  config.client.connect_timeout = 1000ms;
  config.client.max_time = 2000ms;
  constexpr std::optional<std::uint64_t> filesizes[] = {kDefaultMaxFilesize, 16, 0, std::nullopt};
  config.client.max_filesize = filesizes[steer1 & 3];
  constexpr unsigned redirects[] = {2, 0, 1, 2};
  config.client.max_redirects = redirects[(steer1 >> 2) & 3];
  config.request = fetch::default_request("fuzz_response", false);

  // Fresh per input, as the program makes it: no state carried from one input to the next.
  fetch::Runtime runtime{config};
  asio::io_context& io = runtime.io();
  tcp::acceptor acceptor{io, tcp::endpoint{asio::ip::address_v4::loopback(), 0}};
  g_server_port = acceptor.local_endpoint().port();
  current_url() = "http://127.0.0.1:" + std::to_string(g_server_port) + "/";

  std::string reply(reinterpret_cast<const char*>(data) + skip, size - skip);
  const std::string port = std::to_string(g_server_port);
  for (std::size_t at = reply.find("{port}"); at != std::string::npos;
       at = reply.find("{port}", at + port.size())) {
    reply.replace(at, 6, port);
  }
  Script script;
  script.reply = reply;
  script.after = static_cast<AfterReply>(steer0 & 3);
  script.split = script.reply.size() * (steer0 >> 2) / 64;
  script.acceptor = &acceptor;

  int completions = 0;
  std::optional<fetch::Result> result;
  std::exception_ptr failure;
  asio::co_spawn(io, serve(script), must_not_throw);
  asio::co_spawn(io, fetch::fetch_url(runtime.session(), fetch::InputLine{1, current_url(), false}),
                 [&](std::exception_ptr error, fetch::Result r) {
                   ++completions;
                   failure = error;
                   result = std::move(r);
                   script.stop();
                 });
  // Nothing may take longer than max_time.
  const bool finished =
      drive(io, script, std::chrono::steady_clock::now() + config.client.max_time + 2s);
  if (completions == 0)
    violated("fetch_url completes within its max time (a hang is a bug)", script.reply);
  CHECK(completions == 1, script.reply);
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      violated("fetch_url never throws", e.what());
    }
  }
  CHECK(finished, "work left on the io_context after the fetch completed");
  check_result(*result, config.client);
  CHECK(script.open.empty(), "server connections left open");
  // Whatever the destructors posted runs now, not in the next input.
  io.restart();
  io.poll();
  return 0;
}
