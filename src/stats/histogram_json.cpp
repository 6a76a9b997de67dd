// Histogram <-> JSON. The reader trusts nothing: every member is checked for type and range
// and against the others before any of it becomes a Histogram, so that a merged summary can
// only ever combine histograms that some process could really have recorded.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fetch/stats/histogram.hpp"
#include "histogram_form.hpp"

namespace fetch::stats::form {
namespace {

namespace json = boost::json;
using layout::U128;

constexpr std::string_view kFormat = "fetch.histogram";
constexpr std::int64_t kVersion = 1;
constexpr std::string_view kUnit = "us";
constexpr std::size_t kMaxDecimalDigits = 39;  // 2^128 - 1 has 39 digits

// Appends the decimal digits of `value` to `out`.
void append_decimal(U128 value, std::string& out) {
  char digits[kMaxDecimalDigits];
  std::size_t n = 0;
  do {
    digits[kMaxDecimalDigits - ++n] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  } while (value != 0);
  out.append(digits + kMaxDecimalDigits - n, n);
}

std::string decimal(U128 value) {
  std::string out;
  append_decimal(value, out);
  return out;
}

void append_number(std::uint64_t value, std::string& out) {
  const fmt::format_int text{value};
  out.append(text.data(), text.size());
}

std::optional<U128> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > kMaxDecimalDigits) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;  // one spelling per value
  U128 value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const U128 next = value * 10 + static_cast<unsigned>(c - '0');
    if (next / 10 != value) return std::nullopt;  // beyond 2^128 - 1
    value = next;
  }
  return value;
}

// A JSON integer >= 0 (Boost.JSON keeps those below 2^63 as int64); not a double like 5.0.
std::optional<std::uint64_t> as_unsigned(const json::value& value) {
  if (value.is_uint64()) return value.get_uint64();
  if (value.is_int64() && value.get_int64() >= 0) {
    return static_cast<std::uint64_t>(value.get_int64());
  }
  return std::nullopt;
}

std::optional<std::uint64_t> unsigned_member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value ? as_unsigned(*value) : std::nullopt;
}

std::optional<U128> decimal_member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (!value || !value->is_string()) return std::nullopt;
  return parse_decimal(value->get_string());
}

bool member_is(const json::object& object, std::string_view key, std::string_view expected) {
  const json::value* value = object.if_contains(key);
  return value && value->is_string() && value->get_string() == expected;
}

bool member_is(const json::object& object, std::string_view key, std::uint64_t expected) {
  return unsigned_member(object, key) == expected;
}

// Every histogram of this format has the same buckets; a reader of other parameters would
// merge counts into the wrong values.
std::string check_parameters(const json::object& object) {
  if (!member_is(object, "format", kFormat)) return "\"format\" is not \"fetch.histogram\"";
  if (!member_is(object, "version", kVersion)) return "unsupported \"version\" (expected 1)";
  if (!member_is(object, "unit", kUnit)) return "\"unit\" is not \"us\"";
  if (!member_is(object, "significant_digits", Histogram::kSignificantDigits)) {
    return "\"significant_digits\" is not 3";
  }
  if (!member_is(object, "max_trackable", Histogram::kMaxTrackable)) {
    return "\"max_trackable\" is not 4294967295";
  }
  return {};
}

std::variant<Scalars, std::string> read_scalars(const json::object& object) {
  Scalars totals;
  for (auto [key, out] :
       {std::pair{"count", &totals.count}, std::pair{"overflow", &totals.overflow},
        std::pair{"min", &totals.min}, std::pair{"max", &totals.max}}) {
    const std::optional<std::uint64_t> value = unsigned_member(object, key);
    if (!value) return "\"" + std::string{key} + "\" is not an unsigned 64-bit integer";
    *out = *value;
  }
  for (auto [key, out] :
       {std::pair{"sum", &totals.sum}, std::pair{"sum_of_squares", &totals.sum_of_squares}}) {
    const std::optional<U128> value = decimal_member(object, key);
    if (!value) return "\"" + std::string{key} + "\" is not a decimal string below 2^128";
    *out = *value;
  }
  return totals;
}

// Reads the [index, count] pairs into `buckets`; returns the sum of the counts in `total`.
std::string read_buckets(const json::object& object, std::vector<Bucket>& buckets,
                         std::uint64_t& total) {
  const json::value* array = object.if_contains("buckets");
  if (!array || !array->is_array()) return "\"buckets\" is not an array";
  total = 0;
  buckets.reserve(array->get_array().size());
  for (const json::value& pair : array->get_array()) {
    const json::array* entry = pair.if_array();
    if (!entry || entry->size() != 2) return "a bucket is not an [index, count] pair";
    const std::optional<std::uint64_t> index = as_unsigned((*entry)[0]);
    const std::optional<std::uint64_t> count = as_unsigned((*entry)[1]);
    if (!index || *index >= Histogram::kCountsLength) return "a bucket index is out of range";
    if (!buckets.empty() && *index <= buckets.back().index) {
      return "bucket indices are not strictly increasing";
    }
    if (!count || *count == 0) return "a bucket count is not a positive integer";
    if (*count > UINT64_MAX - total) return "the bucket counts add up to more than 2^64 - 1";
    buckets.push_back({static_cast<std::uint32_t>(*index), *count});
    total += *count;
  }
  return {};
}

std::string check_extremes(const Scalars& totals, const std::vector<Bucket>& buckets) {
  if (totals.count == 0) {
    if (totals.min != 0 || totals.max != 0 || totals.sum != 0 || totals.sum_of_squares != 0 ||
        totals.overflow != 0) {
      return "an empty histogram has non-zero min, max, sums or overflow";
    }
    return {};
  }
  if (totals.max > Histogram::kMaxTrackable) return "\"max\" is above \"max_trackable\"";
  if (totals.min > totals.max) return "\"min\" is above \"max\"";
  if (totals.count == 1 && totals.min != totals.max) return "one value but \"min\" != \"max\"";
  if (buckets.front().index != layout::index_of(totals.min)) {
    return "\"min\" is not in the lowest non-empty bucket";
  }
  if (buckets.back().index != layout::index_of(totals.max)) {
    return "\"max\" is not in the highest non-empty bucket";
  }
  if (totals.overflow > 0 && totals.max != Histogram::kMaxTrackable) {
    return "\"overflow\" is not 0 but \"max\" is below \"max_trackable\"";
  }
  const std::uint64_t top =
      buckets.back().index == Histogram::kCountsLength - 1 ? buckets.back().count : 0;
  if (totals.overflow > top) return "\"overflow\" exceeds the top bucket's count";
  return {};
}

// The sums must be ones that the bucketed values can make: each value lies in its bucket and
// in [min, max], and S2 >= S1^2 / n (Cauchy-Schwarz), which stddev() relies on. Checked in
// 128 bits: no term overflows, as the count is below 2^64 and every value below 2^32.
std::string check_sums(const Scalars& totals, const std::vector<Bucket>& buckets) {
  if (totals.count == 0) return {};
  U128 low = 0, high = 0, low_squares = 0, high_squares = 0;
  for (const Bucket& bucket : buckets) {
    const U128 lo = std::max(layout::lowest_at(bucket.index), totals.min);
    const U128 hi = std::min(layout::highest_at(bucket.index), totals.max);
    low += lo * bucket.count;
    high += hi * bucket.count;
    low_squares += lo * lo * bucket.count;
    high_squares += hi * hi * bucket.count;
  }
  if (totals.sum < low || totals.sum > high) return "\"sum\" does not fit the buckets";
  if (totals.sum_of_squares < low_squares || totals.sum_of_squares > high_squares) {
    return "\"sum_of_squares\" does not fit the buckets";
  }
  const U128 n = totals.count;
  const U128 q = totals.sum / n;
  const U128 r = totals.sum % n;
  const U128 integral = q * q * n + 2 * q * r;
  const U128 fraction = (r * r + n - 1) / n;  // ceil(r^2 / n)
  if (totals.sum_of_squares < integral || totals.sum_of_squares - integral < fraction) {
    return "\"sum_of_squares\" is below \"sum\"^2 / \"count\"";
  }
  return {};
}

}  // namespace

json::value to_json(const Scalars& scalars, const std::vector<Bucket>& buckets) {
  json::array pairs;
  pairs.reserve(buckets.size());
  for (const Bucket& bucket : buckets) pairs.push_back(json::array{bucket.index, bucket.count});
  return json::object{
      {"format", kFormat},
      {"version", kVersion},
      {"unit", kUnit},
      {"significant_digits", Histogram::kSignificantDigits},
      {"max_trackable", Histogram::kMaxTrackable},
      {"count", scalars.count},
      {"overflow", scalars.overflow},
      {"min", scalars.min},
      {"max", scalars.max},
      {"sum", decimal(scalars.sum)},
      {"sum_of_squares", decimal(scalars.sum_of_squares)},
      {"buckets", std::move(pairs)},
  };
}

void append_text(const Scalars& scalars, const Bucket* begin, const Bucket* end, std::string& out) {
  // Appended piece by piece (no format string to parse): a summary holds thousands of these.
  static_assert(kFormat == "fetch.histogram" && kVersion == 1 && kUnit == "us" &&
                Histogram::kSignificantDigits == 3 && Histogram::kMaxTrackable == 4294967295u);
  out += R"({"format":"fetch.histogram","version":1,"unit":"us","significant_digits":3,)"
         R"("max_trackable":4294967295,"count":)";
  append_number(scalars.count, out);
  out += ",\"overflow\":";
  append_number(scalars.overflow, out);
  out += ",\"min\":";
  append_number(scalars.min, out);
  out += ",\"max\":";
  append_number(scalars.max, out);
  out += ",\"sum\":\"";
  append_decimal(scalars.sum, out);
  out += "\",\"sum_of_squares\":\"";
  append_decimal(scalars.sum_of_squares, out);
  out += "\",\"buckets\":[";
  for (const Bucket* bucket = begin; bucket != end; ++bucket) {
    if (bucket != begin) out += ',';
    out += '[';
    append_number(bucket->index, out);
    out += ',';
    append_number(bucket->count, out);
    out += ']';
  }
  out += "]}";
}

std::variant<Parsed, std::string> parse(const json::value& value) {
  const auto fail = [](std::string reason) { return "histogram: " + reason; };
  const json::object* object = value.if_object();
  if (!object) return fail("not a JSON object");
  if (std::string reason = check_parameters(*object); !reason.empty()) return fail(reason);
  auto totals = read_scalars(*object);
  if (auto* reason = std::get_if<std::string>(&totals)) return fail(*reason);

  Parsed parsed;
  parsed.scalars = std::get<Scalars>(totals);
  std::uint64_t total = 0;
  std::string reason = read_buckets(*object, parsed.buckets, total);
  if (reason.empty() && total != parsed.scalars.count) {
    reason = "the bucket counts do not add up to \"count\"";
  }
  if (reason.empty()) reason = check_extremes(parsed.scalars, parsed.buckets);
  if (reason.empty()) reason = check_sums(parsed.scalars, parsed.buckets);
  if (!reason.empty()) return fail(reason);
  return parsed;
}

}  // namespace fetch::stats::form

namespace fetch::stats {

namespace json = boost::json;

json::value Histogram::to_json() const {
  std::vector<form::Bucket> buckets;
  if (count_ > 0) {
    const std::size_t last = layout::index_of(max_);
    for (std::size_t i = layout::index_of(min_); i <= last; ++i) {
      if (counts_[i] != 0) buckets.push_back({static_cast<std::uint32_t>(i), counts_[i]});
    }
  }
  return form::to_json(
      {count_, overflow_, min(), max_, layout::to_u128(sum_), layout::to_u128(sum_of_squares_)},
      buckets);
}

void Histogram::append_json(std::string& out) const {
  std::vector<form::Bucket> buckets;
  if (count_ > 0) {
    const std::size_t last = layout::index_of(max_);
    for (std::size_t i = layout::index_of(min_); i <= last; ++i) {
      if (counts_[i] != 0) buckets.push_back({static_cast<std::uint32_t>(i), counts_[i]});
    }
  }
  form::append_text(
      {count_, overflow_, min(), max_, layout::to_u128(sum_), layout::to_u128(sum_of_squares_)},
      buckets.data(), buckets.data() + buckets.size(), out);
}

std::variant<Histogram, std::string> Histogram::from_json(const json::value& value) {
  auto parsed = form::parse(value);
  if (auto* reason = std::get_if<std::string>(&parsed)) return std::move(*reason);
  const form::Parsed& read = std::get<form::Parsed>(parsed);
  Histogram histogram;
  for (const form::Bucket& bucket : read.buckets) histogram.counts_[bucket.index] = bucket.count;
  histogram.count_ = read.scalars.count;
  histogram.overflow_ = read.scalars.overflow;
  histogram.min_ = read.scalars.count == 0 ? UINT64_MAX : read.scalars.min;
  histogram.max_ = read.scalars.max;
  histogram.sum_ = layout::to_wide(read.scalars.sum);
  histogram.sum_of_squares_ = layout::to_wide(read.scalars.sum_of_squares);
  return histogram;
}

}  // namespace fetch::stats
