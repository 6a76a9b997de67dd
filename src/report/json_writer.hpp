#pragma once
// Writes JSON text straight into a string: the summary document is the largest thing fetch
// writes (about a kilobyte per URL), and building it as a Boost.JSON tree first cost twice as
// much as the requests it describes. Indented two spaces per level, one key per line; objects
// and arrays opened `one_line` are written compactly on one line (a URL's block, a pair), so
// that a document of 10 000 URLs has 10 000 lines for them, each one URL for grep. Private to
// src/report/.

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace fetch {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& object(bool one_line = false) { return open('{', false, one_line); }
  JsonWriter& array(bool one_line = false) { return open('[', true, one_line); }
  // Ends the innermost object or array.
  JsonWriter& end();
  // The key of the next value, in an object.
  JsonWriter& key(std::string_view name);

  template <class T>
  requires std::is_integral_v<T> JsonWriter& value(T number) {
    before_value();
    if constexpr (std::is_same_v<T, bool>) {
      out_ += number ? "true" : "false";
    } else {
      const fmt::format_int text{number};
      out_.append(text.data(), text.size());
    }
    return *this;
  }
  // Microseconds as milliseconds with up to three decimals (12.345, 0.5, 3): exact, and far
  // cheaper than the shortest form of a double.
  JsonWriter& millis(double micros);
  // The shortest text that reads back as the same double (0.512, not 5.12E-1); null when it
  // is not finite, as JSON has no such numbers.
  JsonWriter& value(double number);
  // A string, escaped; it must be valid UTF-8 (valid_utf8() what may not be).
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view{text}); }
  JsonWriter& null();
  // A value already written as JSON text (a histogram's).
  JsonWriter& raw(std::string_view json);

  template <class T>
  JsonWriter& value_or_null(const std::optional<T>& maybe) {
    return maybe ? value(*maybe) : null();
  }

 private:
  struct Level {
    bool array = false;
    bool one_line = false;
    bool empty = true;
  };

  JsonWriter& open(char bracket, bool array, bool one_line);
  void before_value();
  void write_string(std::string_view text);
  void new_line();

  std::string& out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

}  // namespace fetch
