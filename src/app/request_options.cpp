// The options that shape the request: method, headers and body, with curl's names and
// meanings.
#include <CLI/CLI.hpp>
#include <string>
#include <variant>

#include "fetch/app/options.hpp"
#include "fetch/core/request.hpp"

namespace fetch {
namespace {

CLI::Validator header_line() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        auto parsed = parse_header_option(input);
        if (auto* problem = std::get_if<std::string>(&parsed)) return *problem;
        return {};
      },
      "");
}

CLI::Validator method_name() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        if (is_token(input)) return {};
        return "'" + std::string(input.size() > 40 ? "the method" : input) +
               "' is not an HTTP method (letters, digits and !#$%&'*+-.^_`|~ only)";
      },
      "");
}

// One body option: every occurrence appends a part, in command-line order across all four
// (so that -d a --json b -d c joins as curl joins it).
void add_body_option(CLI::App& app, Options& options, const std::string& names,
                     DataArgument::Kind kind, const std::string& help) {
  app.add_option_function<std::string>(
         names,
         [&options, kind](const std::string& text) {
           options.data.push_back(DataArgument{kind, text});
         },
         help)
      ->trigger_on_parse()
      ->type_name(kind == DataArgument::Kind::raw ? "TEXT" : "TEXT|@FILE");
}

}  // namespace

bool body_reads_stdin(const Options& options) {
  for (const DataArgument& part : options.data) {
    if (part.kind != DataArgument::Kind::raw && part.text == "@-") return true;
  }
  return false;
}

// Request: the method, headers and body sent to every URL.
void add_request_shaping_options(CLI::App& app, Options& options) {
  app.add_option("-X,--request", options.method,
                 "The method to send, as given (e.g. PUT, DELETE); it stays across 307 and 308 "
                 "redirects and becomes GET where browsers change it (POST on 301 and 302, "
                 "anything but HEAD on 303)")
      ->check(method_name())
      ->type_name("METHOD");
  app.add_option_function<std::string>(
         "-H,--header", [&options](const std::string& line) { options.headers.push_back(line); },
         "Send this header with every request (repeatable): 'Name: value' replaces a default "
         "header of that name, 'Name:' removes it, 'Name;' sends it empty")
      ->check(header_line())
      ->trigger_on_parse()
      ->type_name("'NAME: VALUE'");
  using Kind = DataArgument::Kind;
  add_body_option(
      app, options, "-d,--data", Kind::data,
      "Send this body, with POST unless -X says otherwise (repeatable: parts joined with '&'); "
      "@FILE reads a file, without its line breaks, @- standard input (which then cannot "
      "list URLs). Content-Type: application/x-www-form-urlencoded");
  add_body_option(app, options, "--data-raw", Kind::raw, "Like -d, but an '@' is just a character");
  add_body_option(app, options, "--data-binary", Kind::binary,
                  "Like -d, but @FILE is sent exactly as it is");
  add_body_option(app, options, "--json", Kind::json,
                  "Send this JSON body as --data-binary does (parts joined as they are), with "
                  "Content-Type and Accept: application/json");
}

}  // namespace fetch
