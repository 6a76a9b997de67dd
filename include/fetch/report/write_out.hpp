#pragma once
// -w/--write-out templates: curl's syntax and variable names, fetch's field table behind them.
// A template is compiled once into literal runs and variable writers, so that writing a record
// is a walk over a short array with no parsing and no lookups.
//
//   %{name}   a variable: one of curl's names below, or any field of the table (fields.hpp)
//             by its name, written as its TSV column is (escapes included, so a value never
//             breaks a line; an absent value is empty)
//   %%        a percent sign; a % not followed by { or % is itself
//   \n \t \r  newline, tab, carriage return; \\ a backslash; any other \x is itself
//
// curl's variables, with curl's meaning (times in seconds with six decimals, as curl prints
// them, and cumulative from the start of the URL as curl's are):
//   url, url_effective, http_code (and response_code: three digits, 000 without a response),
//   size_download (body bytes on the wire), num_redirects, filename_effective (--output-dir),
//   time_namelookup, time_connect, time_appconnect, time_starttransfer, time_total,
//   errormsg, exitcode (curl's exit code for such a transfer, as with curl --fail),
//   json (the whole record as fetch's JSON object; curl's holds curl's variables).
// A curl name shadows a field of the same name; the two agree where both exist (url).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fetch/client/result.hpp"

namespace fetch {

struct Field;

class WriteOut {
 public:
  // Compiles `format`. On an unknown variable, or a %{ without its }, returns nullopt and
  // sets `error` to a message naming it.
  static std::optional<WriteOut> compile(std::string_view format, std::string& error);

  // Appends the template's text for `result` to `out`.
  void render(std::string& out, const Result& result) const;

  // The names -w accepts, curl's first, then the table's (for --help and the completions).
  static std::vector<std::string_view> variable_names();

  // What writes one variable: a function of the record, and the table field it reads (if any).
  struct Variable {
    void (*write)(std::string& out, const Result& result, const Field* field);
    const Field* field = nullptr;
  };

 private:
  struct Piece {
    std::uint32_t literal_begin = 0;  // the literal text before the variable, in literals_
    std::uint32_t literal_end = 0;
    std::optional<Variable> variable;  // none: the trailing literal
  };

  std::string literals_;
  std::vector<Piece> pieces_;
};

// curl's exit code for a transfer that ended as `result` did, under --fail (a status of 400 or
// more is 22): 0 when the record is ok, 6 when the host was not found, 28 on a timeout, ...
int curl_exit_code(const Result& result) noexcept;

}  // namespace fetch
