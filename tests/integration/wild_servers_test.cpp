// Servers as they are in the wild, over plain TCP and over TLS: bare LF line endings, heads
// in pieces, Transfer-Encoding whatever the field order, redirects with odd Locations or that
// revisit a URL, --max-filesize and redirect bodies, an unasked 101, and timings that tell the
// truth. Each case is what curl, browsers, Go and Python read, or a refusal that protects the
// user (README: "HTTP/1.1 responses").

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"
#include "transport_param.hpp"

namespace fetch::test {
namespace {

using namespace std::chrono_literals;

class WildServers : public MatrixTest, public ::testing::WithParamInterface<Transport> {
 protected:
  WildServers() : server(MisbehavingServer::Config{.tls = GetParam().tls}) {}

  // Options every run here needs: the test CA for the TLS server.
  std::vector<std::string> with_ca(std::vector<std::string> options = {}) {
    if (GetParam().tls) {
      options.insert(options.end(), {"--cacert", ca_file()});
    }
    return options;
  }
  TsvRecord fetch_path(std::string_view path, std::vector<std::string> options = {}) {
    return fetch_one(server.url(path), with_ca(std::move(options)));
  }
  // `paths` fetched in order over one worker: the second may ride the first's connection.
  TsvRun fetch_in_order(std::initializer_list<std::string_view> paths) {
    std::vector<std::string> args = with_ca({"-j", "1"});
    for (std::string_view path : paths) args.push_back(server.url(path));
    last_ = fetch_tsv(args);
    EXPECT_EQ(last_.records.size(), paths.size()) << describe(last_.process);
    return last_;
  }
  void expect_code(const TsvRecord& record, std::string_view stage, std::string_view code) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "false");
    EXPECT_EQ(record["error_stage"], stage);
    EXPECT_EQ(record["error_code"], code);
    EXPECT_LT(last_.process.elapsed, kPromptly) << "judged when its bytes allowed, not at -m";
  }

  MisbehavingServer server;
};

// --- line endings and heads ----------------------------------------------------------------

TEST_P(WildServers, BareLfLinesAreReadAndTheConnectionCarriesOn) {
  const TsvRun run = fetch_in_order({"/bare-lf", "/ok"});
  ASSERT_EQ(run.records.size(), 2u);
  expect_ok(run.records[0], "200", "3");
  EXPECT_EQ(run.records[1]["reused"], "true") << run.records[1].text();
}

TEST_P(WildServers, BareLfChunkSizesOnAKeptAliveConnectionEndPromptly) {
  const TsvRun run = fetch_in_order({"/bare-lf-chunked", "/ok"});
  ASSERT_EQ(run.records.size(), 2u);
  expect_ok(run.records[0], "200", "3");
  EXPECT_EQ(run.records[1]["reused"], "true") << run.records[1].text();
  EXPECT_LT(run.process.elapsed, kPromptly);
}

TEST_P(WildServers, AHeadInPiecesIsParsedAsItArrives) {
  expect_ok(fetch_path("/status-in-pieces"), "200", "3");
}

TEST_P(WildServers, GarbageInsteadOfAStatusLineFailsAtOnce) {
  expect_code(fetch_path("/garbage-then-stall", {"-m", "30"}), "read", "bad_response");
}

TEST_P(WildServers, AnUnaskedSwitchToAnotherProtocolFailsAtOnce) {
  const TsvRecord record = fetch_path("/switching-protocols", {"-m", "30"});
  expect_code(record, "read", "bad_response");
  EXPECT_EQ(record["status"], "101") << record.text();
}

TEST_P(WildServers, ARefusedHeadKeepsItsStatus) {
  const TsvRecord record = fetch_path("/header-no-colon");
  expect_code(record, "read", "bad_response");
  EXPECT_EQ(record["status"], "200") << record.text();
}

// --- Transfer-Encoding ----------------------------------------------------------------------

TEST_P(WildServers, ChunkedTwiceIsAnErrorNotAWait) {
  expect_code(fetch_path("/te-chunked-twice", {"-m", "30"}), "read", "bad_response");
  expect_code(fetch_path("/te-two-fields", {"-m", "30"}), "read", "bad_response");
}

TEST_P(WildServers, AnUnknownCodingRunsToTheCloseWhateverTheFieldOrder) {
  for (const char* path : {"/te-gzip-then-cl", "/te-cl-then-gzip"}) {
    const TsvRecord record = fetch_path(path);
    SCOPED_TRACE(record.text());
    expect_ok(record, "200", "6");
    EXPECT_EQ(record["content_length"], "") << "never trusted beside Transfer-Encoding";
  }
}

TEST_P(WildServers, ChunkedBesideALengthIsChunkedAndTheConnectionIsNotReused) {
  const TsvRun run = fetch_in_order({"/te-chunked-with-cl", "/ok"});
  ASSERT_EQ(run.records.size(), 2u);
  expect_ok(run.records[0], "200", "5");
  EXPECT_EQ(run.records[0]["content_length"], "");
  EXPECT_EQ(run.records[1]["reused"], "false") << run.records[1].text();
}

// --- redirects ------------------------------------------------------------------------------

TEST_P(WildServers, ALocationWithSpacesIsEncodedAndFollowed) {
  const TsvRecord record = fetch_path("/redirect?to=%2Fok%3Fq%3Da%20b");
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["redirects"], "1");
  EXPECT_EQ(record["final_url"], server.url("/ok?q=a%20b"));
}

TEST_P(WildServers, AnEmptyLocationIsTheFinalResponse) {
  const TsvRecord record = fetch_path("/redirect?to=");
  expect_ok(record, "302", "0");
  EXPECT_EQ(record["redirects"], "0");
}

TEST_P(WildServers, AChainMayComeBackToAUrl) {
  const TsvRecord record = fetch_path("/revisit?id=one");
  expect_ok(record, "200", "13");
  EXPECT_EQ(record["redirects"], "2");
}

TEST_P(WildServers, AChainThatNeverEndsIsALoopPastTheLimit) {
  const TsvRecord record = fetch_path("/loop-self", {"--max-redirects", "5"});
  expect_code(record, "redirect", "redirect_loop");
  EXPECT_EQ(record["redirects"], "5");
}

TEST_P(WildServers, MaxFilesizeLimitsTheBodyKeptNotARedirectsBody) {
  const TsvRecord followed = fetch_path("/redirect-big-body", {"--max-filesize", "1k"});
  expect_ok(followed, "200", "3");
  const TsvRecord kept =
      fetch_path("/redirect-big-body", {"--max-filesize", "1k", "--max-redirects", "0"});
  expect_code(kept, "read", "body_too_large");
}

// --- timings ----------------------------------------------------------------------------------

TEST_P(WildServers, PhasesAreTheLastConnectionsAndTtfbIsTheServersTime) {
  // The second hop rides the first's connection: no phase of its own, and the server takes
  // 300 ms to answer it. (A lower bound only: the server cannot answer sooner.)
  const TsvRecord record = fetch_path("/redirect?to=%2Fslow%3Fms%3D300");
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["reused"], "true");
  EXPECT_EQ(record["resolve_ms"], "0.000");
  EXPECT_EQ(record["connect_ms"], "0.000");
  EXPECT_EQ(record["tls_ms"], "0.000");
  EXPECT_GE(std::stod(record["ttfb_ms"]), 300.0);
}

INSTANTIATE_TEST_SUITE_P(Over, WildServers, both_transports(), transport_name);

}  // namespace
}  // namespace fetch::test
