#include "fetch/report/fields.hpp"

#include <array>

namespace fetch {

FieldValue FieldValue::of_integer(std::uint64_t value) noexcept {
  FieldValue field;
  field.type = FieldType::integer;
  field.integer = value;
  return field;
}

FieldValue FieldValue::of_text(std::string_view value) noexcept {
  FieldValue field;
  field.type = FieldType::text;
  field.text = value;
  return field;
}

FieldValue FieldValue::of_boolean(bool value) noexcept {
  FieldValue field;
  field.type = FieldType::boolean;
  field.boolean = value;
  return field;
}

FieldValue FieldValue::of_millis(double value) noexcept {
  FieldValue field;
  field.type = FieldType::millis;
  field.millis = value;
  return field;
}

FieldValue FieldValue::absent(FieldType type) noexcept {
  FieldValue field;
  field.type = type;
  field.present = false;
  return field;
}

namespace {

using V = FieldValue;

template <class T>
V optional_integer(const std::optional<T>& value) {
  return value ? V::of_integer(*value) : V::absent(FieldType::integer);
}

V error_text(const Result& r, std::string_view (*part)(const FetchError&)) {
  return r.error ? V::of_text(part(*r.error)) : V::absent(FieldType::text);
}

// The contract, in TSV column order: see fields.hpp.
constexpr std::array kFields{
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
};

}  // namespace

std::span<const Field> record_fields() noexcept { return kFields; }

const Field* find_field(std::string_view name) noexcept {
  for (const Field& field : kFields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

}  // namespace fetch
