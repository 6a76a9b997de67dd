#pragma once
// Command-line options as a plain struct, bound to CLI11 by one function.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fetch/report/output_choice.hpp"
#include "fetch/report/write_out.hpp"

namespace CLI {
class App;
}

namespace fetch {

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

  OutputPreferences output_preferences() const noexcept {
    return {format, colour, progress, quiet};
  }
};

// Declares every option on `app`, writing into `options`, and the help's footer of examples.
// Parsing stays with the caller. An option given twice takes its last value, as curl's do;
// so do the pairs that undo each other (--compressed/--no-compressed, -f/-w).
void add_options(CLI::App& app, Options& options);

}  // namespace fetch
