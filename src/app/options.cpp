// The command-line interface: every option, its validation and its help text.
#include "fetch/app/options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>

#include "bench_options.hpp"

namespace fetch {
namespace {

// Durations are given in seconds and later turned into milliseconds: keep them finite,
// positive and far from overflowing a chrono duration.
constexpr double kMaxSeconds = 1'000'000;

CLI::Validator seconds() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        double value = 0;
        if (!CLI::detail::lexical_cast(input, value) || !std::isfinite(value))
          return "'" + input + "' is not a number of seconds";
        if (value <= 0 || value > kMaxSeconds)
          return "'" + input + "' must be more than 0 and at most 1000000 seconds";
        return {};
      },
      "");
}

// Header values must not carry line breaks or other controls (header injection).
CLI::Validator header_value() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        for (char c : input) {
          const auto u = static_cast<unsigned char>(c);
          if ((u < 0x20 && c != '\t') || u == 0x7f) return "must not contain control characters";
        }
        return {};
      },
      "");
}

bool is_port(std::string_view s) {
  if (s.empty() || s.size() > 5 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const int port = std::stoi(std::string(s));
  return port > 0 && port <= 65535;
}

bool is_address(std::string_view s, bool v6) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(s), ec);
  return !ec && address.is_v6() == v6;
}

// One name server as c-ares takes it: "1.2.3.4", "1.2.3.4:53", "::1" or "[::1]:53".
bool is_name_server(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos || !is_address(s.substr(1, close - 1), true)) return false;
    const std::string_view rest = s.substr(close + 1);
    return rest.empty() || (rest.front() == ':' && is_port(rest.substr(1)));
  }
  const std::size_t colons = static_cast<std::size_t>(std::count(s.begin(), s.end(), ':'));
  if (colons > 1) return is_address(s, true);
  if (colons == 1)
    return is_address(s.substr(0, s.find(':')), false) && is_port(s.substr(s.find(':') + 1));
  return is_address(s, false);
}

CLI::Validator name_servers() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        std::string_view rest = input;
        for (;;) {
          const std::size_t comma = rest.find(',');
          const std::string_view server = rest.substr(0, comma);
          if (!is_name_server(server))
            return "'" + std::string(server) +
                   "' is not a name server address (IP or IP:PORT, IPv6 as [IP]:PORT)";
          if (comma == std::string_view::npos) return {};
          rest.remove_prefix(comma + 1);
        }
      },
      "");
}

// "1000", "64k", "10M", "2GiB": whole numbers with an optional unit in powers of 1024, as
// curl's --max-filesize takes them. Rewrites the input as a plain number of bytes.
CLI::Validator byte_size() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        const std::string bad =
            "'" + input + "' is not a size in bytes (such as 500000, 64k, 10M or 2G)";
        std::size_t i = 0;
        std::uint64_t value = 0;
        while (i < input.size() && input[i] >= '0' && input[i] <= '9') {
          const auto digit = static_cast<std::uint64_t>(input[i] - '0');
          if (value > (UINT64_MAX - digit) / 10) return bad;
          value = value * 10 + digit;
          ++i;
        }
        if (i == 0) return bad;
        std::string unit = input.substr(i);
        std::transform(unit.begin(), unit.end(), unit.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        // "k", "kb" and "kib" all mean 1024.
        if ((unit.size() == 3 && unit.ends_with("ib")) || (unit.size() == 2 && unit.ends_with('b')))
          unit.resize(1);
        static const std::map<std::string, unsigned> shifts{{"", 0},   {"b", 0},  {"k", 10},
                                                            {"m", 20}, {"g", 30}, {"t", 40}};
        const auto shift = shifts.find(unit);
        if (shift == shifts.end()) return bad;
        if (shift->second > 0 && value > (UINT64_MAX >> shift->second)) return bad;
        input = std::to_string(value << shift->second);
        return {};
      },
      "");
}

// -w's argument: a template, or @FILE for one read from a file (as curl's). Rewrites the input
// as the template's text and checks that it compiles.
CLI::Validator write_out_template() {
  return CLI::Validator(
      [](std::string& input) -> std::string {
        if (input.starts_with('@')) {
          const std::string path = input.substr(1);
          std::ifstream file(path, std::ios::binary);
          if (!file.is_open()) return "cannot open the template file '" + path + "'";
          input.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
          if (file.bad()) return "cannot read the template file '" + path + "'";
        }
        std::string error;
        if (!WriteOut::compile(input, error)) return error;
        return {};
      },
      "");
}

// Input: What to fetch.
void add_input_options(CLI::App& app, Options& options) {
  app.get_formatter()->label("Positionals", "Input");  // the inputs are the only positionals
  app.add_option("inputs", options.inputs,
                 "What to fetch: URLs (any argument containing ://), files listing one URL per "
                 "line (blank lines and lines starting with '#' are skipped), or '-' for standard "
                 "input, which is also read when no input is given")
      ->type_name("URL|FILE|-");
}

// Request: What is sent, and what is accepted back.
void add_request_options(CLI::App& app, Options& options) {
  app.option_defaults()->group("Request");
  app.add_flag_callback(
         "--compressed", [&options] { options.compressed = true; },
         "Ask for a compressed body (gzip, deflate, br, zstd) and decode it: the default, "
         "accepted for curl users")
      ->disable_flag_override()
      ->trigger_on_parse();
  app.add_flag_callback(
         "--no-compressed", [&options] { options.compressed = false; },
         "Do not ask for compressed bodies (no Accept-Encoding header), nor decode one a server "
         "sends anyway: the body is counted as it arrives, its coding still reported")
      ->disable_flag_override()
      ->trigger_on_parse();
  app.add_flag("-I,--head", options.head,
               "Send HEAD instead of GET: status and Content-Length without the body");
  add_request_shaping_options(app, options);

  app.add_option("-A,--user-agent", options.user_agent,
                 "The User-Agent header to send; no control characters")
      ->check(header_value())
      ->type_name("TEXT")
      ->capture_default_str();

  app.add_option("--max-redirects", options.max_redirects,
                 "Follow at most N redirects (up to 1000) per URL; 0 reports redirect responses "
                 "as they are")
      ->check(CLI::Range(0u, 1000u).description(""))
      ->type_name("N")
      ->capture_default_str();

  app.add_option("--max-filesize", options.max_filesize,
                 "Fail URLs whose body is larger than BYTES; the suffixes k, M, G and T (powers of "
                 "1024) are accepted, as in 512k")
      ->transform(byte_size())
      ->type_name("BYTES");
}

// Connection: Concurrency, time limits and name resolution.
void add_connection_options(CLI::App& app, Options& options) {
  app.option_defaults()->group("Connection");
  app.add_option("-j,--concurrency", options.concurrency,
                 "How many URLs to fetch at the same time, from 1 to 10000")
      ->check(CLI::Range(1u, 10000u).description(""))
      ->type_name("N")
      ->capture_default_str();

  app.add_option(
         "--connect-timeout", options.connect_timeout_s,
         "Give up connecting to a server (name lookup, TCP and TLS handshakes) after SECS seconds; "
         "fractions such as 0.5 are allowed")
      ->check(seconds())
      ->type_name("SECS")
      ->capture_default_str();

  app.add_option("-m,--max-time", options.max_time_s,
                 "Give up on a URL, redirects included, after SECS seconds in total (each "
                 "--retry attempt has its own, as in curl); fractions are allowed")
      ->check(seconds())
      ->type_name("SECS")
      ->capture_default_str();

  app.add_option(
         "--dns-servers", options.dns_servers,
         "Ask these name servers instead of the ones in /etc/resolv.conf: a comma-separated "
         "list such as 1.1.1.1,[2606:4700:4700::1111]:53 (the hosts file is still read first)")
      ->check(name_servers())
      ->type_name("ADDRESSES");
  add_route_options(app, options);
  add_politeness_options(app, options);
}

// TLS: Certificates and sessions.
void add_tls_options(CLI::App& app, Options& options) {
  app.option_defaults()->group("TLS");
  app.add_option("--cacert", options.cacert,
                 "Trust the CA certificates in this PEM file instead of the system store (as "
                 "curl's --cacert)")
      ->check(CLI::ExistingFile.description(""))
      ->type_name("FILE");

  app.add_flag("-k,--insecure", options.insecure,
               "Do not verify TLS certificates or host names (connections can be intercepted)")
      ->disable_flag_override();

  // curl's names and meanings; the later of the two wins.
  app.add_flag_callback(
      "--http1.1", [&options] { options.http2 = false; },
      "Speak HTTP/1.1 only: offer no \"h2\" when connecting over TLS");
  app.add_flag_callback(
      "--http2", [&options] { options.http2 = true; },
      "Offer HTTP/2 and HTTP/1.1 over TLS, and speak what the server picks: the default");

  app.add_flag("--no-sessionid", options.no_session_reuse,
               "Do not resume TLS sessions: every new connection makes a full handshake, and "
               "connections to one origin do not wait for the first one's session")
      ->disable_flag_override();
}

// Output: What goes to stdout and stderr.
void add_output_options(CLI::App& app, Options& options) {
  app.option_defaults()->group("Output");
  // -f and -w both choose what a record looks like: triggered as parsed, the last one wins.
  app.add_option_function<std::string>(
         "-f,--format",
         [&options](const std::string& name) {
           options.format = name == "text"  ? OutputFormat::text
                            : name == "tsv" ? OutputFormat::tsv
                                            : OutputFormat::json;
           options.write_out.reset();
         },
         "Output format on standard output: aligned text for people, or tab-separated values "
         "or JSON Lines for programs. Default: text on a terminal, tsv otherwise")
      ->transform(CLI::IsMember({"text", "tsv", "json"}, CLI::ignore_case))
      ->trigger_on_parse()
      ->type_name("FORMAT");

  app.add_option_function<std::string>(
         "-w,--write-out",
         [&options](const std::string& text) {
           std::string error;
           options.write_out = WriteOut::compile(text, error);
         },
         "Write FORMAT for each URL instead of a record, as curl -w does (@FILE reads it from a "
         "file): curl's %{http_code}, %{url}, %{url_effective}, %{size_download}, "
         "%{num_redirects}, %{time_namelookup}, %{time_connect}, %{time_appconnect}, "
         "%{time_starttransfer}, %{time_total} (seconds, cumulative as curl's), %{errormsg}, "
         "%{exitcode}, %{json}, or any TSV field by its name (%{status}, %{elapsed_ms}, "
         "%{error_code}, ...); \\n, \\t and %% as in curl. No newline is added")
      ->transform(write_out_template())
      ->trigger_on_parse()
      ->type_name("FORMAT");

  app.add_option_function<std::string>(
         "--color,--colour",
         [&options](const std::string& name) {
           options.colour = name == "always"  ? ColourMode::always
                            : name == "never" ? ColourMode::never
                                              : ColourMode::automatic;
         },
         "Colour the text output: auto (only on a terminal, and not when NO_COLOR is set), always "
         "or never")
      ->transform(CLI::IsMember({"auto", "always", "never"}, CLI::ignore_case))
      ->type_name("WHEN")
      ->default_str("auto");

  app.add_flag("--ordered", options.ordered,
               "Write the records in input order, still fetching concurrently: a record waits "
               "for those of earlier lines. At most max(1024, 4 x -j) lines run or wait beyond "
               "the oldest unfinished one, so a slow line holds back at most that many")
      ->disable_flag_override();

  app.add_option("--output-dir", options.output_dir,
                 "Save each body in DIR, an existing directory, as it streams in (decoded when "
                 "the response was compressed): named LINE-TAIL after the input line and the "
                 "URL's last path segment, written under a temporary name and renamed when "
                 "complete, so that a failed URL leaves no file. Only bodies of ok records are "
                 "kept; records say where in saved_as")
      ->type_name("DIR");

  app.add_flag_callback(
         "--no-progress", [&options] { options.progress = false; },
         "Do not draw the progress line on standard error (it is only drawn on a terminal)")
      ->disable_flag_override();

  app.add_flag("-q,--quiet", options.quiet,
               "Print no summary line at the end, and no progress line")
      ->disable_flag_override();
}

}  // namespace

// The help's last words: commands to paste, and where the rest is.
constexpr const char* kExamples = R"(
Examples:
  fetch urls.txt                          every URL of the file, 50 at a time
  fetch -j 200 -m 5 urls.txt              200 at once, at most 5 seconds each
  fetch urls.txt | awk -F'\t' '$4 == "false" { print $2 ": " $11 }'
                                          what failed, and why (TSV: field 4 is ok)
  fetch -f json urls.txt | jq -r 'select(.status == 404) | .url'
  fetch -w '%{http_code} %{time_total} %{url}\n' urls.txt
                                          curl's -w variables, one line per URL
  fetch --ordered urls.txt > results.tsv  records in the order of the list
  fetch --output-dir pages urls.txt       each body saved as pages/LINE-NAME
  cat urls.txt | fetch -q                 URLs from standard input, no summary

Exit status: 0 every URL ok, 1 some failed, 2 usage error, 130/143 interrupted,
141 the reader of standard output went away. An option given twice takes its
last value. See fetch(1) for the record fields, error codes and -w variables.)";

void add_options(CLI::App& app, Options& options) {
  add_input_options(app, options);
  // Every option added from here on takes its last value when given twice, as curl's do (the
  // inputs above keep them all). Flags that undo each other are triggered as parsed instead.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  add_request_options(app, options);
  add_connection_options(app, options);
  add_tls_options(app, options);
  add_proxy_options(app, options);
  add_output_options(app, options);
  app.option_defaults()->group("Benchmark");
  add_bench_options(app, options.bench);
  app.option_defaults()->group("Options");  // what the caller adds next (--version)
  app.footer(kExamples);
}

}  // namespace fetch
