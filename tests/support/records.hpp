#pragma once
// Reading fetch's stdout: lines, TSV records by column name, JSON Lines.

#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fetch::test {

// The TSV columns, in order: the names of fetch's field table (report/fields.hpp), so that
// tests read records by name and never restate the schema. (The unit test of the formats
// checks the contract itself, column by column.)
std::size_t tsv_column_count() noexcept;

// Splits on '\n'; a final line without '\n' counts, a trailing empty one does not.
std::vector<std::string> split_lines(std::string_view text);

// Splits one line on '\t', keeping empty fields.
std::vector<std::string> split_tsv(std::string_view line);

// One TSV result line, fields by column name. Missing columns read as "".
class TsvRecord {
 public:
  explicit TsvRecord(std::string_view line);
  const std::string& operator[](std::string_view column) const;
  bool has_all_columns() const noexcept { return field_count_ == tsv_column_count(); }
  std::size_t field_count() const noexcept { return field_count_; }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string text_;
  std::size_t field_count_ = 0;
  std::map<std::string, std::string, std::less<>> fields_;
};

// Every stdout line as a TsvRecord; a record with the wrong number of fields is reported as
// a test failure (and still returned).
std::vector<TsvRecord> parse_tsv(std::string_view out);

// Every stdout line parsed as JSON; a line that is not valid JSON is reported as a test failure
// and returned as null.
std::vector<boost::json::value> parse_json_lines(std::string_view out);

}  // namespace fetch::test
