#include "fetch/http1/response_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace fetch {

namespace {

// A chunk-size line with its extensions; longer ones are not chunked bodies.
constexpr std::size_t kMaxChunkLine = 4096;

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// RFC 9110 5.6.2: the characters of a token (field names, codings).
constexpr bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) return true;
  constexpr std::string_view others = "!#$%&'*+-.^_`|~";
  return others.find(c) != std::string_view::npos;
}

int hex_value(char c) noexcept {
  if (is_digit(c)) return c - '0';
  const char lower = to_lower(c);
  return (lower >= 'a' && lower <= 'f') ? lower - 'a' + 10 : -1;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower(x) == to_lower(y);
         });
}

// Calls `each` with every element of a comma-separated field value, trimmed; empty elements
// (",," or a trailing comma, which RFC 9110 5.6.1 lets recipients ignore) are skipped.
template <class Each>
void for_each_element(std::string_view list, Each&& each) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view element = trim(list.substr(0, comma));
    if (!element.empty()) each(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// A line without its CR, when it ended in CRLF; one that ended in a bare LF has none.
std::string_view without_cr(std::string_view line) noexcept {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::optional<std::uint64_t> parse_decimal(std::string_view digits) noexcept {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace

ResponseParser::ResponseParser(BodySink& body, bool head) : body_(body), head_request_(head) {}

void ResponseParser::fail(errc code, std::string message) {
  failure_ = Failure{code, std::move(message)};
  state_ = State::failed;
  keep_alive_ = false;
}

void ResponseParser::fail_head(std::string_view reason) {
  fail(errc::bad_response, fmt::format("bad response header: {}", reason));
}

bool ResponseParser::head_too_large(std::size_t more) {
  head_bytes_ += more;
  if (head_bytes_ <= kMaxHead) return false;
  fail_head(fmt::format("the header block is larger than {} KiB (header limit)", kMaxHead / 1024));
  return true;
}

std::optional<std::string_view> ResponseParser::next_line(std::string_view input, std::size_t& at,
                                                          std::size_t limit, bool& too_long) {
  const std::size_t end = input.find('\n', at);
  const std::size_t stop = end == std::string_view::npos ? input.size() : end;
  const std::string_view piece = input.substr(at, stop - at);
  at = end == std::string_view::npos ? input.size() : end + 1;
  if (line_.size() + piece.size() > limit) {
    too_long = true;
    return std::nullopt;
  }
  if (line_.empty() && end != std::string_view::npos) {
    return without_cr(piece);  // the whole line is in the input: no copy
  }
  line_.append(piece);
  if (end == std::string_view::npos) return std::nullopt;
  return without_cr(line_);
}

std::size_t ResponseParser::parse(std::string_view input) {
  std::size_t at = 0;
  while (at < input.size()) {
    const std::size_t before = at;
    switch (state_) {
      case State::done:
      case State::failed:
        consumed_ += at;
        return at;
      case State::status_line:
      case State::field_line:
      case State::trailer_line: {
        bool too_long = false;
        const std::optional<std::string_view> line = next_line(input, at, kMaxHead, too_long);
        if (head_too_large(at - before)) break;
        if (!line) {
          reject_partial_status_line();  // judged as soon as its bytes allow
          break;
        }
        on_head_line(*line);
        line_.clear();
        break;
      }
      case State::chunk_size: {
        bool too_long = false;
        const std::optional<std::string_view> line = next_line(input, at, kMaxChunkLine, too_long);
        if (too_long) {
          fail(errc::bad_body, "bad response body: chunk size line too long");
        } else if (line) {
          on_chunk_size_line(*line);
          line_.clear();
        } else if (!line_.empty() && hex_value(line_.front()) < 0) {
          fail(errc::bad_body, "bad response body: invalid chunk size");  // no need to wait
        }
        break;
      }
      case State::chunk_end: {
        // The line break after a chunk's data: CRLF, or a bare LF.
        const char c = input[at++];
        if (c == '\n') {
          line_.clear();
          state_ = State::chunk_size;
        } else if (c == '\r' && line_.empty()) {
          line_ = "\r";
        } else {
          fail(errc::bad_body, "bad response body: a chunk is not followed by a line break");
        }
        break;
      }
      case State::length_body:
      case State::close_body:
      case State::chunk_data:
        at += on_body_bytes(input.substr(at));
        break;
    }
  }
  consumed_ += at;
  return at;
}

void ResponseParser::on_head_line(std::string_view line) {
  if (line.find('\r') != std::string_view::npos) {
    if (state_ == State::trailer_line) {
      fail(errc::bad_body, "bad response body: a bare CR in a trailer line");
    } else {
      fail_head("a bare CR in a line (lines end in CRLF or LF)");
    }
  } else if (state_ == State::status_line) {
    on_status_line(line);
  } else if (state_ == State::field_line) {
    on_field_line(line);
  } else if (line.empty()) {
    body_done();  // the trailer section ended, and with it the chunked body
  }
}

void ResponseParser::reject_partial_status_line() {
  // A status line starts "HTTP/": anything else is refused at its first wrong byte, instead of
  // waiting for a line end that a server sending garbage may never send.
  constexpr std::string_view prefix = "HTTP/";
  if (state_ == State::status_line &&
      line_.substr(0, prefix.size()) != prefix.substr(0, std::min(line_.size(), prefix.size()))) {
    fail_head("bad status line");
  }
}

void ResponseParser::on_status_line(std::string_view line) {
  // HTTP-version SP status-code [ SP reason-phrase ]: a missing reason (and its space) is
  // accepted, as every client does.
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || !is_digit(line[5]) || line[6] != '.' ||
      !is_digit(line[7]) || line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) ||
      !is_digit(line[11]) || (line.size() > 12 && line[12] != ' ')) {
    fail_head("bad status line");
    return;
  }
  if (line[5] != '1') {
    fail_head(fmt::format("HTTP/{} is not HTTP/1.x", line.substr(5, 3)));
    return;
  }
  if (line.find('\0') != std::string_view::npos) {
    fail_head("bad status line: a NUL byte in the reason");
    return;
  }
  const unsigned code =
      static_cast<unsigned>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  // The grammar allows any three digits; RFC 9110 defines 100-599 and a status below 100
  // would otherwise pass for success.
  if (code < 100 || code > 599) {
    fail_head(fmt::format("bad status: {} is outside 100-599", code));
    return;
  }
  status_ = code;
  http10_ = line[7] == '0';
  state_ = State::field_line;
}

void ResponseParser::on_field_line(std::string_view line) {
  if (line.empty()) {
    on_head_end();
    return;
  }
  if (is_space(line.front())) {
    // obs-fold (RFC 9112 5.2): the line continues the previous field, read as one space.
    if (!fields_seen_) {
      fail_head("a continuation line before any field");
      return;
    }
    on_field(last_field_, trim(line), true);
    return;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    fail_head("a header line without a colon (a field name and ':' expected)");
    return;
  }
  // Whitespace before the colon is tolerated, as curl and browsers tolerate it.
  const std::string_view name = trim(line.substr(0, colon));
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
    fail_head("an invalid header field name");
    return;
  }
  const std::string_view value = trim(line.substr(colon + 1));
  if (value.find('\0') != std::string_view::npos) {
    fail_head("a NUL byte in a header field value");
    return;
  }
  static constexpr std::array<std::pair<std::string_view, Field>, 6> kInterpreted{{
      {"content-length", Field::content_length},
      {"transfer-encoding", Field::transfer_encoding},
      {"connection", Field::connection},
      {"location", Field::location},
      {"content-encoding", Field::encoding},
      {"retry-after", Field::retry_after},
  }};
  last_field_ = Field::other;
  for (const auto& [known, field] : kInterpreted) {
    if (iequals(name, known)) last_field_ = field;
  }
  fields_seen_ = true;
  on_field(last_field_, value, false);
}

void ResponseParser::on_field(Field field, std::string_view value, bool continuation) {
  switch (field) {
    case Field::other:
      break;
    case Field::content_length:
      // RFC 9110 8.6: a list of identical values ("5, 5", or the field twice) is one value.
      for_each_element(value, [this](std::string_view element) {
        const std::optional<std::uint64_t> length = parse_decimal(element);
        if (state_ == State::failed) return;
        if (!length) {
          fail_head("an invalid Content-Length value");
        } else if (content_length_ && *content_length_ != *length) {
          fail_head("conflicting Content-Length values");
        } else {
          content_length_ = length;
        }
      });
      content_length_seen_ = true;
      break;
    case Field::transfer_encoding:
      transfer_encoding_seen_ = true;
      if (!transfer_codings_.empty()) transfer_codings_ += ',';
      transfer_codings_.append(value);
      break;
    case Field::connection:
      for_each_element(value, [this](std::string_view option) {
        connection_close_ = connection_close_ || iequals(option, "close");
        connection_keep_alive_ = connection_keep_alive_ || iequals(option, "keep-alive");
      });
      break;
    case Field::location:
      if (continuation && location_fields_ == 1) {
        location_ += ' ';  // a folded continuation of the first Location
        location_.append(value);
      } else if (!continuation && ++location_fields_ == 1) {
        location_.assign(value);
      }
      break;
    case Field::encoding:
      if (!encoding_.empty()) encoding_ += ", ";
      encoding_.append(value);
      break;
    case Field::retry_after:
      if (!continuation && !retry_after_seen_) retry_after_.assign(value);
      retry_after_seen_ = true;
      break;
  }
}

void ResponseParser::on_head_end() {
  if (status_ < 200) {
    if (status_ == 101) {
      // fetch never asks to switch protocols: what follows is not HTTP fetch could read.
      fail_head("101 Switching Protocols, but no protocol upgrade was asked for");
      return;
    }
    start_head();  // an interim response (RFC 9110 15.2): the final one follows
    return;
  }
  head_complete_ = true;
  const bool has_body = !head_request_ && status_ != 204 && status_ != 304;
  if (!body_.start(status_, !location_.empty(), encoding_, has_body)) {
    fail_from_body();
    return;
  }
  choose_framing();
}

void ResponseParser::fail_from_body() { fail(body_.failure()->code, body_.failure()->message); }

void ResponseParser::body_done() {
  if (body_.finish()) {
    state_ = State::done;
  } else {
    fail_from_body();
  }
}

// RFC 9112 6.3, in order: no body for HEAD, 1xx, 204 and 304; Transfer-Encoding, whenever
// present, decides (chunked only as the final coding, and only once; else the body runs to
// the close) and Content-Length is then ignored; then Content-Length; then the close.
void ResponseParser::choose_framing() {
  const bool persistent =
      http10_ ? connection_keep_alive_ && !connection_close_ : !connection_close_;
  keep_alive_ = persistent;
  if (head_request_ || status_ == 204 || status_ == 304) {
    framing_ = Framing::none;
    state_ = State::done;
    return;
  }
  if (transfer_encoding_seen_) {
    std::size_t chunked = 0;
    bool chunked_last = false;
    for_each_element(transfer_codings_, [&](std::string_view coding) {
      const bool is_chunked = iequals(coding, "chunked");
      chunked += is_chunked ? 1 : 0;
      chunked_last = is_chunked;
    });
    if (chunked > 1) {
      fail_head("Transfer-Encoding applies chunked more than once");
      return;
    }
    content_length_.reset();  // never trusted beside Transfer-Encoding (request smuggling)
    framing_ = chunked_last ? Framing::chunked : Framing::until_close;
    state_ = chunked_last ? State::chunk_size : State::close_body;
    // Both fields, or a body that runs to the close: the server framed the response oddly,
    // and no other request rides after it.
    if (!chunked_last || content_length_seen_) keep_alive_ = false;
    return;
  }
  if (content_length_) {
    if (body_.limit() && *content_length_ > *body_.limit()) {
      fail(errc::body_too_large,
           fmt::format("body larger than --max-filesize ({} bytes)", *body_.limit()));
      return;
    }
    framing_ = Framing::length;
    remaining_ = *content_length_;
    state_ = State::length_body;
    if (remaining_ == 0) body_done();
    return;
  }
  framing_ = Framing::until_close;
  keep_alive_ = false;
  state_ = State::close_body;
}

void ResponseParser::on_chunk_size_line(std::string_view line) {
  // chunk-size [ chunk-ext ]: hex digits, then optional whitespace and ";extensions".
  std::uint64_t size = 0;
  std::size_t digits = 0;
  while (digits < line.size() && hex_value(line[digits]) >= 0) {
    if (size > (UINT64_MAX >> 4)) {
      fail(errc::bad_body, "bad response body: chunk size too large");
      return;
    }
    size = size << 4 | static_cast<std::uint64_t>(hex_value(line[digits]));
    ++digits;
  }
  const std::string_view rest = trim(line.substr(digits));
  if (digits == 0 || (!rest.empty() && rest.front() != ';')) {
    fail(errc::bad_body, "bad response body: invalid chunk size");
    return;
  }
  if (size == 0) {
    state_ = State::trailer_line;
    head_bytes_ = 0;  // the trailer section has a limit of its own
    return;
  }
  remaining_ = size;
  state_ = State::chunk_data;
}

std::size_t ResponseParser::on_body_bytes(std::string_view bytes) {
  if (state_ != State::close_body) {
    bytes = bytes.substr(
        0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), remaining_)));
  }
  // Never more than the limit reaches the sink, however the bytes were split into reads.
  const std::optional<std::uint64_t> limit = body_.limit();
  const bool over = limit && bytes.size() > *limit - body_bytes_;
  if (over) bytes = bytes.substr(0, static_cast<std::size_t>(*limit - body_bytes_));
  if (state_ != State::close_body) remaining_ -= bytes.size();
  body_bytes_ += bytes.size();
  if (!body_.data(bytes)) {
    fail_from_body();
  } else if (over) {
    fail(errc::body_too_large, fmt::format("body larger than --max-filesize ({} bytes)", *limit));
  } else if (remaining_ == 0 && state_ == State::length_body) {
    body_done();
  } else if (remaining_ == 0 && state_ == State::chunk_data) {
    state_ = State::chunk_end;
  }
  return bytes.size();
}

void ResponseParser::end_of_stream(std::string_view cut) {
  switch (state_) {
    case State::done:
    case State::failed:
      return;
    case State::close_body:
      keep_alive_ = false;
      if (cut.empty()) {
        body_done();
      } else {
        fail(errc::body_truncated,
             fmt::format("body truncated: {} after {} bytes", cut, body_bytes_));
      }
      return;
    case State::length_body:
      fail(errc::body_truncated,
           fmt::format("body truncated: connection closed after {} of {} bytes", body_bytes_,
                       *content_length_));
      return;
    case State::chunk_size:
    case State::chunk_data:
    case State::chunk_end:
    case State::trailer_line:
      fail(errc::body_truncated,
           fmt::format("chunked body truncated: connection closed after {} bytes", body_bytes_));
      return;
    case State::status_line:
    case State::field_line:
      fail_head("the connection closed in the middle of the response head (partial message)");
      return;
  }
}

void ResponseParser::start_head() {
  state_ = State::status_line;
  head_bytes_ = 0;
  status_ = 0;
  http10_ = false;
  last_field_ = Field::other;
  fields_seen_ = false;
  content_length_.reset();
  content_length_seen_ = false;
  transfer_codings_.clear();
  transfer_encoding_seen_ = false;
  connection_close_ = false;
  connection_keep_alive_ = false;
  location_fields_ = 0;
  location_.clear();
  encoding_.clear();
  retry_after_.clear();
  retry_after_seen_ = false;
}

}  // namespace fetch
