// Hostile input: megabyte lines, CR/LF smuggled into URLs (and the User-Agent) to inject
// headers, bad ports, foreign schemes, IPv6 spellings, empty hosts, NUL and binary bytes,
// credentials that must never be printed, and a million-line list in bounded memory.
// The misbehaving server logs every request head it receives, so "nothing was injected" is
// checked on the wire, not inferred from fetch's output.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "matrix.hpp"
#include "support/misbehaving_server.hpp"
#include "support/net.hpp"

namespace fetch::test {
namespace {

// A file removed when the test ends.
class ScratchFile {
 public:
  explicit ScratchFile(std::string_view content) {
    std::string pattern = (std::filesystem::temp_directory_path() / "fetch-abuse-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd >= 0) ::close(fd);
    path_ = pattern;
    std::ofstream(path_, std::ios::binary)
        .write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  ~ScratchFile() { std::filesystem::remove(path_); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

class InputAbuse : public MatrixTest {
 protected:
  // Fails the test when the server received a request with an injected header line.
  void expect_nothing_injected() {
    const auto log = server.requests_received();
    ASSERT_TRUE(log) << "the server's request log is unreachable";
    EXPECT_FALSE(contains_ci(*log, "\r\nX-Injected")) << "a header was injected:\n" << *log;
  }

  // The record for input line (or argument) `line`.
  static const TsvRecord* line_record(const TsvRun& run, int line) {
    return find_record(run.records, "line", std::to_string(line));
  }

  MisbehavingServer server;
};

// --- long lines ------------------------------------------------------------------------------

TEST_F(InputAbuse, MegabyteLineIsOneInputErrorAndTheNextLineIsFetched) {
  const std::string huge = server.url("/ok?") + std::string(1 << 20, 'a');
  const TsvRun run = fetch_tsv({}, huge + "\n" + server.url("/ok?after") + "\n");
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  if (const TsvRecord* record = line_record(run, 1)) {
    EXPECT_EQ((*record)["ok"], "false");
    EXPECT_EQ((*record)["error_stage"], "input");
    EXPECT_TRUE(contains_ci((*record)["error_message"], "line 1")) << (*record)["error_message"];
    EXPECT_TRUE(contains_ci((*record)["error_message"], "longer")) << (*record)["error_message"];
    EXPECT_LT(record->text().size(), 4096u) << "the line must not be echoed whole";
  }
  if (const TsvRecord* record = line_record(run, 2)) {
    EXPECT_EQ((*record)["ok"], "true") << record->text();
    EXPECT_EQ((*record)["url"], server.url("/ok?after"));
  }
  EXPECT_EQ(run.process.exit_code, 1);
}

TEST_F(InputAbuse, OverlongUrlArgumentIsOneInputErrorAndTheNextArgumentIsFetched) {
  // Linux caps one argument at 128 KiB (MAX_ARG_STRLEN), so no argument reaches a megabyte;
  // 120 000 bytes is still well past fetch's 64 KiB line limit.
  const TsvRun run =
      fetch_tsv({server.url("/ok?") + std::string(120'000, 'b'), server.url("/ok?next")});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  if (const TsvRecord* record = line_record(run, 1)) {
    EXPECT_EQ((*record)["error_stage"], "input") << record->text().substr(0, 300);
    EXPECT_LT(record->text().size(), 4096u) << "the argument must not be echoed whole";
  }
  if (const TsvRecord* record = line_record(run, 2)) {
    EXPECT_EQ((*record)["ok"], "true") << record->text();
  }
}

// --- header injection ----------------------------------------------------------------------------

TEST_F(InputAbuse, CrLfInAUrlArgumentIsRejectedAndNothingIsSent) {
  const TsvRecord record = fetch_one(server.url("/ok") + "\r\nX-Injected: 1");
  expect_failure(record, "input", {"control", "whitespace"});
  EXPECT_EQ(record.text().find('\r'), std::string::npos) << "a raw CR in the output";
  expect_nothing_injected();
  EXPECT_EQ(server.connections_accepted(), 0) << "an invalid URL must not be fetched";
}

TEST_F(InputAbuse, CrInsideAFileLineIsRejectedAndNothingIsSent) {
  // The line splitter cuts at LF only, so the CR stays inside the line.
  ScratchFile list(server.url("/ok") + "\rX-Injected: 1\n");
  last_ = fetch_tsv({list.path()});
  ASSERT_EQ(last_.records.size(), 1u) << describe(last_.process);
  expect_failure(last_.records[0], "input", {"control", "whitespace"});
  expect_nothing_injected();
  EXPECT_EQ(server.connections_accepted(), 0);
}

TEST_F(InputAbuse, PercentEncodedCrLfIsSentEncodedNotAsAHeader) {
  const std::string url = server.url("/ok?q=%0D%0AX-Injected:%201");
  expect_ok(fetch_one(url), "200", "3");
  expect_nothing_injected();
  const auto log = server.requests_received();
  ASSERT_TRUE(log);
  EXPECT_TRUE(contains_ci(*log, "GET /ok?q=%0D%0AX-Injected:%201 HTTP/1.1\r\n")) << *log;
}

TEST_F(InputAbuse, CrLfInTheHostIsRejected) {
  const std::string url =
      "http://127.0.0.1%0d%0aX-Injected:1:" + std::to_string(server.port()) + "/ok";
  expect_failure(fetch_one(url), "input", {"host", "port", "invalid"});
  expect_nothing_injected();
}

TEST_F(InputAbuse, UserAgentWithCrLfCannotInjectAHeader) {
  // Either refused as a usage error, or sent without becoming a header line of its own.
  last_ = fetch_tsv({"-A", "evil\r\nX-Injected: 1", server.url("/ok")});
  if (last_.process.exit_code == 2) {
    EXPECT_TRUE(last_.records.empty()) << describe(last_.process);
  } else {
    EXPECT_EQ(last_.records.size(), 1u) << describe(last_.process);
  }
  expect_nothing_injected();
}

// --- ports, schemes, hosts -----------------------------------------------------------------------

struct BadInput {
  const char* name;
  const char* text;  // "PORT" is replaced by the server's port
};

std::string name_of(const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; }
// What ctest shows after the name ("GetParam() = ..."): the input itself, not its bytes.
void PrintTo(const BadInput& input, std::ostream* out) { *out << '"' << input.text << '"'; }

class BadPort : public InputAbuse, public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadPort, IsAnInputError) {
  const TsvRecord record = fetch_one(std::string("http://127.0.0.1:") + GetParam().text + "/ok");
  expect_failure(record, "input", {"port"});
  EXPECT_EQ(server.connections_accepted(), 0);
}

INSTANTIATE_TEST_SUITE_P(Ports, BadPort,
                         ::testing::Values(BadInput{"Zero", "0"}, BadInput{"Just65536", "65536"},
                                           BadInput{"Five99999", "99999"},
                                           BadInput{"Huge", "184467440737095516170"},
                                           BadInput{"Negative", "-1"}, BadInput{"Letters", "abc"},
                                           BadInput{"DigitsThenLetters", "80x"}),
                         name_of);

class BadScheme : public InputAbuse, public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadScheme, IsAnInputError) {
  // Read from stdin: an argument without "://" would be taken for a file name.
  std::string text = GetParam().text;
  if (const auto at = text.find("PORT"); at != std::string::npos) {
    text.replace(at, 4, std::to_string(server.port()));
  }
  last_ = fetch_tsv({}, text + "\n");
  ASSERT_EQ(last_.records.size(), 1u) << describe(last_.process);
  expect_failure(last_.records[0], "input", {"scheme"});
  EXPECT_EQ(server.connections_accepted(), 0);
}

INSTANTIATE_TEST_SUITE_P(Schemes, BadScheme,
                         ::testing::Values(BadInput{"NoSchemeHostAndPort", "127.0.0.1:PORT/ok"},
                                           BadInput{"NoSchemeHostName", "example.org/index.html"},
                                           BadInput{"SchemeRelative", "//127.0.0.1:PORT/ok"},
                                           BadInput{"EmptyScheme", "://127.0.0.1:PORT/ok"},
                                           BadInput{"Ftp", "ftp://127.0.0.1:PORT/ok"},
                                           BadInput{"File", "file:///etc/passwd"},
                                           BadInput{"Javascript", "javascript:alert(1)"},
                                           BadInput{"Mailto", "mailto:someone@example.org"},
                                           BadInput{"WebSocket", "ws://127.0.0.1:PORT/ok"},
                                           BadInput{"Misspelt", "htp://127.0.0.1:PORT/ok"}),
                         name_of);

TEST_F(InputAbuse, UppercaseSchemeIsAccepted) {
  const std::string url = "HTTP://127.0.0.1:" + std::to_string(server.port()) + "/ok";
  expect_ok(fetch_one(url), "200", "3");
}

TEST_F(InputAbuse, TheUrlColumnIsTheNormalisedUrl) {
  // Scheme and host lower-cased; the path keeps its case (the server sees it as sent).
  const std::string port = std::to_string(server.port());
  const TsvRecord record = fetch_one("HTTP://LocalHost:" + port + "/ok?Q=A");
  EXPECT_EQ(record["url"], "http://localhost:" + port + "/ok?Q=A") << record.text();
  EXPECT_EQ(record["status"], "200") << record.text();
}

class EmptyHost : public InputAbuse, public ::testing::WithParamInterface<BadInput> {};

TEST_P(EmptyHost, IsAnInputError) { expect_failure(fetch_one(GetParam().text), "input", {"host"}); }

INSTANTIATE_TEST_SUITE_P(Hosts, EmptyHost,
                         ::testing::Values(BadInput{"ThreeSlashes", "http:///x"},
                                           BadInput{"PortOnly", "http://:80/"},
                                           BadInput{"AtOnly", "http://@/"},
                                           BadInput{"CredentialsOnly", "http://user:pw@/"},
                                           BadInput{"QueryOnly", "https://?x"},
                                           BadInput{"NothingAtAll", "http://"}),
                         name_of);

class BadBrackets : public InputAbuse, public ::testing::WithParamInterface<BadInput> {};

TEST_P(BadBrackets, IsAnInputError) {
  std::string text = GetParam().text;
  if (const auto at = text.find("PORT"); at != std::string::npos) {
    text.replace(at, 4, std::to_string(server.port()));
  }
  const TsvRecord record = fetch_one(text);
  SCOPED_TRACE(record.text());
  EXPECT_EQ(record["ok"], "false");
  EXPECT_EQ(record["error_stage"], "input");
  EXPECT_NE(record["error_message"], "");
  expect_exit(1);
}

INSTANTIATE_TEST_SUITE_P(Ipv6, BadBrackets,
                         ::testing::Values(BadInput{"Unclosed", "http://[::1/"},
                                           BadInput{"UnclosedWithPort", "http://[::1:PORT/ok"},
                                           BadInput{"NoOpening", "http://::1]:PORT/ok"},
                                           BadInput{"NoBrackets", "http://::1:PORT/ok"},
                                           BadInput{"Doubled", "http://[[::1]]:PORT/ok"},
                                           BadInput{"Empty", "http://[]:PORT/ok"},
                                           BadInput{"Ipv4Inside", "http://[127.0.0.1]:PORT/ok"},
                                           BadInput{"NotHex", "http://[::g]:PORT/ok"},
                                           BadInput{"TextAfter", "http://[::1]x:PORT/ok"}),
                         name_of);

TEST_F(InputAbuse, Ipv4MappedIpv6AddressReachesTheIpv4Server) {
  const std::string url = "http://[::ffff:127.0.0.1]:" + std::to_string(server.port()) + "/ok";
  const TsvRecord record = fetch_one(url);
  expect_ok(record, "200", "3");
  EXPECT_EQ(record["url"], url);
}

TEST_F(InputAbuse, Ipv6ZoneIdIsFetchedOrRefusedAsInput) {
  // RFC 6874 zone IDs ("%25lo") are optional for clients: curl supports them, browsers do
  // not. Either outcome is honest; a crash, a hang or a second line is not.
  MisbehavingServer v6({.tls = false, .host = "::1"});
  const TsvRecord record = fetch_one("http://[::1%25lo]:" + std::to_string(v6.port()) + "/ok");
  SCOPED_TRACE(record.text());
  if (record["ok"] == "true") {
    expect_ok(record, "200", "3");
  } else {
    expect_failure(record, "input", {"host", "zone", "not a valid URL", "percent"});
  }
}

// --- bytes that are no URL at all ----------------------------------------------------------------

std::string binary_list(const MisbehavingServer& server) {
  using namespace std::string_literals;
  return server.url("/ok?line-1") + "\n"s +       // 1 fetched
         server.url("/ok") + "\0tail\n"s +        // 2 NUL inside
         "\xff\xfe\0\x01 binary\n"s +             // 3 binary
         "\x1b[31mred\x1b[0m\n"s +                // 4 terminal escapes
         server.url("/ok?caf\xc3\xa9") + "\n"s +  // 5 raw UTF-8
         "\xc3\x28 invalid UTF-8\n"s +            // 6 invalid UTF-8
         server.url("/ok?line-7") + "\n"s +       // 7 fetched
         "\n"s +                                  // 8 blank: skipped
         "\0\n"s;                                 // 9 a lone NUL
}

TEST_F(InputAbuse, NulAndBinaryBytesInTheListGiveOneCleanTsvLineEach) {
  const TsvRun run = fetch_tsv({}, binary_list(server));
  ASSERT_EQ(run.records.size(), 8u) << describe(run.process);
  std::set<std::string> lines;
  for (const TsvRecord& record : run.records) {
    SCOPED_TRACE(record.text());
    lines.insert(record["line"]);
    const bool fetched = record["line"] == "1" || record["line"] == "7";
    EXPECT_EQ(record["ok"], fetched ? "true" : "false");
    EXPECT_EQ(record["error_stage"], fetched ? "" : "input");
  }
  EXPECT_EQ(lines, (std::set<std::string>{"1", "2", "3", "4", "5", "6", "7", "9"}));
  for (char c : {'\0', '\x1b', '\r', '\x01'}) {
    EXPECT_EQ(run.process.out.find(c), std::string::npos)
        << "raw control byte " << int(c) << " in the TSV output";
  }
  EXPECT_EQ(run.process.exit_code, 1);
}

TEST_F(InputAbuse, NulAndBinaryBytesInTheListGiveValidJsonLines) {
  const ProcessResult result =
      run_fetch({"--format", "json", "--no-progress"}, binary_list(server));
  const auto values = parse_json_lines(result.out);  // fails on invalid JSON or UTF-8
  EXPECT_EQ(values.size(), 8u) << describe(result);
  EXPECT_EQ(result.exit_code, 1);
}

TEST_F(InputAbuse, NulAndBinaryBytesInTheListGiveOneTextLineEach) {
  const ProcessResult result =
      run_fetch({"--format", "text", "--color", "never", "--no-progress"}, binary_list(server));
  EXPECT_EQ(split_lines(result.out).size(), 8u) << describe(result);
  for (char c : {'\0', '\x1b', '\r', '\x01'}) {
    EXPECT_EQ(result.out.find(c), std::string::npos)
        << "raw control byte " << int(c) << " in text output";
  }
}

// --- credentials
// ----------------------------------------------------------------------------------

constexpr std::string_view kUser = "alice-the-user";
constexpr std::string_view kPassword = "Pw-9f8e7d6c";

class CredentialsNeverPrinted : public InputAbuse,
                                public ::testing::WithParamInterface<const char*> {};

TEST_P(CredentialsNeverPrinted, InAnyOutcome) {
  const std::string creds = std::string(kUser) + ":" + std::string(kPassword) + "@";
  const std::string port = std::to_string(server.port());
  const std::string refused_port = std::to_string(free_port());
  const std::vector<std::string> urls{
      "http://" + creds + "127.0.0.1:" + port + "/ok",          // ok
      "http://" + creds + "127.0.0.1:" + port + "/missing",     // 404
      "http://" + creds + "127.0.0.1:" + refused_port + "/",    // connect
      "http://" + creds + "127.0.0.1:" + port + "/never",       // timeout
      "http://" + creds + "127.0.0.1:" + port + "/truncated",   // read
      "http://" + creds + "127.0.0.1:99999/",                   // input: port
      "http://" + creds + "exa mple.org/",                      // input: space
      "http://" + creds + "[::1/",                              // input: bracket
      "ftp://" + creds + "127.0.0.1/",                          // input: scheme
      "http://" + creds + "127.0.0.1:" + port + "/ok\r\nX: y",  // input: control
  };
  std::vector<std::string> args{"--format", GetParam(), "--color", "never", "-m", "1"};
  args.insert(args.end(), urls.begin(), urls.end());
  const ProcessResult result = run_fetch(args);
  EXPECT_EQ(split_lines(result.out).size(), urls.size()) << describe(result);
  for (std::string_view secret : {kUser, kPassword}) {
    EXPECT_FALSE(contains_ci(result.out, secret)) << secret << " on stdout:\n" << result.out;
    EXPECT_FALSE(contains_ci(result.err, secret)) << secret << " on stderr:\n" << result.err;
  }
  EXPECT_TRUE(contains_ci(result.out, "***@")) << "redacted URLs expected:\n" << result.out;
}

INSTANTIATE_TEST_SUITE_P(Formats, CredentialsNeverPrinted,
                         ::testing::Values("tsv", "json", "text"));

TEST_F(InputAbuse, CredentialsOfATooLongLineAreNeverPrinted) {
  // The '@' lies beyond the part of the line shown in the error: redaction must not depend
  // on seeing it.
  std::string password;
  while (password.size() < 120) password += kPassword;
  const std::string line = "http://" + std::string(kUser) + ":" + password +
                           "@127.0.0.1:" + std::to_string(server.port()) + "/ok?" +
                           std::string(70000, 'x');
  for (const char* format : {"tsv", "json", "text"}) {
    const ProcessResult result =
        run_fetch({"--format", format, "--color", "never", "--no-progress"}, line + "\n");
    EXPECT_EQ(split_lines(result.out).size(), 1u) << describe(result);
    EXPECT_TRUE(contains_ci(result.out, "longer")) << format << ":\n" << result.out;
    for (std::string_view secret : {kUser, kPassword}) {
      EXPECT_FALSE(contains_ci(result.out + result.err, secret.substr(0, 6)))
          << format << " printed part of the credentials (" << secret << "):\n"
          << result.out << result.err;
    }
  }
}

// --- a million lines
// --------------------------------------------------------------------------------

TEST_F(InputAbuse, MillionLineListEndsWithTheRightLinesInBoundedMemory) {
  // 1 000 000 lines: nine comments in ten, every tenth an invalid URL, and ten real URLs
  // spread through; each non-comment line gives exactly one record.
  constexpr int kLines = 1'000'000;
  std::string list;
  list.reserve(kLines * 16);
  std::size_t expected = 0;
  std::set<int> real;
  for (int n = 1; n <= kLines; ++n) {
    if (n % 100'000 == 50'000) {
      list += server.url("/ok?line=" + std::to_string(n));
      real.insert(n);
      ++expected;
    } else if (n % 10 == 0) {
      list += "bad-url-" + std::to_string(n);
      ++expected;
    } else {
      list += "# comment " + std::to_string(n);
    }
    list += '\n';
  }
  ScratchFile file(list);
  last_.process = run_fetch({"--format", "tsv", "--no-progress", "-q", file.path()}, {}, 100s);
  const std::vector<std::string> lines = split_lines(last_.process.out);
  ASSERT_EQ(lines.size(), expected)
      << "exit " << last_.process.exit_code << " after " << last_.process.elapsed.count()
      << " ms, first line: " << (lines.empty() ? "" : lines.front())
      << "\nstderr: " << last_.process.err;
  std::size_t ok = 0;
  for (const std::string& text : lines) {
    const TsvRecord record(text);
    if (record["ok"] == "true") {
      ++ok;
      EXPECT_TRUE(real.count(std::atoi(record["line"].c_str()))) << text;
    } else if (record["error_stage"] != "input") {
      ADD_FAILURE() << "neither fetched nor an input error: " << text;
      break;
    }
  }
  EXPECT_EQ(ok, real.size());
  EXPECT_EQ(last_.process.exit_code, 1);
  if (!kSanitizedBuild) {
    EXPECT_LT(last_.process.peak_rss_kib, kMemoryBoundKib)
        << "peak RSS " << last_.process.peak_rss_kib << " KiB";
  }
  RecordProperty("elapsed_ms", static_cast<int>(last_.process.elapsed.count()));
  RecordProperty("peak_rss_kib", static_cast<int>(last_.process.peak_rss_kib));
}

}  // namespace
}  // namespace fetch::test
