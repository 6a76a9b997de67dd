#pragma once
// The output contract: every field of a record, in TSV column order, each with the one
// accessor that says what it holds. TSV, JSON Lines and the text format are all written from
// this table (formats.hpp), and so will be -w templates; tests and bench/ read records by
// these names. Fields are only ever appended, never renamed or moved.
//
//  #  name            JSON place         value
//  1  line            line               input line number (or argument position)
//  2  url             url                the URL as given, credentials replaced by ***
//  3  final_url       final_url          the URL of the last response (empty: input errors)
//  4  ok              ok                 a response arrived, nothing failed, status < 400
//  5  status          status             HTTP status of the last response, or absent
//  6  content_length  content_length     its Content-Length header, or absent
//  7  bytes           bytes              body bytes received
//  8  redirects       redirects          redirects followed
//  9  elapsed_ms      elapsed_ms         the whole exchange, redirects included
// 10  error_stage     error.stage        a Stage name, or absent
// 11  error_message   error.message      one line for people, or absent
// 12  resolve_ms      timings.resolve_ms phase timings of the connection that carried the
// 13  connect_ms      timings.connect_ms   last response: all 0 when it was open already
// 14  tls_ms          timings.tls_ms
// 15  ttfb_ms         timings.ttfb_ms    request written -> first response byte, last hop
// 16  reused          reused             the last request rode a connection already open
// 17  downgraded      downgraded         a redirect led from https to plain http
// 18  error_code      error.code         an errc name (core/error.hpp), or absent
// 19  decoded_bytes   decoded_bytes      body bytes after undoing the content codings (gzip,
//                                        br, zstd, deflate); = bytes when there were none
// 20  content_encoding content_encoding  the codings the response named, or absent
// 21  http_version    http_version       "1.1" or "2": the protocol of the last response, or
//                                        absent when no connection carried one
// 22  saved_as        saved_as           --output-dir: the file the body was saved as
//                                        ("DIR/NAME"), or absent
// 23  retries         retries            attempts after the first (--retry)
//
// In JSON the groups are objects: "timings" follows elapsed_ms, and "error" follows
// downgraded and is null when the record has no error. Fields appended later go after it.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "fetch/client/result.hpp"

namespace fetch {

enum class FieldType : std::uint8_t { integer, text, boolean, millis };

// One field of one record. An absent value (no status, no error) is written as an empty TSV
// field, JSON null, and left out of the text format.
struct FieldValue {
  FieldType type = FieldType::integer;
  bool present = true;
  std::uint64_t integer = 0;
  double millis = 0;
  bool boolean = false;
  std::string_view text;  // refers into the Result

  // (Assignments, not designated initializers: g++ 12 warns about the members they omit.)
  static constexpr FieldValue of_integer(std::uint64_t value) noexcept {
    FieldValue field;
    field.integer = value;
    return field;
  }
  static constexpr FieldValue of_text(std::string_view value) noexcept {
    FieldValue field;
    field.type = FieldType::text;
    field.text = value;
    return field;
  }
  static constexpr FieldValue of_boolean(bool value) noexcept {
    FieldValue field;
    field.type = FieldType::boolean;
    field.boolean = value;
    return field;
  }
  static constexpr FieldValue of_millis(double value) noexcept {
    FieldValue field;
    field.type = FieldType::millis;
    field.millis = value;
    return field;
  }
  static constexpr FieldValue absent(FieldType type) noexcept {
    FieldValue field;
    field.type = type;
    field.present = false;
    return field;
  }
};

// Where a field sits in a JSON record: a top-level key, or a key of a nested object.
enum class JsonGroup : std::uint8_t { top, timings, error };

struct Field {
  std::string_view name;  // TSV column and -w variable
  JsonGroup group;
  std::string_view json_key;  // within its group: "stage" for error_stage
  FieldValue (*value)(const Result&);
};

namespace fields_detail {

using V = FieldValue;

template <class T>
constexpr V optional_integer(const std::optional<T>& value) {
  return value ? V::of_integer(*value) : V::absent(FieldType::integer);
}

constexpr V error_text(const Result& r, std::string_view (*part)(const FetchError&)) {
  return r.error ? V::of_text(part(*r.error)) : V::absent(FieldType::text);
}

// The contract, in TSV column order: see fields.hpp.
inline constexpr std::array kRecordFields{
    Field{"line", JsonGroup::top, "line", [](const Result& r) { return V::of_integer(r.line); }},
    Field{"url", JsonGroup::top, "url", [](const Result& r) { return V::of_text(r.url); }},
    Field{"final_url", JsonGroup::top, "final_url",
          [](const Result& r) { return V::of_text(r.final_url); }},
    Field{"ok", JsonGroup::top, "ok", [](const Result& r) { return V::of_boolean(r.ok()); }},
    Field{"status", JsonGroup::top, "status",
          [](const Result& r) { return optional_integer(r.status); }},
    Field{"content_length", JsonGroup::top, "content_length",
          [](const Result& r) { return optional_integer(r.content_length); }},
    Field{"bytes", JsonGroup::top, "bytes", [](const Result& r) { return V::of_integer(r.bytes); }},
    Field{"redirects", JsonGroup::top, "redirects",
          [](const Result& r) { return V::of_integer(r.redirects); }},
    Field{"elapsed_ms", JsonGroup::top, "elapsed_ms",
          [](const Result& r) { return V::of_millis(r.timings.total_ms); }},
    Field{"error_stage", JsonGroup::error, "stage",
          [](const Result& r) {
            return error_text(r, [](const FetchError& e) { return to_string(e.stage); });
          }},
    Field{"error_message", JsonGroup::error, "message",
          [](const Result& r) {
            return error_text(r, [](const FetchError& e) { return std::string_view{e.message}; });
          }},
    Field{"resolve_ms", JsonGroup::timings, "resolve_ms",
          [](const Result& r) { return V::of_millis(r.timings.resolve_ms); }},
    Field{"connect_ms", JsonGroup::timings, "connect_ms",
          [](const Result& r) { return V::of_millis(r.timings.connect_ms); }},
    Field{"tls_ms", JsonGroup::timings, "tls_ms",
          [](const Result& r) { return V::of_millis(r.timings.tls_ms); }},
    Field{"ttfb_ms", JsonGroup::timings, "ttfb_ms",
          [](const Result& r) { return V::of_millis(r.timings.ttfb_ms); }},
    Field{"reused", JsonGroup::top, "reused",
          [](const Result& r) { return V::of_boolean(r.reused_connection); }},
    Field{"downgraded", JsonGroup::top, "downgraded",
          [](const Result& r) { return V::of_boolean(r.downgraded); }},
    Field{"error_code", JsonGroup::error, "code",
          [](const Result& r) {
            return error_text(r, [](const FetchError& e) { return to_name(e.code); });
          }},
    Field{"decoded_bytes", JsonGroup::top, "decoded_bytes",
          [](const Result& r) { return V::of_integer(r.decoded_bytes); }},
    Field{"content_encoding", JsonGroup::top, "content_encoding",
          [](const Result& r) {
            return r.content_encoding.empty() ? V::absent(FieldType::text)
                                              : V::of_text(r.content_encoding);
          }},
    Field{"http_version", JsonGroup::top, "http_version",
          [](const Result& r) {
            return r.http_version.empty() ? V::absent(FieldType::text) : V::of_text(r.http_version);
          }},
    Field{"saved_as", JsonGroup::top, "saved_as",
          [](const Result& r) {
            return r.saved_as.empty() ? V::absent(FieldType::text) : V::of_text(r.saved_as);
          }},
    Field{"retries", JsonGroup::top, "retries",
          [](const Result& r) { return V::of_integer(r.retries); }},
};

}  // namespace fields_detail

// Every field, in TSV column order (a constant, so that writers can unroll it).
using fields_detail::kRecordFields;
inline std::span<const Field> record_fields() noexcept { return kRecordFields; }
// The field called `name`, or null.
const Field* find_field(std::string_view name) noexcept;

}  // namespace fetch
