#pragma once
// The JSON form shared by Histogram and SparseHistogram: the scalars and the non-empty buckets,
// written and read (with every check) in one place, so that a dense and a sparse histogram of
// the same values have the same text and either reads what the other wrote. Private to
// src/stats/.

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "histogram_layout.hpp"

namespace fetch::stats::form {

// Everything but the buckets. `min` is 0 when the histogram is empty.
struct Scalars {
  std::uint64_t count = 0;
  std::uint64_t overflow = 0;
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  layout::U128 sum = 0;
  layout::U128 sum_of_squares = 0;
};

struct Bucket {
  std::uint32_t index = 0;  // below Histogram::kCountsLength
  std::uint64_t count = 0;  // > 0
  friend bool operator==(const Bucket&, const Bucket&) = default;
};

// {"format": "fetch.histogram", ..., "buckets": [[index, count], ...]} (histogram.hpp), the
// buckets non-empty and in increasing index order.
boost::json::value to_json(const Scalars& scalars, const std::vector<Bucket>& buckets);

// The same as compact text (what boost::json::serialize(to_json(...)) gives), appended to
// `out` without building a JSON tree: for documents with thousands of histograms.
void append_text(const Scalars& scalars, const Bucket* begin, const Bucket* end, std::string& out);

struct Parsed {
  Scalars scalars;
  std::vector<Bucket> buckets;  // non-empty, indices strictly increasing
};

// Reads and checks what to_json() wrote (every refusal of Histogram::from_json, with the
// same reasons, "histogram: " first). Never throws (but std::bad_alloc).
std::variant<Parsed, std::string> parse(const boost::json::value& json);

}  // namespace fetch::stats::form
