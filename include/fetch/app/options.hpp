#pragma once
// Command-line options as a plain struct, bound to CLI11 by one function.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fetch/report/output_choice.hpp"
#include "fetch/report/write_out.hpp"
#include "fetch/run/shard.hpp"

namespace CLI {
class App;
}

namespace fetch {

// The Benchmark group: passes, pacing, statistics, exports, verdicts, shards.
struct BenchOptions {
  std::optional<std::uint64_t> runs;  // --runs N: counted passes over the list
  unsigned warmup = 0;                // --warmup N: passes first, not counted
  std::optional<double> duration_s;   // -z, --duration
  std::optional<double> rate_per_s;   // --rate N/s, N/m, N/h
  bool cold = false;                  // --cold: idle connections closed between passes
  std::string export_json;            // FILE, or "-" for stdout
  std::string export_markdown;
  std::string export_junit;
  std::vector<std::string> thresholds;  // --threshold, each already checked to parse
  std::string baseline;                 // --baseline FILE
  double max_regression_percent = 5;
  double alpha = 0.01;
  bool fail_inconclusive = false;
  std::optional<Shard> shard;
  std::vector<std::string> merge;  // --merge FILE...: combine summaries, fetch nothing

  // Whether the run keeps statistics (every option here but --rate, --cold and --shard alone).
  bool keeps_statistics() const noexcept {
    return runs || warmup > 0 || duration_s || !export_json.empty() || !export_markdown.empty() ||
           !export_junit.empty() || !thresholds.empty() || !baseline.empty() || !merge.empty();
  }
};

// One -d, --data-raw, --data-binary or --json argument, as given.
struct DataArgument {
  enum class Kind { data, raw, binary, json };
  Kind kind = Kind::data;
  std::string text;  // TEXT, or @FILE (@- for standard input) except for --data-raw
};

struct Options {
  std::vector<std::string> inputs;  // files, "-" for stdin, or http(s) URLs
  unsigned concurrency = 50;
  double connect_timeout_s = 10;
  double max_time_s = 30;
  unsigned max_redirects = 10;
  std::optional<std::uint64_t> max_filesize;  // bytes; larger bodies fail
  std::string dns_servers;                    // "ip[:port],..." instead of resolv.conf
  std::string cacert;                         // extra CA bundle (PEM)
  bool insecure = false;
  bool no_session_reuse = false;  // --no-sessionid: full TLS handshakes only
  bool http2 = true;              // offer h2 by ALPN (--http1.1: HTTP/1.1 only; --http2)
  bool head = false;              // HEAD instead of GET: headers only
  bool compressed = true;         // send Accept-Encoding and decode (--no-compressed: not)
  OutputFormat format = OutputFormat::automatic;
  std::optional<WriteOut> write_out;  // -w: replaces the format's records (the last given wins)
  bool ordered = false;               // records in input order (run/reorder_window.hpp)
  std::string output_dir;             // --output-dir: save bodies there (body/saved_file.hpp)
  ColourMode colour = ColourMode::automatic;
  bool progress = true;  // only ever drawn when stderr is a terminal
  bool quiet = false;    // no summary
  std::string user_agent = "fetch/" FETCH_VERSION;
  std::string method;                   // -X: empty means GET, HEAD (-I) or POST (a body)
  std::vector<std::string> headers;     // -H, in order, each checked by parse_header_option
  std::vector<DataArgument> data;       // the body's parts, in order
  std::vector<std::string> resolve;     // --resolve HOST:PORT:ADDRESS[,ADDRESS]..., checked
  std::vector<std::string> connect_to;  // --connect-to HOST1:PORT1:HOST2:PORT2, checked
  std::optional<std::string> proxy;     // -x: "" means none, not even from the environment
  std::optional<std::string> noproxy;   // --noproxy: instead of NO_PROXY
  unsigned retry = 0;                   // --retry: attempts after the first
  double retry_delay_s = 0;             // --retry-delay: fixed wait; 0: back-off with jitter
  double retry_max_time_s = 0;          // --retry-max-time: no retry past it; 0: none
  bool retry_all_errors = false;
  unsigned parallel_max_host = 0;  // --parallel-max-host: connections per origin; 0: no cap
  BenchOptions bench;

  OutputPreferences output_preferences() const noexcept {
    return {format, colour, progress, quiet};
  }
};

// Declares every option on `app`, writing into `options`, and the help's footer of examples.
// Parsing stays with the caller. An option given twice takes its last value, as curl's do;
// so do the pairs that undo each other (--compressed/--no-compressed, -f/-w).
void add_options(CLI::App& app, Options& options);

// The request-shaping options (-X, -H, -d, --data-raw, --data-binary, --json), in the
// Request group; declared by add_options (src/app/request_options.cpp).
void add_request_shaping_options(CLI::App& app, Options& options);

// --resolve and --connect-to, in the Connection group, and -x and --noproxy in a Proxy
// group of their own (src/app/route_options.cpp).
void add_route_options(CLI::App& app, Options& options);
void add_proxy_options(CLI::App& app, Options& options);

// --retry, --retry-delay, --retry-max-time, --retry-all-errors and --parallel-max-host, in
// the Connection group (src/app/politeness_options.cpp).
void add_politeness_options(CLI::App& app, Options& options);

// Whether any body part is read from standard input (@-), which then cannot be the input.
bool body_reads_stdin(const Options& options);

}  // namespace fetch
