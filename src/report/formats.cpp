#include "fetch/report/formats.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <iterator>
#include <string_view>
#include <utility>

#include "fetch/report/escape.hpp"
#include "fetch/report/fields.hpp"
#include "fetch/report/summary.hpp"

namespace fetch {
namespace {

// --- TSV and JSON: every field of the table -------------------------------------------------

enum class Syntax { tsv, json };

// One value as TSV or JSON write it. Both write numbers and booleans alike (milliseconds with
// three decimals, never an exponent: Boost.JSON 1.81 would write "1.234E2"); they differ in
// absent values (an empty field, null) and text (TSV escapes, a JSON string of valid UTF-8).
template <Syntax syntax>
void append_value(std::string& out, const FieldValue& value) {
  if (!value.present) {
    if constexpr (syntax == Syntax::json) out += "null";
    return;
  }
  switch (value.type) {
    case FieldType::integer:
      append_integer(out, value.integer);
      break;
    case FieldType::text:
      if constexpr (syntax == Syntax::json) {
        out += boost::json::serialize(valid_utf8(value.text));  // U+FFFD for bad bytes
      } else {
        append_tsv_field(out, value.text);
      }
      break;
    case FieldType::boolean:
      out += value.boolean ? "true" : "false";
      break;
    case FieldType::millis:
      append_millis(out, value.millis);
      break;
  }
}

void append_json_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;  // our own names: plain ASCII, nothing to escape
  out += "\":";
}

// Writes the members of `group` as one JSON object, or null when the group is the error and
// every member is absent (a record without an error).
void append_json_group(std::string& out, const Result& result, JsonGroup group) {
  std::string members;
  bool any_present = false;
  for (const Field& field : record_fields()) {
    if (field.group != group) continue;
    const FieldValue value = field.value(result);
    any_present = any_present || value.present;
    members += members.empty() ? '{' : ',';
    append_json_key(members, field.json_key);
    append_value<Syntax::json>(members, value);
  }
  if (group == JsonGroup::error && !any_present) {
    out += "null";
    return;
  }
  out += members;
  out += '}';
}

// Where the nested objects go among the top-level keys (see fields.hpp).
struct JsonGroupPlace {
  JsonGroup group;
  std::string_view key;
  std::string_view after;  // the top-level field it follows
};
constexpr JsonGroupPlace kJsonGroups[] = {
    {JsonGroup::timings, "timings", "elapsed_ms"},
    {JsonGroup::error, "error", "downgraded"},
};

// --- text: the fields people read -------------------------------------------------------------

// ANSI SGR sequences for format_text.
constexpr std::string_view green = "\x1b[32m";
constexpr std::string_view cyan = "\x1b[36m";
constexpr std::string_view yellow = "\x1b[33m";
constexpr std::string_view red = "\x1b[31m";
constexpr std::string_view dim = "\x1b[2m";
constexpr std::string_view reset = "\x1b[0m";

void append_coloured(std::string& out, std::string_view text, std::string_view colour,
                     bool enabled) {
  if (enabled && !colour.empty()) {
    out += colour;
    out += text;
    out += reset;
  } else {
    out += text;
  }
}

std::string_view status_colour(const Result& result) noexcept {
  if (result.error) return red;
  if (!result.status) return {};
  const unsigned status = *result.status;
  if (status >= 200 && status < 300) return green;
  if (status >= 300 && status < 400) return cyan;
  if (status >= 400 && status < 500) return yellow;
  if (status >= 500) return red;
  return {};
}

std::string human_duration(double ms) {
  if (ms < 999.5) return fmt::format("{:.0f} ms", ms);
  return fmt::format("{:.2f} s", ms / 1000.0);
}

// The values the text format shows, read through the table like every other format's.
struct TextFields {
  explicit TextFields(const Result& result)
      : status(value("status", result)),
        bytes(value("bytes", result)),
        elapsed(value("elapsed_ms", result)),
        url(value("url", result)),
        final_url(value("final_url", result)),
        redirects(value("redirects", result)),
        stage(value("error_stage", result)),
        message(value("error_message", result)),
        downgraded(value("downgraded", result)),
        decoded(value("decoded_bytes", result)),
        encoding(value("content_encoding", result)) {}

  static FieldValue value(std::string_view name, const Result& result) {
    return find_field(name)->value(result);
  }

  FieldValue status, bytes, elapsed, url, final_url, redirects, stage, message, downgraded;
  FieldValue decoded, encoding;
};

// Every field in order, the loop unrolled so that each accessor is called directly (and
// inlined): TSV is the format of pipelines and of the 10 000-URL benchmark.
template <std::size_t Index>
void append_tsv_field_at(std::string& out, const Result& result) {
  if constexpr (Index > 0) out += '\t';
  append_value<Syntax::tsv>(out, kRecordFields[Index].value(result));
}

template <std::size_t... Index>
void append_tsv_fields(std::string& out, const Result& result, std::index_sequence<Index...>) {
  (append_tsv_field_at<Index>(out, result), ...);
}

}  // namespace

std::string format_tsv(const Result& result) {
  std::string out;
  out.reserve(128 + result.url.size() + result.final_url.size());
  append_tsv_fields(out, result, std::make_index_sequence<kRecordFields.size()>{});
  out += '\n';
  return out;
}

std::string format_json(const Result& result) {
  std::string out;
  out.reserve(256 + result.url.size() + result.final_url.size());
  append_json_record(out, result);
  out += '\n';
  return out;
}

void append_tsv_value(std::string& out, const FieldValue& value) {
  append_value<Syntax::tsv>(out, value);
}

void append_json_record(std::string& out, const Result& result) {
  out += '{';
  bool first = true;
  auto next_key = [&](std::string_view key) {
    if (!first) out += ',';
    first = false;
    append_json_key(out, key);
  };
  for (const Field& field : record_fields()) {
    if (field.group != JsonGroup::top) continue;
    next_key(field.json_key);
    append_value<Syntax::json>(out, field.value(result));
    for (const JsonGroupPlace& place : kJsonGroups) {
      if (place.after == field.name) {
        next_key(place.key);
        append_json_group(out, result, place.group);
      }
    }
  }
  out += '}';
}

std::string format_text(const Result& result, bool colour) {
  const TextFields fields{result};
  std::string out;
  out.reserve(64 + result.url.size() + result.final_url.size());

  std::string status = "---";
  if (fields.stage.present) {
    status = "ERR";
  } else if (fields.status.present) {
    status = fmt::format("{:>3}", fields.status.integer);
  }
  append_coloured(out, status, status_colour(result), colour);
  // The size a person cares about is the decoded one; the wire size follows at the end.
  const std::uint64_t size =
      fields.encoding.present ? fields.decoded.integer : fields.bytes.integer;
  fmt::format_to(std::back_inserter(out), " {:>10} ", human_bytes(size));
  append_coloured(out, fmt::format("{:>8}", human_duration(fields.elapsed.millis)), dim, colour);
  out += "  ";
  out += terminal_safe(fields.url.text);

  if (fields.stage.present) {
    out += "  ";
    append_coloured(out,
                    fmt::format("{}: {}", fields.stage.text, terminal_safe(fields.message.text)),
                    red, colour);
  } else if (fields.redirects.integer > 0) {
    append_coloured(out,
                    fmt::format(" -> {} ({} redirect{})", terminal_safe(fields.final_url.text),
                                fields.redirects.integer, fields.redirects.integer == 1 ? "" : "s"),
                    dim, colour);
  }
  if (fields.encoding.present) {
    append_coloured(out,
                    fmt::format("  ({} {})", human_bytes(fields.bytes.integer),
                                terminal_safe(fields.encoding.text)),
                    dim, colour);
  }
  if (fields.downgraded.boolean) {
    append_coloured(out, "  (redirected from https to http)", yellow, colour);
  }
  out += '\n';
  return out;
}

std::string format_summary(const Summary& summary) {
  return fmt::format("{} URL{}: {} ok, {} failed, {} in {:.2f} s ({:.1f} req/s){}\n", summary.count,
                     summary.count == 1 ? "" : "s", summary.ok, summary.failed,
                     human_bytes(summary.bytes), summary.elapsed_s, summary.requests_per_second(),
                     summary.interrupted ? " (interrupted)" : "");
}

std::string human_bytes(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  constexpr std::string_view units[] = {"KiB", "MiB", "GiB"};
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  // Promote when one decimal would round up to 1024.0 ("1024.0 KiB" reads as "1.0 MiB").
  while (unit + 1 < std::size(units) && std::round(value * 10.0) >= 10240.0) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace fetch
