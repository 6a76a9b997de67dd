// The hostile-server matrix for HTTP/2: each misbehaviour of tests/servers/h2_server.py, and
// the one line fetch must give for it: no crash, no hang, a stage and a code that say what
// happened, and no more time or memory than the case deserves.

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "matrix.hpp"
#include "support/h2_server.hpp"

namespace fetch::test {
namespace {

// A path of the server and the record fetch gives for it.
struct AbuseCase {
  std::string name;
  std::string path;
  bool ok = false;
  std::string stage{};     // when !ok
  std::string code{};      // when !ok
  std::string fragment{};  // in the message, when !ok
  std::string http_version = "2";
  std::string mode{};  // the server's --mode
};

void PrintTo(const AbuseCase& c, std::ostream* os) { *os << c.name; }

class Http2Abuse : public MatrixTest, public ::testing::WithParamInterface<AbuseCase> {};

TEST_P(Http2Abuse, OneClearLine) {
  const AbuseCase& c = GetParam();
  H2Server server{H2Server::Config{.mode = c.mode}};
  const TsvRecord record =
      fetch_one(server.url(c.path), {"--cacert", ca_file(), "-m", "3"}, kPromptly);
  SCOPED_TRACE(record.text());
  EXPECT_EQ(record["http_version"], c.http_version);
  if (c.ok) {
    EXPECT_EQ(record["ok"], "true");
    EXPECT_EQ(record["error_code"], "");
    expect_exit(0);
    return;
  }
  expect_failure(record, c.stage, {c.fragment});
  EXPECT_EQ(record["error_code"], c.code);
}

INSTANTIATE_TEST_SUITE_P(
    Streams, Http2Abuse,
    ::testing::Values(
        AbuseCase{"RstBeforeHeaders", "/rst-before-headers", false, "read", "h2_internal_error",
                  "reset the stream (INTERNAL_ERROR) before its response"},
        AbuseCase{"RstMidBody", "/rst-mid-body", false, "read", "h2_internal_error",
                  "after 1000 body bytes"},
        AbuseCase{"CancelMidBody", "/cancel-mid-body", false, "read", "h2_cancel",
                  "reset the stream (CANCEL)"},
        AbuseCase{"DataPastContentLength", "/data-past-content-length", false, "read", "bad_body",
                  "past the response's content-length (5)"},
        AbuseCase{"EndStreamBeforeContentLength", "/end-stream-before-content-length", false,
                  "read", "body_truncated", "after 10 of 1000 body bytes"},
        AbuseCase{"NoStatus", "/no-status", false, "read", "h2_protocol_error",
                  "malformed HTTP/2 response"},
        AbuseCase{"ConnectionHeader", "/connection-header", false, "read", "h2_protocol_error",
                  "malformed HTTP/2 response"},
        AbuseCase{"HugeHeaderList", "/huge-headers", false, "read", "bad_response",
                  "larger than 64 KiB"},
        AbuseCase{"HpackBomb", "/hpack-bomb", false, "read", "bad_response", "larger than 64 KiB"},
        AbuseCase{"OversizedFrame", "/oversized-frame", false, "read", "h2_frame_size_error",
                  "FRAME_SIZE_ERROR"},
        AbuseCase{"EmptyDataFlood", "/empty-data-flood", false, "read", "h2_enhance_your_calm",
                  "empty DATA frames"},
        AbuseCase{"DataAfterEndStream", "/data-after-end-stream", true},
        AbuseCase{"UnknownFrames", "/unknown-frame", true},
        AbuseCase{"StallMidBody", "/stall", false, "timeout", "timeout_max_time",
                  "reading the body (10 bytes received)"},
        AbuseCase{"NeverAnswers", "/never", false, "timeout", "timeout_max_time",
                  "waiting for the response"},
        AbuseCase{"WindowOverrunBeyondWhatWasGranted", "/window-overrun", true}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Connections, Http2Abuse,
    ::testing::Values(
        AbuseCase{"PushPromiseWhilePushIsOff", "/push-promise", false, "read", "h2_protocol_error",
                  "push disabled"},
        AbuseCase{"DataOnAnIdleStream", "/data-on-idle-stream", false, "read", "h2_protocol_error",
                  "stream in idle"},
        AbuseCase{"HeadersOnAnEvenStream", "/headers-on-even-stream", false, "read",
                  "h2_protocol_error", "HEADERS"},
        AbuseCase{"DataOnStreamZero", "/data-on-stream-zero", false, "read", "h2_protocol_error",
                  "stream_id == 0"},
        AbuseCase{"SettingsFlood", "/settings-flood", false, "read", "h2_enhance_your_calm",
                  "flooded"},
        AbuseCase{"PingFlood", "/ping-flood", false, "read", "h2_enhance_your_calm", "flooded"},
        AbuseCase{"SettingsFloodBeforeAnyRequest", "/ok", false, "read", "h2_enhance_your_calm",
                  "flooded", "2", "settings-flood"},
        AbuseCase{"EndlessContinuation", "/endless-continuation", false, "read", "bad_response",
                  "larger than 64 KiB"},
        AbuseCase{"GoawayMidStreamFinishesTheStream", "/goaway-mid-stream", true},
        AbuseCase{"CloseWithTheStreamOpen", "/close-with-streams-open", false, "read",
                  "body_truncated", "closed the HTTP/2 connection after 100 body bytes"},
        AbuseCase{"StopsReading", "/stop-reading", false, "timeout", "timeout_max_time",
                  "waiting for the response"},
        AbuseCase{"StopsReadingFromTheStart", "/ok", false, "timeout", "timeout_max_time",
                  "waiting for the response", "2", "stop-reading"}),
    [](const auto& info) { return info.param.name; });

// What is retried, and how often: the server's request log says.
class Http2Retry : public MatrixTest {
 protected:
  std::size_t requests_for(const std::string& path) {
    const auto requests = server_.requests();
    EXPECT_TRUE(requests);
    std::size_t count = 0;
    for (const auto& request : requests.value_or(std::vector<H2Server::Request>{})) {
      count += request.path == path ? 1 : 0;
    }
    return count;
  }
  H2Server server_;
};

TEST_F(Http2Retry, ARefusedStreamIsRetriedOnceNeverMore) {
  const TsvRecord record = fetch_one(server_.url("/refused-stream"), {"--cacert", ca_file()});
  expect_failure(record, "read", {"refused the stream (REFUSED_STREAM)"});
  EXPECT_EQ(record["error_code"], "h2_refused_stream");
  EXPECT_EQ(requests_for("/refused-stream"), 2u);
}

TEST_F(Http2Retry, Http11RequiredFallsBackForTheOrigin) {
  const TsvRun run = fetch_tsv(
      {"--cacert", ca_file(), "-j", "1", server_.url("/http11-required-rst"), server_.url("/ok")});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  for (const TsvRecord& record : run.records) {
    EXPECT_EQ(record["ok"], "true") << record.text();
    EXPECT_EQ(record["http_version"], "1.1") << "the origin is HTTP/1.1 from now on";
  }
  const auto requests = server_.requests();
  ASSERT_TRUE(requests);
  ASSERT_EQ(requests->size(), 3u);
  EXPECT_EQ((*requests)[0].protocol, "h2");
  EXPECT_EQ((*requests)[1].protocol, "http/1.1");
  EXPECT_EQ((*requests)[2].protocol, "http/1.1");
}

TEST_F(Http2Retry, AGoawayWithHttp11RequiredFallsBackToo) {
  const TsvRecord record =
      fetch_one(server_.url("/http11-required-goaway"), {"--cacert", ca_file()});
  expect_ok(record, "200", "9");
  EXPECT_EQ(record["http_version"], "1.1");
}

TEST_F(Http2Retry, AGoawayLeavesLaterStreamsToANewConnection) {
  // The GOAWAY names the first stream as the last one processed: the three beside it were
  // not, and go again, once, on a second connection.
  std::vector<std::string> args{"--cacert", ca_file(), "-j", "4",
                                server_.url("/goaway-mid-stream")};
  for (int n = 0; n < 3; ++n) args.push_back(server_.url("/delay/1000"));
  const TsvRun run = fetch_tsv(args, {}, kPromptly);
  ASSERT_EQ(run.records.size(), 4u) << describe(run.process);
  for (const TsvRecord& record : run.records) EXPECT_EQ(record["ok"], "true") << record.text();
  const auto stats = server_.stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->connections, 2);
  EXPECT_EQ(requests_for("/delay/1000"), 6u) << "each of the three, twice";
}

TEST_F(Http2Retry, AConnectionClosingWithStreamsOpenRetriesThoseThatGotNothing) {
  std::vector<std::string> args{"--cacert", ca_file(), "-j", "4",
                                server_.url("/close-with-streams-open")};
  for (int n = 0; n < 3; ++n) args.push_back(server_.url("/delay/1000"));
  const TsvRun run = fetch_tsv(args, {}, kPromptly);
  ASSERT_EQ(run.records.size(), 4u) << describe(run.process);
  const TsvRecord* cut = find_record(run.records, "url", server_.url("/close-with-streams-open"));
  ASSERT_NE(cut, nullptr);
  EXPECT_EQ((*cut)["error_code"], "body_truncated");
  std::size_t ok = 0;
  for (const TsvRecord& record : run.records) ok += record["ok"] == "true" ? 1 : 0;
  EXPECT_EQ(ok, 3u) << "the three that had received nothing went again";
  EXPECT_EQ(requests_for("/delay/1000"), 6u);
}

}  // namespace
}  // namespace fetch::test
