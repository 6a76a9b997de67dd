#include "json_writer.hpp"

namespace fetch {

JsonWriter& JsonWriter::open(char bracket, bool array, bool one_line) {
  before_value();
  out_ += bracket;
  // Inside a one-line array everything stays on its line.
  const bool inherited = !levels_.empty() && levels_.back().one_line;
  levels_.push_back({array, one_line || inherited, true});
  return *this;
}

JsonWriter& JsonWriter::end() {
  const Level level = levels_.back();
  levels_.pop_back();
  if (!level.empty && !level.one_line) new_line();
  out_ += level.array ? ']' : '}';
  if (levels_.empty()) out_ += '\n';
  return *this;
}

void JsonWriter::new_line() {
  out_ += '\n';
  out_.append(2 * levels_.size(), ' ');
}

JsonWriter& JsonWriter::key(std::string_view name) {
  Level& level = levels_.back();
  if (!level.empty) out_ += ',';
  level.empty = false;
  if (!level.one_line) new_line();
  write_string(name);
  out_ += level.one_line ? ":" : ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::millis(double micros) {
  if (!std::isfinite(micros) || micros < 0) return null();
  before_value();
  const auto whole = static_cast<std::uint64_t>(std::llround(micros));
  const fmt::format_int ms{whole / 1000};
  out_.append(ms.data(), ms.size());
  unsigned fraction = static_cast<unsigned>(whole % 1000);
  if (fraction != 0) {
    char digits[4] = {'.', static_cast<char>('0' + fraction / 100),
                      static_cast<char>('0' + fraction / 10 % 10),
                      static_cast<char>('0' + fraction % 10)};
    std::size_t length = 4;
    while (digits[length - 1] == '0') --length;
    out_.append(digits, length);
  }
  return *this;
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  Level& level = levels_.back();
  if (!level.empty) out_ += ',';
  level.empty = false;
  if (!level.one_line) new_line();
}

JsonWriter& JsonWriter::value(double number) {
  if (!std::isfinite(number)) return null();
  before_value();
  fmt::format_to(std::back_inserter(out_), "{}", number);
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  write_string(text);
  return *this;
}

void JsonWriter::write_string(std::string_view text) {
  out_ += '"';
  // Runs of bytes that need no escape are appended whole.
  const auto plain = [](char c) {
    return c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
  };
  for (std::size_t i = 0; i < text.size();) {
    std::size_t run = i;
    while (run < text.size() && plain(text[run])) ++run;
    out_.append(text.data() + i, run - i);
    if (run == text.size()) break;
    i = run + 1;
    const char c = text[run];
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out_ += '\\';
      out_ += c;
    } else if (c == '\n') {
      out_ += "\\n";
    } else if (c == '\t') {
      out_ += "\\t";
    } else if (c == '\r') {
      out_ += "\\r";
    } else if (byte < 0x20) {
      fmt::format_to(std::back_inserter(out_), "\\u{:04x}", byte);
    }
  }
  out_ += '"';
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

}  // namespace fetch
