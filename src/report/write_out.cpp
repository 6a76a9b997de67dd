#include "fetch/report/write_out.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>

#include "fetch/report/escape.hpp"
#include "fetch/report/fields.hpp"
#include "fetch/report/formats.hpp"

namespace fetch {
namespace {

using Write = void (*)(std::string&, const Result&, const Field*);

// --- the writers -------------------------------------------------------------------------------

// A field of the table, as its TSV column holds it.
void write_field(std::string& out, const Result& result, const Field* field) {
  append_tsv_value(out, field->value(result));
}

// Seconds with six decimals, as curl prints its times ("0.012345"). Integer arithmetic, as
// append_millis does; negative and NaN read 0.
void append_seconds(std::string& out, double ms) {
  constexpr double kLargest = 1e12;
  if (!(ms > 0)) ms = 0;
  const auto micros = static_cast<std::uint64_t>(std::min(ms, kLargest) * 1000.0 + 0.5);
  append_integer(out, micros / 1'000'000);
  char digits[7] = {'.'};
  std::uint64_t fraction = micros % 1'000'000;
  for (int i = 6; i >= 1; --i, fraction /= 10) digits[i] = static_cast<char>('0' + fraction % 10);
  out.append(digits, sizeof digits);
}

// A table field in milliseconds, as curl's seconds.
void write_field_seconds(std::string& out, const Result& result, const Field* field) {
  append_seconds(out, field->value(result).millis);
}

// curl's times add up from the start: the connect includes the lookup, the TLS handshake both.
void write_time_connect(std::string& out, const Result& r, const Field*) {
  append_seconds(out, r.timings.resolve_ms + r.timings.connect_ms);
}

// 0 without a TLS handshake, as curl's: plain http, or a connection that was open already.
void write_time_appconnect(std::string& out, const Result& r, const Field*) {
  const Timings& t = r.timings;
  append_seconds(out, t.tls_ms > 0 ? t.resolve_ms + t.connect_ms + t.tls_ms : 0);
}

void write_time_starttransfer(std::string& out, const Result& r, const Field*) {
  append_seconds(out, r.timings.start_transfer_ms);
}

// Three digits, 000 when no response arrived (curl's "%03ld").
void write_http_code(std::string& out, const Result& r, const Field*) {
  const unsigned status = r.status.value_or(0);
  if (status < 100) out += status < 10 ? "00" : "0";
  append_integer(out, status);
}

// Why the URL failed, for people; what curl --fail says of a status of 400 or more.
void write_errormsg(std::string& out, const Result& r, const Field*) {
  if (r.error) {
    append_tsv_field(out, r.error->message);
  } else if (r.status && *r.status >= 400) {
    fmt::format_to(std::back_inserter(out), "The requested URL returned error: {}", *r.status);
  }
}

void write_exitcode(std::string& out, const Result& r, const Field*) {
  append_integer(out, static_cast<std::uint64_t>(curl_exit_code(r)));
}

void write_json(std::string& out, const Result& r, const Field*) { append_json_record(out, r); }

// --- the names ---------------------------------------------------------------------------------

struct CurlName {
  std::string_view name;
  Write write;
  std::string_view field;  // the table field it reads, or empty
};

constexpr std::array kCurlNames{
    CurlName{"url", write_field, "url"},
    CurlName{"url_effective", write_field, "final_url"},
    CurlName{"http_code", write_http_code, {}},
    CurlName{"response_code", write_http_code, {}},
    CurlName{"size_download", write_field, "bytes"},
    CurlName{"num_redirects", write_field, "redirects"},
    CurlName{"filename_effective", write_field, "saved_as"},
    CurlName{"time_namelookup", write_field_seconds, "resolve_ms"},
    CurlName{"time_connect", write_time_connect, {}},
    CurlName{"time_appconnect", write_time_appconnect, {}},
    CurlName{"time_starttransfer", write_time_starttransfer, {}},
    CurlName{"time_total", write_field_seconds, "elapsed_ms"},
    CurlName{"errormsg", write_errormsg, {}},
    CurlName{"exitcode", write_exitcode, {}},
    CurlName{"json", write_json, {}},
};

std::optional<WriteOut::Variable> find_variable(std::string_view name) {
  for (const CurlName& curl : kCurlNames) {
    if (curl.name != name) continue;
    const Field* field = curl.field.empty() ? nullptr : find_field(curl.field);
    if (!curl.field.empty() && field == nullptr) return std::nullopt;  // not in this build
    return WriteOut::Variable{curl.write, field};
  }
  if (const Field* field = find_field(name)) return WriteOut::Variable{write_field, field};
  return std::nullopt;
}

// The character a backslash escape stands for, or 0 when it stands for itself.
char escaped(char c) noexcept {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case '\\':
      return '\\';
    default:
      return 0;
  }
}

}  // namespace

std::optional<WriteOut> WriteOut::compile(std::string_view format, std::string& error) {
  if (format.size() > std::numeric_limits<std::uint32_t>::max()) {
    error = "the template is too long";
    return std::nullopt;
  }
  WriteOut compiled;
  Piece piece;
  auto literal_end = [&] { return static_cast<std::uint32_t>(compiled.literals_.size()); };
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    const char next = i + 1 < format.size() ? format[i + 1] : '\0';
    if (c == '\\' && escaped(next) != 0) {
      compiled.literals_ += escaped(next);
      ++i;
    } else if (c == '%' && next == '%') {
      compiled.literals_ += '%';
      ++i;
    } else if (c == '%' && next == '{') {
      const std::size_t close = format.find('}', i + 2);
      if (close == std::string_view::npos) {
        error = fmt::format("'%{{' without its '}}' at character {}", i + 1);
        return std::nullopt;
      }
      const std::string_view name = format.substr(i + 2, close - i - 2);
      piece.variable = find_variable(name);
      if (!piece.variable) {
        error = fmt::format("unknown variable '%{{{}}}' (see --help for the list)", name);
        return std::nullopt;
      }
      piece.literal_end = literal_end();
      compiled.pieces_.push_back(piece);
      piece = Piece{literal_end(), literal_end(), std::nullopt};
      i = close;
    } else {
      compiled.literals_ += c;
    }
  }
  piece.literal_end = literal_end();
  if (piece.literal_end > piece.literal_begin) compiled.pieces_.push_back(piece);
  return compiled;
}

void WriteOut::render(std::string& out, const Result& result) const {
  const char* literals = literals_.data();
  for (const Piece& piece : pieces_) {
    out.append(literals + piece.literal_begin, piece.literal_end - piece.literal_begin);
    if (piece.variable) piece.variable->write(out, result, piece.variable->field);
  }
}

std::vector<std::string_view> WriteOut::variable_names() {
  std::vector<std::string_view> names;
  for (const CurlName& curl : kCurlNames) names.push_back(curl.name);
  for (const Field& field : record_fields()) {
    if (std::find(names.begin(), names.end(), field.name) == names.end()) {
      names.push_back(field.name);
    }
  }
  return names;
}

// curl's numbers (curl's libcurl-errors(3)): what curl --fail exits with for the same fate.
int curl_exit_code(const Result& result) noexcept {
  if (!result.error) return result.ok() ? 0 : 22;  // CURLE_HTTP_RETURNED_ERROR
  switch (result.error->code) {
    case errc::unsupported_redirect_scheme:
      return 1;  // CURLE_UNSUPPORTED_PROTOCOL
    case errc::bad_url:
    case errc::line_too_long:
    case errc::bad_redirect_location:
      return 3;  // CURLE_URL_MALFORMAT
    case errc::host_not_found:
    case errc::resolve_failed:
      return 6;  // CURLE_COULDNT_RESOLVE_HOST
    case errc::connect_refused:
    case errc::connect_failed:
    case errc::proxy_connect_failed:
      return 7;  // CURLE_COULDNT_CONNECT
    case errc::bad_response:
      return 8;  // CURLE_WEIRD_SERVER_REPLY
    case errc::body_truncated:
      return 18;  // CURLE_PARTIAL_FILE
    case errc::save_failed:
      return 23;  // CURLE_WRITE_ERROR
    case errc::decode_memory:
      return 27;  // CURLE_OUT_OF_MEMORY
    case errc::timeout_connect:
    case errc::timeout_max_time:
      return 28;  // CURLE_OPERATION_TIMEDOUT
    case errc::tls_handshake_failed:
    case errc::tls_setup_failed:
      return 35;  // CURLE_SSL_CONNECT_ERROR
    case errc::too_many_redirects:
    case errc::redirect_loop:
      return 47;  // CURLE_TOO_MANY_REDIRECTS
    case errc::empty_reply:
      return 52;  // CURLE_GOT_NOTHING
    case errc::write_failed:
      return 55;  // CURLE_SEND_ERROR
    case errc::bad_body:
    case errc::proxy_auth_required:  // curl: "CONNECT tunnel failed, response 407"
    case errc::proxy_refused:
    case errc::proxy_bad_response:
      return 56;  // CURLE_RECV_ERROR
    case errc::tls_verify_failed:
      return 60;  // CURLE_PEER_FAILED_VERIFICATION
    case errc::decode_corrupt:
    case errc::decode_bomb:
    case errc::decode_too_many_codings:
      return 61;  // CURLE_BAD_CONTENT_ENCODING
    case errc::body_too_large:
      return 63;  // CURLE_FILESIZE_EXCEEDED
    case errc::h2_protocol_error:
    case errc::h2_flow_control_error:
    case errc::h2_settings_timeout:
    case errc::h2_frame_size_error:
    case errc::h2_compression_error:
    case errc::h2_enhance_your_calm:
    case errc::h2_inadequate_security:
      return 16;  // CURLE_HTTP2: the framing layer (what these codes end a connection for)
    case errc::h2_internal_error:
    case errc::h2_stream_closed:
    case errc::h2_refused_stream:
    case errc::h2_cancel:
    case errc::h2_connect_error:
    case errc::h2_http_1_1_required:
      return 92;  // CURLE_HTTP2_STREAM
  }
  return 1;  // not reached: every code is mapped above (-Wswitch says when one is not)
}

}  // namespace fetch
