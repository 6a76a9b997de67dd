#include "support/records.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "fetch/report/fields.hpp"

namespace fetch::test {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string> split_tsv(std::string_view line) {
  std::vector<std::string> fields;
  for (;;) {
    const std::size_t tab = line.find('\t');
    fields.emplace_back(line.substr(0, tab));
    if (tab == std::string_view::npos) return fields;
    line.remove_prefix(tab + 1);
  }
}

std::size_t tsv_column_count() noexcept { return record_fields().size(); }

TsvRecord::TsvRecord(std::string_view line) : text_(line) {
  const std::vector<std::string> fields = split_tsv(line);
  const auto columns = record_fields();
  field_count_ = fields.size();
  for (std::size_t i = 0; i < fields.size() && i < columns.size(); ++i) {
    fields_.emplace(std::string(columns[i].name), fields[i]);
  }
}

const std::string& TsvRecord::operator[](std::string_view column) const {
  static const std::string empty;
  const auto it = fields_.find(column);
  return it == fields_.end() ? empty : it->second;
}

std::vector<TsvRecord> parse_tsv(std::string_view out) {
  std::vector<TsvRecord> records;
  for (const std::string& line : split_lines(out)) {
    records.emplace_back(line);
    EXPECT_TRUE(records.back().has_all_columns())
        << "TSV line with " << records.back().field_count() << " fields instead of "
        << tsv_column_count() << ": " << line;
  }
  return records;
}

std::vector<boost::json::value> parse_json_lines(std::string_view out) {
  std::vector<boost::json::value> values;
  for (const std::string& line : split_lines(out)) {
    boost::system::error_code ec;
    values.push_back(boost::json::parse(line, ec));
    EXPECT_FALSE(ec) << "not JSON (" << ec.message() << "): " << line;
  }
  return values;
}

}  // namespace fetch::test
