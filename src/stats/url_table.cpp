#include "fetch/stats/url_table.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace fetch::stats {

UrlTable::UrlTable(const UrlTable& other) {
  for (const UrlStats& block : other.blocks_) insert(block);
}

UrlTable& UrlTable::operator=(const UrlTable& other) {
  if (this != &other) *this = UrlTable{other};
  return *this;
}

std::string_view UrlTable::keep(std::string_view text) {
  if (text.empty()) return {};
  char* at = nullptr;
  if (text.size() > kTextChunk / 4) {  // a long one gets a chunk of its own
    at = long_text_.emplace_back(std::make_unique_for_overwrite<char[]>(text.size())).get();
  } else {
    if (text.size() > text_left_) {
      text_.push_back(std::make_unique_for_overwrite<char[]>(kTextChunk));
      text_left_ = kTextChunk;
    }
    at = text_.back().get() + (kTextChunk - text_left_);
    text_left_ -= text.size();
  }
  std::memcpy(at, text.data(), text.size());
  return {at, text.size()};
}

std::uint32_t UrlTable::first_of(std::uint64_t line) const noexcept {
  if (line < kDenseLines) return line < first_by_line_.size() ? first_by_line_[line] : kNone;
  const auto at = far_lines_.find(line);
  return at == far_lines_.end() ? kNone : at->second;
}

void UrlTable::set_first(std::uint64_t line, std::uint32_t slot) {
  if (line >= kDenseLines) {
    far_lines_[line] = slot;
    return;
  }
  if (line >= first_by_line_.size()) {
    first_by_line_.resize(std::max<std::size_t>(line + 1, 2 * first_by_line_.size()), kNone);
  }
  first_by_line_[line] = slot;
}

UrlStats* UrlTable::find(std::uint64_t line, std::string_view url) noexcept {
  for (std::uint32_t slot = first_of(line); slot != kNone; slot = next_same_line_[slot - 1]) {
    UrlStats& block = blocks_[slot - 1];
    if (block.url == url) return &block;
  }
  return nullptr;
}

const UrlStats* UrlTable::find(std::uint64_t line, std::string_view url) const noexcept {
  return const_cast<UrlTable*>(this)->find(line, url);
}

UrlStats& UrlTable::entry(std::uint64_t line, std::string_view url) {
  if (UrlStats* found = find(line, url)) return *found;
  return add(UrlStats{line, keep(url)});
}

UrlStats& UrlTable::insert(const UrlStats& block) {
  UrlStats copy = block;
  copy.url = keep(block.url);
  return add(std::move(copy));
}

UrlStats& UrlTable::add(UrlStats block) {
  if (blocks_.size() >= UINT32_MAX - 1) throw std::length_error("more than 2^32 URLs");
  const std::uint64_t line = block.line;
  blocks_.push_back(std::move(block));
  next_same_line_.push_back(first_of(line));
  set_first(line, static_cast<std::uint32_t>(blocks_.size()));
  return blocks_.back();
}

std::vector<const UrlStats*> UrlTable::by_line() const {
  std::vector<const UrlStats*> ordered;
  ordered.reserve(blocks_.size());
  for (const UrlStats& block : blocks_) ordered.push_back(&block);
  // Requests finish about in line order: the sort has little to move.
  std::sort(ordered.begin(), ordered.end(), [](const UrlStats* a, const UrlStats* b) {
    return a->line != b->line ? a->line < b->line : a->url < b->url;
  });
  return ordered;
}

bool operator==(const UrlTable& a, const UrlTable& b) {
  if (a.size() != b.size()) return false;
  const auto mine = a.by_line();
  const auto theirs = b.by_line();
  return std::equal(mine.begin(), mine.end(), theirs.begin(),
                    [](const UrlStats* x, const UrlStats* y) { return *x == *y; });
}

}  // namespace fetch::stats
