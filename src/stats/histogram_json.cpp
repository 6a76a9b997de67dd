// Histogram <-> JSON. The reader trusts nothing: every member is checked for type and range
// and against the others before any of it becomes a Histogram, so that a merged summary can
// only ever combine histograms that some process could really have recorded.
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fetch/stats/histogram.hpp"
#include "histogram_layout.hpp"

namespace fetch::stats {
namespace {

namespace json = boost::json;
using layout::U128;

constexpr std::string_view kFormat = "fetch.histogram";
constexpr std::int64_t kVersion = 1;
constexpr std::string_view kUnit = "us";
constexpr std::size_t kMaxDecimalDigits = 39;  // 2^128 - 1 has 39 digits

std::string decimal(U128 value) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return digits;
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

// The scalar members, as read, before they are checked against the buckets.
struct Totals {
  std::uint64_t count = 0;
  std::uint64_t overflow = 0;
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  U128 sum = 0;
  U128 sum_of_squares = 0;
};

std::variant<Totals, std::string> read_totals(const json::object& object) {
  Totals totals;
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

// Fills `counts` from the [index, count] pairs; returns the sum of the counts in `total`.
std::string read_buckets(const json::object& object, std::vector<std::uint64_t>& counts,
                         std::uint64_t& total) {
  const json::value* buckets = object.if_contains("buckets");
  if (!buckets || !buckets->is_array()) return "\"buckets\" is not an array";
  std::optional<std::size_t> previous;
  total = 0;
  for (const json::value& pair : buckets->get_array()) {
    const json::array* entry = pair.if_array();
    if (!entry || entry->size() != 2) return "a bucket is not an [index, count] pair";
    const std::optional<std::uint64_t> index = as_unsigned((*entry)[0]);
    const std::optional<std::uint64_t> count = as_unsigned((*entry)[1]);
    if (!index || *index >= Histogram::kCountsLength) return "a bucket index is out of range";
    if (previous && *index <= *previous) return "bucket indices are not strictly increasing";
    if (!count || *count == 0) return "a bucket count is not a positive integer";
    if (*count > UINT64_MAX - total) return "the bucket counts add up to more than 2^64 - 1";
    counts[*index] = *count;
    total += *count;
    previous = *index;
  }
  return {};
}

std::string check_extremes(const Totals& totals, const std::vector<std::uint64_t>& counts) {
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
  const auto first = std::find_if(counts.begin(), counts.end(), [](auto c) { return c != 0; });
  const auto last = std::find_if(counts.rbegin(), counts.rend(), [](auto c) { return c != 0; });
  if (static_cast<std::size_t>(first - counts.begin()) != layout::index_of(totals.min)) {
    return "\"min\" is not in the lowest non-empty bucket";
  }
  if (static_cast<std::size_t>(counts.rend() - last) - 1 != layout::index_of(totals.max)) {
    return "\"max\" is not in the highest non-empty bucket";
  }
  if (totals.overflow > 0 && totals.max != Histogram::kMaxTrackable) {
    return "\"overflow\" is not 0 but \"max\" is below \"max_trackable\"";
  }
  if (totals.overflow > counts.back()) return "\"overflow\" exceeds the top bucket's count";
  return {};
}

// The sums must be ones that the bucketed values can make: each value lies in its bucket and
// in [min, max], and S2 >= S1^2 / n (Cauchy-Schwarz), which stddev() relies on. Checked in
// 128 bits: no term overflows, as the count is below 2^64 and every value below 2^32.
std::string check_sums(const Totals& totals, const std::vector<std::uint64_t>& counts) {
  if (totals.count == 0) return {};
  U128 low = 0, high = 0, low_squares = 0, high_squares = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    const U128 lo = std::max(layout::lowest_at(i), totals.min);
    const U128 hi = std::min(layout::highest_at(i), totals.max);
    low += lo * counts[i];
    high += hi * counts[i];
    low_squares += lo * lo * counts[i];
    high_squares += hi * hi * counts[i];
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

json::value Histogram::to_json() const {
  json::array buckets;
  if (count_ > 0) {
    const std::size_t last = layout::index_of(max_);
    for (std::size_t i = layout::index_of(min_); i <= last; ++i) {
      if (counts_[i] != 0) buckets.push_back(json::array{i, counts_[i]});
    }
  }
  return json::object{
      {"format", kFormat},
      {"version", kVersion},
      {"unit", kUnit},
      {"significant_digits", kSignificantDigits},
      {"max_trackable", kMaxTrackable},
      {"count", count_},
      {"overflow", overflow_},
      {"min", min()},
      {"max", max_},
      {"sum", decimal(layout::to_u128(sum_))},
      {"sum_of_squares", decimal(layout::to_u128(sum_of_squares_))},
      {"buckets", std::move(buckets)},
  };
}

std::variant<Histogram, std::string> Histogram::from_json(const json::value& value) {
  const auto fail = [](std::string reason) { return "histogram: " + reason; };
  const json::object* object = value.if_object();
  if (!object) return fail("not a JSON object");
  if (std::string reason = check_parameters(*object); !reason.empty()) return fail(reason);
  auto totals = read_totals(*object);
  if (auto* reason = std::get_if<std::string>(&totals)) return fail(*reason);
  const Totals& read = std::get<Totals>(totals);

  Histogram histogram;
  std::uint64_t total = 0;
  std::string reason = read_buckets(*object, histogram.counts_, total);
  if (reason.empty() && total != read.count)
    reason = "the bucket counts do not add up to \"count\"";
  if (reason.empty()) reason = check_extremes(read, histogram.counts_);
  if (reason.empty()) reason = check_sums(read, histogram.counts_);
  if (!reason.empty()) return fail(reason);

  histogram.count_ = read.count;
  histogram.overflow_ = read.overflow;
  histogram.min_ = read.count == 0 ? UINT64_MAX : read.min;
  histogram.max_ = read.max;
  histogram.sum_ = layout::to_wide(read.sum);
  histogram.sum_of_squares_ = layout::to_wide(read.sum_of_squares);
  return histogram;
}

}  // namespace fetch::stats
