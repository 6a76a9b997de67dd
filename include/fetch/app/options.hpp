#pragma once
// Command-line options as a plain struct, bound to CLI11 by one function.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fetch/report/output_choice.hpp"
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
  bool head = false;              // HEAD instead of GET: headers only
  bool compressed = true;         // send Accept-Encoding and decode (--no-compressed: not)
  OutputFormat format = OutputFormat::automatic;
  ColourMode colour = ColourMode::automatic;
  bool progress = true;  // only ever drawn when stderr is a terminal
  bool quiet = false;    // no summary
  std::string user_agent = "fetch/" FETCH_VERSION;
  BenchOptions bench;

  OutputPreferences output_preferences() const noexcept {
    return {format, colour, progress, quiet};
  }
};

// Declares every option on `app`, writing into `options`. Parsing stays with the caller.
void add_options(CLI::App& app, Options& options);

}  // namespace fetch
