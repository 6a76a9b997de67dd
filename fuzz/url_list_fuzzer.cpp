// fuzz_url_list: any bytes as a URL list, through the real line readers and URL validation.
//
// The input is read twice by open_line_source(): once from a pipe (the asynchronous reader,
// written in pieces so that lines straddle reads) and once from a memfd (the regular-file
// reader). Both must give exactly the lines of a small reference model. Every line then goes
// through parse_target(), redact_credentials() and resolve_redirect(), and each result is
// checked. A violated invariant traps; so does a Boost.URL assertion, since this target
// compiles Boost.URL from source with BOOST_ASSERT on (see boost_url_src.cpp).
//
// An input starting with 0xFF is a "long line" input: byte 1 picks a length within 16 bytes
// of kMaxLineLength and byte 2 the byte repeated to that length, before the rest of the
// input. The fuzzer's default -max_len never reaches 64 KiB on its own.

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fetch/input/line_source.hpp"
#include "fetch/input/url.hpp"
#include "printable.hpp"

namespace {

namespace asio = boost::asio;
using fetch::InputLine;
using fetch::kMaxLineLength;
using fetch::Target;

// ---- reporting ------------------------------------------------------------------------

std::string printable(std::string_view s) { return fetch::fuzz::printable(s, 400); }

[[noreturn]] void violated(const char* what, std::string_view input, std::string_view detail) {
  std::fprintf(stderr,
               "\nfuzz_url_list: invariant violated: %s\n  input:  \"%s\"\n  detail: \"%s\"\n",
               what, printable(input).c_str(), printable(detail).c_str());
  std::fflush(stderr);
  __builtin_trap();
}

#define CHECK(cond, input, detail)                   \
  do {                                               \
    if (!(cond)) violated(#cond, (input), (detail)); \
  } while (false)

// ---- small text helpers, written independently of src/ ---------------------------------

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Printable ASCII only: what may reach a request line, a header or a terminal.
bool printable_ascii(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

// A reason for a user: one line, no raw bytes echoed (spaces allowed).
bool fit_for_terminal(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return false;
  }
  return true;
}

bool is_userinfo_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~%!$&'()*+,;=:").find(c) != std::string_view::npos;
}

// The userinfo spans of RFC 3986 (`*( unreserved / pct-encoded / sub-delims / ":" )` right
// after a "://" and followed by '@'): what any reader would take for "user:password".
std::vector<std::pair<std::size_t, std::size_t>> userinfo_spans(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (std::size_t sep = text.find("://"); sep != std::string_view::npos;
       sep = text.find("://", sep + 1)) {
    const std::size_t start = sep + 3;
    std::size_t end = start;
    while (end < text.size() && is_userinfo_char(text[end])) ++end;
    if (end > start && end < text.size() && text[end] == '@') spans.emplace_back(start, end);
  }
  return spans;
}

// `text` with each span replaced by a stand-in credential that differs from the original.
std::string with_other_userinfo(std::string_view text,
                                const std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  std::string out(text);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    const std::string_view old = text.substr(it->first, it->second - it->first);
    const std::string stand_in = old == "fz:Qq" ? "fz:Qr" : "fz:Qq";
    out.replace(it->first, it->second - it->first, stand_in);
  }
  return out;
}

// ---- the reference model of the line reader ---------------------------------------------

// What input.hpp promises: physical lines split at '\n', at most kMaxLineLength bytes kept
// (and flagged when cut), a UTF-8 BOM dropped from line 1, surrounding blanks trimmed, blank
// lines and '#' comments skipped (a cut line is reported unless it is a comment), numbers
// counting every physical line.
std::vector<InputLine> model_lines(std::string_view data) {
  std::vector<InputLine> out;
  std::uint64_t number = 0;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t newline = data.find('\n', pos);
    std::string_view raw = data.substr(
        pos, newline == std::string_view::npos ? std::string_view::npos : newline - pos);
    pos = newline == std::string_view::npos ? data.size() : newline + 1;
    ++number;
    const bool too_long = raw.size() > kMaxLineLength;
    if (too_long) raw = raw.substr(0, kMaxLineLength);
    if (number == 1 && raw.substr(0, kBom.size()) == kBom) raw.remove_prefix(kBom.size());
    const std::string_view text = trimmed(raw);
    const bool comment = !text.empty() && text.front() == '#';
    if (too_long ? !comment : !(text.empty() || comment))
      out.push_back(InputLine{number, std::string(text), too_long});
  }
  return out;
}

// ---- reading through the real sources ---------------------------------------------------

asio::io_context& io() {
  static asio::io_context context{1};
  return context;
}

asio::awaitable<void> read_all(fetch::LineSource& source, std::vector<InputLine>& lines) {
  while (auto line = co_await source.next()) lines.push_back(std::move(*line));
}

// Writes `data` in up to three pieces, letting the reader run in between, then closes.
asio::awaitable<void> write_in_pieces(asio::posix::stream_descriptor& pipe, std::string_view data,
                                      std::size_t cut1, std::size_t cut2) {
  const std::size_t cuts[] = {cut1, cut2, data.size()};
  std::size_t at = 0;
  for (const std::size_t cut : cuts) {
    if (cut <= at) continue;
    co_await asio::async_write(pipe, asio::buffer(data.data() + at, cut - at), asio::use_awaitable);
    at = cut;
    // A timer completes only after the reactor has run, which lets the reader take this piece.
    asio::steady_timer pause{pipe.get_executor(), std::chrono::milliseconds{0}};
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  pipe.close();
}

void rethrow_if(const std::exception_ptr& error) {
  if (error) std::rethrow_exception(error);
}

std::vector<InputLine> read_through_pipe(std::string_view data) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) std::abort();
  std::vector<InputLine> lines;
  {
    // The reader opens the pipe by name, as it would a named pipe or /dev/stdin.
    auto source = fetch::open_line_source(io().get_executor(), "/dev/fd/" + std::to_string(fds[0]));
    ::close(fds[0]);
    asio::posix::stream_descriptor writer{io(), fds[1]};
    const std::size_t n = data.size();
    const std::size_t a = n * static_cast<unsigned char>(data.empty() ? 0 : data.front()) / 256;
    const std::size_t b = n * static_cast<unsigned char>(data.empty() ? 0 : data.back()) / 256;
    std::exception_ptr read_error, write_error;
    asio::co_spawn(io(), read_all(*source, lines),
                   [&read_error](std::exception_ptr e) { read_error = e; });
    asio::co_spawn(io(), write_in_pieces(writer, data, std::min(a, b), std::max(a, b)),
                   [&write_error](std::exception_ptr e) { write_error = e; });
    io().restart();
    io().run();
    rethrow_if(read_error);
    rethrow_if(write_error);
  }
  return lines;
}

std::vector<InputLine> read_through_file(std::string_view data) {
  const int fd = ::memfd_create("fuzz_url_list", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  for (std::size_t done = 0; done < data.size();) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  std::vector<InputLine> lines;
  {
    auto source =
        fetch::open_line_source(io().get_executor(), "/proc/self/fd/" + std::to_string(fd));
    ::close(fd);
    std::exception_ptr read_error;
    asio::co_spawn(io(), read_all(*source, lines),
                   [&read_error](std::exception_ptr e) { read_error = e; });
    io().restart();
    io().run();
    rethrow_if(read_error);
  }
  return lines;
}

void check_same_lines(std::string_view data, const std::vector<InputLine>& got,
                      const std::vector<InputLine>& want, const char* reader) {
  if (got.size() != want.size()) {
    violated(
        reader, data,
        "line count " + std::to_string(got.size()) + " != model's " + std::to_string(want.size()));
  }
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const InputLine& line = got[i];
    CHECK(line.number > previous, data, line.text);  // strictly increasing
    previous = line.number;
    CHECK(line.text.size() <= kMaxLineLength, data, line.text.substr(0, 80));
    CHECK(line.text.find('\n') == std::string::npos, data, line.text);
    CHECK(line.number == want[i].number, data, line.text);
    CHECK(line.too_long == want[i].too_long, data, line.text);
    CHECK(line.text == want[i].text, data, line.text + " | model: " + want[i].text);
  }
}

// ---- URL checks -------------------------------------------------------------------------

using Parsed = std::variant<Target, std::string>;

// A redirect outcome in parse_target's terms: the failure's message. Every failure of
// resolve_redirect is in the redirect stage.
Parsed as_parsed(std::variant<Target, fetch::FetchError> resolved) {
  if (auto* failure = std::get_if<fetch::FetchError>(&resolved)) {
    if (failure->stage != fetch::Stage::redirect) return std::string{};  // caught as empty
    return std::move(failure->message);
  }
  return std::get<Target>(std::move(resolved));
}

std::string scheme_prefix(const Target& t) { return t.origin.tls() ? "https://" : "http://"; }

bool is_ipv6(const Target& t) {
  return t.origin.host_is_ip() && t.origin.host().find(':') != std::string::npos;
}

// The userinfo inside t.url, or nullopt when it has none. Checks how t.url is put together.
std::optional<std::string> check_target(const Target& t, std::string_view input) {
  const std::string prefix = scheme_prefix(t);
  const std::string detail = t.url + " | " + t.display;
  CHECK(!t.origin.host().empty(), input, detail);
  CHECK(t.origin.port() != 0, input, detail);
  CHECK(!t.request_target.empty() && t.request_target.front() == '/', input, t.request_target);
  CHECK(t.request_target.find('#') == std::string::npos, input, t.request_target);
  // Nothing that could end a header line or split the request line, nor any raw byte.
  CHECK(printable_ascii(t.origin.host()), input, t.origin.host());
  CHECK(printable_ascii(t.host_header), input, t.host_header);
  CHECK(printable_ascii(t.request_target), input, t.request_target);
  CHECK(printable_ascii(t.url), input, t.url);
  CHECK(printable_ascii(t.display), input, t.display);
  if (!t.authorization.empty()) {
    const std::string_view basic = "Basic ";
    CHECK(t.authorization.compare(0, basic.size(), basic) == 0, input, t.authorization);
    for (const char c : std::string_view(t.authorization).substr(basic.size())) {
      const bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '+' || c == '/' || c == '=';
      CHECK(b64, input, t.authorization);
    }
  }

  // The host: an address exactly when it is flagged as one; a plain lower-case name otherwise.
  boost::system::error_code not_an_address;
  asio::ip::make_address(t.origin.host(), not_an_address);
  CHECK(t.origin.host_is_ip() == !not_an_address, input, t.origin.host());
  if (!t.origin.host_is_ip()) {
    for (const char c : t.origin.host()) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
      CHECK(ok, input, t.origin.host());
    }
  }

  // Host header, origin, url and display agree with tls/host/port.
  const std::uint16_t default_port = t.origin.tls() ? 443 : 80;
  const std::string host_in_url = is_ipv6(t) ? "[" + t.origin.host() + "]" : t.origin.host();
  std::string host_header = host_in_url;
  if (t.origin.port() != default_port) host_header += ":" + std::to_string(t.origin.port());
  CHECK(t.host_header == host_header, input, t.host_header + " | expected " + host_header);
  CHECK(t.origin.to_string() == prefix + host_in_url + ":" + std::to_string(t.origin.port()), input,
        t.origin.to_string());

  const std::string rest = t.host_header + t.request_target;
  CHECK(t.url.size() >= prefix.size() + rest.size(), input, detail);
  CHECK(t.url.compare(0, prefix.size(), prefix) == 0, input, detail);
  CHECK(t.url.compare(t.url.size() - rest.size(), rest.size(), rest) == 0, input, detail);
  const std::string middle =
      t.url.substr(prefix.size(), t.url.size() - prefix.size() - rest.size());
  std::optional<std::string> userinfo;
  if (!middle.empty()) {
    CHECK(middle.back() == '@', input, detail);
    userinfo = middle.substr(0, middle.size() - 1);
    CHECK(userinfo->find_first_of("@/?#[]") == std::string::npos, input, detail);
  }
  CHECK(t.authorization.empty() == !userinfo, input, detail);
  CHECK(t.display == prefix + (userinfo ? "***@" : "") + rest, input, detail);
  return userinfo;
}

// The checks of a successful parse_target(input).
void check_parsed(const Target& t, std::string_view input) {
  const std::optional<std::string> userinfo = check_target(t, input);

  // Canonical: the URL parses back to itself.
  Parsed again = fetch::parse_target(t.url);
  const Target* t2 = std::get_if<Target>(&again);
  CHECK(t2 != nullptr, input, t.url + " | " + std::get<std::string>(again));
  CHECK(t2->url == t.url && t2->display == t.display && t2->authorization == t.authorization, input,
        t.url + " | " + t2->url);

  // An absolute URL resolves to itself, whatever the base.
  Parsed self = as_parsed(fetch::resolve_redirect(*t2, t.url));
  const Target* t3 = std::get_if<Target>(&self);
  CHECK(t3 != nullptr, input, t.url + " | " + std::get<std::string>(self));
  CHECK(t3->url == t.url, input, t.url + " | " + t3->url);

  if (!userinfo) return;
  // The userinfo is taken as typed, right after "scheme://" ...
  const std::size_t start = input.find("://") + 3;
  CHECK(input.substr(start, userinfo->size() + 1) == *userinfo + "@", input, *userinfo);
  // ... and nothing else depends on it: the same URL with other credentials shows the same.
  std::string other(input);
  other.replace(start, userinfo->size(), *userinfo == "fz:Qq" ? "fz:Qr" : "fz:Qq");
  Parsed parsed_other = fetch::parse_target(other);
  const Target* t4 = std::get_if<Target>(&parsed_other);
  CHECK(t4 != nullptr, input, other);
  CHECK(t4->display == t.display, input, t4->display + " | " + t.display);
  CHECK(t4->host_header == t.host_header && t4->request_target == t.request_target &&
            t4->origin.port() == t.origin.port() && t4->origin.tls() == t.origin.tls(),
        input, t4->url + " | " + t.url);
}

struct Bases {
  Target with_credentials;  // http://fzuser:fzpass@example.com/dir/page?q=1
  Target other_password;    // the same with another password
  Target tls_ipv6;          // https://[::1]:8443/a/b/c?x=y
};

const Bases& bases() {
  static const Bases b = [] {
    auto get = [](std::string_view url) {
      Parsed p = fetch::parse_target(url);
      if (!std::holds_alternative<Target>(p)) std::abort();
      return std::get<Target>(p);
    };
    return Bases{get("http://fzuser:fzpass@example.com/dir/page?q=1"),
                 get("http://fzuser:otherpw@example.com/dir/page?q=1"),
                 get("https://[::1]:8443/a/b/c?x=y")};
  }();
  return b;
}

Parsed guarded(std::string_view input, const char* what,
               Parsed (*call)(std::string_view, const Target*), const Target* base) {
  try {
    return call(input, base);
  } catch (const std::exception& e) {
    violated(what, input, std::string("threw: ") + e.what());
  } catch (...) {
    violated(what, input, "threw a non-standard exception");
  }
}

Parsed call_parse(std::string_view input, const Target*) { return fetch::parse_target(input); }
Parsed call_resolve(std::string_view input, const Target* base) {
  return as_parsed(fetch::resolve_redirect(*base, input));
}

void check_reason(const Parsed& p, std::string_view input) {
  if (const auto* reason = std::get_if<std::string>(&p)) {
    CHECK(!reason->empty(), input, *reason);
    CHECK(fit_for_terminal(*reason), input, *reason);
  }
}

void check_redirect(std::string_view input) {
  const Bases& b = bases();
  const Parsed r1 =
      guarded(input, "resolve_redirect never throws", call_resolve, &b.with_credentials);
  const Parsed r2 =
      guarded(input, "resolve_redirect never throws", call_resolve, &b.other_password);
  check_reason(r1, input);
  // The base's password changes nothing anyone sees.
  CHECK(r1.index() == r2.index(), input, "base password changes the outcome");
  if (const auto* t1 = std::get_if<Target>(&r1)) {
    const Target& t2 = std::get<Target>(r2);
    check_target(*t1, input);
    CHECK(t1->display == t2.display, input, t1->display + " | " + t2.display);
  } else {
    CHECK(std::get<std::string>(r1) == std::get<std::string>(r2), input, std::get<std::string>(r1));
  }

  const Parsed r3 = guarded(input, "resolve_redirect never throws", call_resolve, &b.tls_ipv6);
  check_reason(r3, input);
  if (const auto* t3 = std::get_if<Target>(&r3)) check_target(*t3, input);
}

void check_redaction(std::string_view input) {
  const std::string out = fetch::redact_credentials(input);
  CHECK(fetch::redact_credentials(out) == out, input, out);  // idempotent
  const auto spans = userinfo_spans(input);
  if (spans.empty()) return;
  // Output independent of the credentials: no part of them shows.
  const std::string other = with_other_userinfo(input, spans);
  CHECK(fetch::redact_credentials(other) == out, input,
        out + " | " + fetch::redact_credentials(other));
}

void check_line(const InputLine& line) {
  const std::string_view text = line.text;
  const Parsed parsed = guarded(text, "parse_target never throws", call_parse, nullptr);
  check_reason(parsed, text);
  if (const auto* t = std::get_if<Target>(&parsed)) check_parsed(*t, text);
  // What fetch_url shows for a line that is too long: it parses no further.
  check_redaction(text.substr(0, 80));
  if (line.too_long) return;
  check_redaction(text);
  check_redirect(text);
}

std::string expand(const std::uint8_t* data, std::size_t size) {
  if (size >= 3 && data[0] == 0xFF) {
    const std::size_t length = kMaxLineLength - 16 + data[1] % 32;
    std::string out(length, static_cast<char>(data[2]));
    out.append(reinterpret_cast<const char*>(data) + 3, size - 3);
    return out;
  }
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::signal(SIGPIPE, SIG_IGN);
  bases();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input = expand(data, size);
  const std::vector<InputLine> want = model_lines(input);
  std::vector<InputLine> from_pipe, from_file;
  try {
    from_pipe = read_through_pipe(input);
    from_file = read_through_file(input);
  } catch (const std::exception& e) {
    violated("reading a list never throws", input, e.what());
  }
  check_same_lines(input, from_pipe, want, "pipe reader matches the model");
  check_same_lines(input, from_file, want, "file reader matches the model");
  for (const InputLine& line : from_file) check_line(line);
  return 0;
}
