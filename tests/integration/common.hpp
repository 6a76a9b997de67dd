#pragma once
// Shared by the integration tests: run fetch in TSV mode and look results up.

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/records.hpp"

namespace fetch::test {

struct TsvRun {
  ProcessResult process;
  std::vector<TsvRecord> records;  // one per stdout line
};

// Runs `fetch --format tsv --no-progress ARGS...` and parses stdout; `environment` as
// run_fetch takes it.
inline TsvRun fetch_tsv(std::vector<std::string> args, std::string stdin_text = {},
                        std::chrono::milliseconds timeout = 20s,
                        const std::vector<std::string>& environment = {}) {
  args.insert(args.begin(), {"--format", "tsv", "--no-progress"});
  TsvRun run;
  run.process = run_fetch(args, std::move(stdin_text), timeout, {}, environment);
  run.records = parse_tsv(run.process.out);
  return run;
}

// A fixture base for tests that fetch one URL at a time.
class SingleUrlTest : public ::testing::Test {
 protected:
  // Fetches one URL and returns its only record (failing the test when there is not one).
  TsvRecord fetch_one(const std::string& url, std::vector<std::string> extra = {}) {
    extra.push_back(url);
    last_ = fetch_tsv(extra);
    EXPECT_EQ(last_.records.size(), 1u) << describe(last_.process);
    return last_.records.empty() ? TsvRecord("") : last_.records.front();
  }

  TsvRun last_;  // the whole run behind the last fetch_one, for exit codes and stderr
};

// The record whose `column` equals `value`, or nullptr (reported as a failure).
inline const TsvRecord* find_record(const std::vector<TsvRecord>& records, std::string_view column,
                                    std::string_view value) {
  for (const TsvRecord& record : records) {
    if (record[column] == value) return &record;
  }
  ADD_FAILURE() << "no output line with " << column << " = " << value;
  return nullptr;
}

// Polls `condition` every 20 ms for at most `timeout`; true once it holds.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return true;
}

// True when `text` is a non-negative decimal number such as "12" or "0.379".
inline bool is_number(std::string_view text) {
  if (text.empty()) return false;
  bool digits = false;
  bool dot = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

// Percent-encodes everything but unreserved characters, for a query parameter.
inline std::string query_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// The path on a misbehaving server that redirects to `location` with `status`.
inline std::string redirect_path(std::string_view location, int status = 302) {
  return "/redirect?to=" + query_encode(location) + "&status=" + std::to_string(status);
}

// How many times `needle` occurs in `text` (overlapping ones too).
inline std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + 1))
    ++count;
  return count;
}

inline bool contains_ci(std::string_view haystack, std::string_view needle) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

}  // namespace fetch::test
