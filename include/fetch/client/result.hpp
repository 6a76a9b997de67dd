#pragma once
// The outcome of fetching one input URL: a plain value that the report formats.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fetch/core/error.hpp"

namespace fetch {

// Wall-clock milliseconds spent in each phase of the last hop (the one whose response the
// record shows). A phase that did not happen (a reused connection needs no resolve, connect
// or TLS) stays 0; total_ms covers every hop.
struct Timings {
  double resolve_ms = 0;
  double connect_ms = 0;
  double tls_ms = 0;
  double ttfb_ms = 0;   // request written -> first response byte
  double total_ms = 0;  // the whole exchange, including redirects
  // Not a phase: from the URL's start to the head of its last response (redirects, waits for
  // a connection and every phase before included); 0 when no response arrived.
  double start_transfer_ms = 0;
};

struct Result {
  std::uint64_t line = 0;                       // input line number, or argument position
  std::string url;                              // as given, credentials redacted
  std::string final_url;                        // after redirects, credentials redacted
  std::optional<unsigned> status;               // last response status, if any arrived
  std::optional<std::uint64_t> content_length;  // the Content-Length header, if sent
  std::uint64_t bytes = 0;                      // body bytes received on the last response
  std::uint64_t decoded_bytes = 0;              // the same after undoing its content codings
  std::string content_encoding;                 // its codings ("gzip", "br, gzip"), or empty
  std::string_view http_version;                // "1.1" or "2" (the last hop's), or empty
  unsigned redirects = 0;
  unsigned retries = 0;            // attempts after the first (--retry)
  bool reused_connection = false;  // the last hop rode a pooled connection
  bool downgraded = false;         // a redirect went from https to plain http
  Timings timings;
  std::optional<FetchError> error;
  std::string saved_as;  // --output-dir: where the body was saved ("DIR/NAME"), or empty

  // A response arrived, nothing failed, and its status is below 400.
  bool ok() const noexcept { return !error && status && *status < 400; }
};

}  // namespace fetch
