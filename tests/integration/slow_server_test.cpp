// A slow server must not be overrun: one that serves a connection at a time from a listen
// queue of five, as Python's http.server does (tests/servers/single_threaded_server.py),
// fetched with fifty connections allowed. Fifty SYNs at once overflow its queue, and the
// kernel retries the dropped ones after a second, then three: a connect or handshake that
// waited that long is the mark of an overrun server (loopback answers in microseconds).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench_common.hpp"  // ScratchDir, read_text
#include "common.hpp"
#include "support/nginx_server.hpp"  // ca_file()
#include "support/single_threaded_server.hpp"
#include "transport_param.hpp"

namespace fetch::test {
namespace {

using namespace std::chrono_literals;

class SlowServer : public ::testing::TestWithParam<Transport> {
 protected:
  std::vector<std::string> options(std::vector<std::string> extra) const {
    if (GetParam().tls) extra.insert(extra.end(), {"--cacert", ca_file()});
    return extra;
  }

  SingleThreadedServer server_{GetParam().tls};
};

// Waiting for a retransmission: the kernel's first SYN retry comes after 1 s.
constexpr double kRetransmitted = 900;

TEST_P(SlowServer, FiftyConnectionsAllowedNeverOverrunItsListenQueue) {
  std::string list;
  constexpr int kUrls = 300;
  for (int n = 1; n <= kUrls; ++n) list += server_.url("/page" + std::to_string(n)) + "\n";
  const TsvRun run = fetch_tsv(options({"-j", "50"}), list, 60s);
  ASSERT_EQ(run.records.size(), static_cast<std::size_t>(kUrls)) << describe(run.process);
  EXPECT_EQ(run.process.exit_code, 0) << run.process.err;
  for (const TsvRecord& record : run.records) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "true");
    for (const char* phase : {"connect_ms", "tls_ms"}) {
      if (record[phase].empty()) continue;
      EXPECT_LT(std::stod(record[phase]), kRetransmitted) << phase << " waited for a retry";
    }
  }
  // One connection per URL (the server closes each after its response), none wasted.
  const ScratchDir dir;
  const TsvRun stats = fetch_tsv(options({"--output-dir", dir.file(""), server_.url("/stats")}));
  ASSERT_EQ(stats.records.size(), 1u) << describe(stats.process);
  EXPECT_EQ(read_text(stats.records.front()["saved_as"]),
            "connections " + std::to_string(kUrls) + "\n");
}

INSTANTIATE_TEST_SUITE_P(Over, SlowServer, both_transports(), transport_name);

}  // namespace
}  // namespace fetch::test
