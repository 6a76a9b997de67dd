#pragma once
// The per-URL blocks of a run, found by input line number and URL. A benchmark looks one up
// per request: an index by line number (lines are dense: 1, 2, 3, ...) makes that an array
// access and one string comparison, and the blocks live in a deque, so none is allocated on
// its own; their URLs' text is kept here, in 64 KiB chunks. (Thousands of small long-lived
// allocations among the requests' short-lived ones would cost malloc more than they weigh.)
// Several input files can give the same number to different URLs: those are separate blocks,
// chained from the number.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fetch/stats/url_stats.hpp"

namespace fetch::stats {

class UrlTable {
 public:
  UrlTable() = default;
  // A copy keeps its own text.
  UrlTable(const UrlTable& other);
  UrlTable& operator=(const UrlTable& other);
  UrlTable(UrlTable&&) noexcept = default;
  UrlTable& operator=(UrlTable&&) noexcept = default;
  ~UrlTable() = default;

  // The block of that line and URL, or null.
  UrlStats* find(std::uint64_t line, std::string_view url) noexcept;
  const UrlStats* find(std::uint64_t line, std::string_view url) const noexcept;
  // The block of that line and URL, made empty if there was none.
  UrlStats& entry(std::uint64_t line, std::string_view url);
  // Adds a copy of a block (of another table) whose line and URL are not in this one yet (the
  // caller checked, with find).
  UrlStats& insert(const UrlStats& block);

  std::size_t size() const noexcept { return blocks_.size(); }
  bool empty() const noexcept { return blocks_.empty(); }
  // Every block, by line number, then URL: the order of the reports, whatever order the
  // requests (or the merged shards) came in.
  std::vector<const UrlStats*> by_line() const;

  // The same blocks, whatever order they were added in.
  friend bool operator==(const UrlTable& a, const UrlTable& b);

 private:
  // Lines below this are indexed in first_by_line_ (4 bytes each, grown as lines come);
  // beyond it (a hand-made document's line 10^12) in far_lines_.
  static constexpr std::uint64_t kDenseLines = std::uint64_t{1} << 24;
  static constexpr std::uint32_t kNone = 0;

  // 1 + the index in blocks_ of the first block of that line, or kNone.
  std::uint32_t first_of(std::uint64_t line) const noexcept;
  void set_first(std::uint64_t line, std::uint32_t slot);
  // A copy of `text` that lives as long as the table.
  std::string_view keep(std::string_view text);
  UrlStats& add(UrlStats block);

  static constexpr std::size_t kTextChunk = 64 * 1024;

  std::deque<UrlStats> blocks_;
  std::vector<std::uint32_t> next_same_line_;  // per block: 1 + index of the next, or kNone
  std::vector<std::uint32_t> first_by_line_;
  std::unordered_map<std::uint64_t, std::uint32_t> far_lines_;
  std::vector<std::unique_ptr<char[]>> text_;  // kTextChunk each
  std::size_t text_left_ = 0;                  // free bytes at the end of text_.back()
  std::vector<std::unique_ptr<char[]>> long_text_;
};

}  // namespace fetch::stats
