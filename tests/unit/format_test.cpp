// Output formats: TSV, JSON Lines, text, the summary line and human-readable sizes.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "fetch/report/formats.hpp"
#include "fetch/report/summary.hpp"

namespace fetch {
namespace {

Result ok_result() {
  Result r;
  r.line = 3;
  r.url = "https://example.com/";
  r.final_url = "https://example.com/";
  r.status = 200;
  r.content_length = 1256;
  r.bytes = 1256;
  r.decoded_bytes = 1256;
  r.reused_connection = true;
  r.timings = {1.5, 2.25, 10.125, 20.0, 45.6789};
  return r;
}

Result not_found_result() {
  Result r;
  r.line = 7;
  r.url = "http://example.com/missing";
  r.final_url = "http://example.com/missing";
  r.status = 404;
  r.bytes = 15;
  r.decoded_bytes = 15;
  r.timings = {0.25, 0.5, 0, 3.0, 4.0};
  return r;
}

Result error_result() {
  Result r;
  r.line = 12;
  r.url = "https://down.example/";
  r.final_url = "https://down.example/";
  r.timings = {0.75, 0, 0, 0, 1.0};
  r.error = FetchError{Stage::connect, errc::connect_refused, "Connection refused"};
  return r;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::string::size_type start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return fields;
}

// --- TSV -------------------------------------------------------------------------------------

TEST(FormatTsv, OkResult) {
  EXPECT_EQ(format_tsv(ok_result()),
            "3\thttps://example.com/\thttps://example.com/\ttrue\t200\t1256\t1256\t0\t45.679"
            "\t\t\t1.500\t2.250\t10.125\t20.000\ttrue\tfalse\t\t1256\t\t\t\t0\n");
}

TEST(FormatTsv, NotFoundIsNotOkAndHasNoContentLength) {
  EXPECT_EQ(format_tsv(not_found_result()),
            "7\thttp://example.com/missing\thttp://example.com/missing\tfalse\t404\t\t15\t0"
            "\t4.000\t\t\t0.250\t0.500\t0.000\t3.000\tfalse\tfalse\t\t15\t\t\t\t0\n");
}

TEST(FormatTsv, ErrorResult) {
  EXPECT_EQ(format_tsv(error_result()),
            "12\thttps://down.example/\thttps://down.example/\tfalse\t\t\t0\t0\t1.000"
            "\tconnect\tConnection refused\t0.750\t0.000\t0.000\t0.000\tfalse\tfalse"
            "\tconnect_refused\t0\t\t\t\t0\n");
}

TEST(FormatTsv, RedirectedResult) {
  Result r = ok_result();
  r.final_url = "https://www.example.com/";
  r.redirects = 2;
  const auto fields = split_tabs(format_tsv(r));
  ASSERT_EQ(fields.size(), 23u);
  EXPECT_EQ(fields[2], "https://www.example.com/");
  EXPECT_EQ(fields[7], "2");
}

TEST(FormatTsv, EscapesSeparatorsBackslashAndControlBytes) {
  Result r = error_result();
  r.url =
      "http://x/a\tb\nc\rd\\e\x01"
      "f\x7fg\x1b[31m";
  r.error->message = std::string("nul\0byte", 8) + "\tend\n";
  const auto fields = split_tabs(format_tsv(r));
  ASSERT_EQ(fields.size(), 23u);
  EXPECT_EQ(fields[1], "http://x/a\\tb\\nc\\rd\\\\e\\x01f\\x7fg\\x1b[31m");
  EXPECT_EQ(fields[10], "nul\\x00byte\\tend\\n");
}

TEST(FormatTsv, NonAsciiBytesPassUnchanged) {
  Result r = ok_result();
  r.url = "https://example.com/caf\xc3\xa9";
  EXPECT_EQ(split_tabs(format_tsv(r))[1], "https://example.com/caf\xc3\xa9");
}

TEST(FormatTsv, AlwaysOneLineWithEveryField) {
  std::vector<Result> results = {ok_result(), not_found_result(), error_result()};
  Result nasty = error_result();
  nasty.url = "\t\t\n\n\r\\";
  nasty.final_url = std::string(1, '\0') + "\t";
  nasty.error->message = "\n";
  results.push_back(nasty);
  Result empty;
  results.push_back(empty);
  for (const auto& r : results) {
    const std::string line = format_tsv(r);
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
    EXPECT_EQ(line.find('\r'), std::string::npos);
    EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), 22) << line;
  }
}

// --- JSON ------------------------------------------------------------------------------------

boost::json::object parse_line(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << ec.message() << ": " << line;
  EXPECT_TRUE(value.is_object());
  return value.is_object() ? value.get_object() : boost::json::object{};
}

TEST(FormatTsv, RetriesIsTheLastColumn) {
  Result r = ok_result();
  r.retries = 2;
  const auto fields = split_tabs(format_tsv(r));
  ASSERT_EQ(fields.size(), 23u);
  EXPECT_EQ(fields[22], "2\n");
}

TEST(FormatJson, KeysInContractOrder) {
  const auto object = parse_line(format_json(ok_result()));
  std::vector<std::string> keys;
  for (const auto& member : object) keys.emplace_back(member.key());
  const std::vector<std::string> expected = {
      "line",  "url",           "final_url",        "ok",           "status",   "content_length",
      "bytes", "redirects",     "elapsed_ms",       "timings",      "reused",   "downgraded",
      "error", "decoded_bytes", "content_encoding", "http_version", "saved_as", "retries"};
  EXPECT_EQ(keys, expected);

  std::vector<std::string> timing_keys;
  for (const auto& member : object.at("timings").as_object())
    timing_keys.emplace_back(member.key());
  EXPECT_EQ(timing_keys,
            (std::vector<std::string>{"resolve_ms", "connect_ms", "tls_ms", "ttfb_ms"}));
}

TEST(FormatJson, OkResultTypesAndValues) {
  const auto o = parse_line(format_json(ok_result()));
  ASSERT_TRUE(o.at("line").is_int64());
  EXPECT_EQ(o.at("line").as_int64(), 3);
  EXPECT_EQ(o.at("url").as_string(), "https://example.com/");
  EXPECT_EQ(o.at("final_url").as_string(), "https://example.com/");
  EXPECT_EQ(o.at("ok").as_bool(), true);
  EXPECT_EQ(o.at("status").as_int64(), 200);
  EXPECT_EQ(o.at("content_length").as_int64(), 1256);
  EXPECT_EQ(o.at("bytes").as_int64(), 1256);
  EXPECT_EQ(o.at("redirects").as_int64(), 0);
  ASSERT_TRUE(o.at("elapsed_ms").is_double());
  EXPECT_DOUBLE_EQ(o.at("elapsed_ms").as_double(), 45.679);
  const auto& t = o.at("timings").as_object();
  for (const char* key : {"resolve_ms", "connect_ms", "tls_ms", "ttfb_ms"}) {
    EXPECT_TRUE(t.at(key).is_double()) << key;
  }
  EXPECT_DOUBLE_EQ(t.at("resolve_ms").as_double(), 1.5);
  EXPECT_DOUBLE_EQ(t.at("connect_ms").as_double(), 2.25);
  EXPECT_DOUBLE_EQ(t.at("tls_ms").as_double(), 10.125);
  EXPECT_DOUBLE_EQ(t.at("ttfb_ms").as_double(), 20.0);
  EXPECT_EQ(o.at("reused").as_bool(), true);
  EXPECT_TRUE(o.at("error").is_null());
}

TEST(FormatJson, MillisecondsHaveThreeDecimalsNotExponents) {
  const std::string line = format_json(ok_result());
  EXPECT_NE(line.find("\"elapsed_ms\":45.679,"), std::string::npos) << line;
  EXPECT_NE(line.find("\"tls_ms\":10.125,"), std::string::npos) << line;
  EXPECT_NE(line.find("\"ttfb_ms\":20.000}"), std::string::npos) << line;
  EXPECT_EQ(line.find('E'), std::string::npos) << line;
}

TEST(FormatJson, NullStatusAndContentLengthWithErrorObject) {
  const auto o = parse_line(format_json(error_result()));
  EXPECT_EQ(o.at("ok").as_bool(), false);
  EXPECT_TRUE(o.at("status").is_null());
  EXPECT_TRUE(o.at("content_length").is_null());
  EXPECT_EQ(o.at("reused").as_bool(), false);
  ASSERT_TRUE(o.at("error").is_object());
  const auto& error = o.at("error").as_object();
  EXPECT_EQ(error.size(), 3u);
  EXPECT_EQ(error.at("stage").as_string(), "connect");
  EXPECT_EQ(error.at("message").as_string(), "Connection refused");
  EXPECT_EQ(error.at("code").as_string(), "connect_refused");
}

TEST(FormatJson, NotFoundIsNotOk) {
  const auto o = parse_line(format_json(not_found_result()));
  EXPECT_EQ(o.at("ok").as_bool(), false);
  EXPECT_EQ(o.at("status").as_int64(), 404);
  EXPECT_TRUE(o.at("content_length").is_null());
  EXPECT_TRUE(o.at("error").is_null());
}

TEST(FormatJson, InvalidUtf8BecomesReplacementCharacter) {
  Result r = error_result();
  r.url = "https://x/\xff\xfe";
  r.final_url = "https://x/\xc3";  // truncated two-byte sequence at the end
  r.error->message =
      "a\xc3(b"           // bad continuation
      "\xed\xa0\x80"      // UTF-16 surrogate
      "\xc0\xaf"          // overlong '/'
      "\xf0\x9f\x98"      // truncated emoji
      "\xf4\x90\x80\x80"  // above U+10FFFF
      "\x01\"\\";         // control, quote and backslash are JSON-escaped
  const auto o = parse_line(format_json(r));
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(o.at("url").as_string(), "https://x/" + fffd + fffd);
  EXPECT_EQ(o.at("final_url").as_string(), "https://x/" + fffd);
  EXPECT_EQ(o.at("error").as_object().at("message").as_string(),
            "a" + fffd + "(b" + fffd + fffd + fffd +  // ED A0 80: three maximal subparts
                fffd + fffd +                         // C0 AF
                fffd +                                // F0 9F 98
                fffd + fffd + fffd + fffd +           // F4 90 80 80
                "\x01\"\\");
}

TEST(FormatJson, ValidUtf8PassesUnchanged) {
  Result r = ok_result();
  r.url = "https://example.com/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80";
  const auto o = parse_line(format_json(r));
  EXPECT_EQ(o.at("url").as_string(), r.url);
}

TEST(FormatJson, RoundsToMicroseconds) {
  Result r = ok_result();
  r.timings.total_ms = 1234.56789;
  r.timings.resolve_ms = 0.0004;
  const auto o = parse_line(format_json(r));
  EXPECT_DOUBLE_EQ(o.at("elapsed_ms").as_double(), 1234.568);
  EXPECT_DOUBLE_EQ(o.at("timings").as_object().at("resolve_ms").as_double(), 0.0);
}

// --- text ------------------------------------------------------------------------------------

TEST(FormatText, PlainOkLine) {
  EXPECT_EQ(format_text(ok_result(), false), "200    1.2 KiB    46 ms  https://example.com/\n");
}

TEST(FormatText, SubMillisecondTimesReadZeroMs) {
  Result fast = ok_result();
  fast.timings.total_ms = 0.4;
  EXPECT_EQ(format_text(fast, false), "200    1.2 KiB     0 ms  https://example.com/\n");
}

TEST(FormatText, ColumnsAlignAcrossResults) {
  Result slow = not_found_result();
  slow.bytes = 123456789;
  slow.timings.total_ms = 12346.0;
  const std::string a = format_text(ok_result(), false);
  const std::string b = format_text(slow, false);
  EXPECT_EQ(b, "404  117.7 MiB  12.35 s  http://example.com/missing\n");
  EXPECT_EQ(a.find("https://"), b.find("http://"));
}

TEST(FormatText, RedirectsShowFinalUrlAndCount) {
  Result r = ok_result();
  r.final_url = "https://www.example.com/";
  r.redirects = 1;
  EXPECT_EQ(format_text(r, false),
            "200    1.2 KiB    46 ms  https://example.com/ -> https://www.example.com/ "
            "(1 redirect)\n");
  r.redirects = 3;
  EXPECT_NE(format_text(r, false).find(" -> https://www.example.com/ (3 redirects)\n"),
            std::string::npos);
}

TEST(FormatText, ErrorLine) {
  EXPECT_EQ(format_text(error_result(), false),
            "ERR        0 B     1 ms  https://down.example/  connect: Connection refused\n");
}

TEST(FormatText, NoEscapeBytesWithoutColour) {
  Result evil = error_result();
  evil.url = "https://x/\x1b[2J\x1b]0;title\x07";
  evil.error->message = "bad\x1b[31m\r\nline\xc2\x9b";
  for (const auto& r : {ok_result(), not_found_result(), error_result(), evil}) {
    const std::string line = format_text(r, false);
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  }
  const std::string line = format_text(evil, false);
  EXPECT_NE(line.find("https://x/\\x1b[2J\\x1b]0;title\\x07"), std::string::npos) << line;
  EXPECT_NE(line.find("bad\\x1b[31m\\r\\nline\\x9b"), std::string::npos) << line;
}

TEST(FormatText, ControlBytesEscapedEvenWithColour) {
  Result evil = ok_result();
  evil.url = "https://x/\x1b[2J";
  const std::string line = format_text(evil, true);
  EXPECT_NE(line.find("https://x/\\x1b[2J"), std::string::npos) << line;
  EXPECT_EQ(line.find("\x1b[2J"), std::string::npos) << line;
}

TEST(FormatText, StatusColours) {
  Result r = ok_result();
  EXPECT_EQ(format_text(r, true).rfind("\x1b[32m200\x1b[0m", 0), 0u);
  r.status = 301;
  EXPECT_EQ(format_text(r, true).rfind("\x1b[36m301\x1b[0m", 0), 0u);
  r.status = 404;
  EXPECT_EQ(format_text(r, true).rfind("\x1b[33m404\x1b[0m", 0), 0u);
  r.status = 503;
  EXPECT_EQ(format_text(r, true).rfind("\x1b[31m503\x1b[0m", 0), 0u);
  const std::string error = format_text(error_result(), true);
  EXPECT_EQ(error.rfind("\x1b[31mERR\x1b[0m", 0), 0u) << error;
  EXPECT_NE(error.find("\x1b[31mconnect: Connection refused\x1b[0m"), std::string::npos);
}

TEST(FormatText, ColourOnlyAddsEscapeSequences) {
  Result r = ok_result();
  r.final_url = "https://www.example.com/";
  r.redirects = 2;
  std::string coloured = format_text(r, true);
  EXPECT_NE(coloured.find("\x1b[2m"), std::string::npos);  // dim secondary info
  // Stripping the SGR sequences gives the plain line back.
  std::string stripped;
  for (std::size_t i = 0; i < coloured.size(); ++i) {
    if (coloured[i] == '\x1b') {
      i = coloured.find('m', i);
      continue;
    }
    stripped += coloured[i];
  }
  EXPECT_EQ(stripped, format_text(r, false));
}

TEST(FormatText, DurationUnits) {
  Result r = ok_result();
  r.timings.total_ms = 999.4;
  EXPECT_NE(format_text(r, false).find("  999 ms  "), std::string::npos);
  r.timings.total_ms = 999.6;
  EXPECT_NE(format_text(r, false).find("  1.00 s  "), std::string::npos);
  r.timings.total_ms = 1234.0;
  EXPECT_NE(format_text(r, false).find("  1.23 s  "), std::string::npos);
}

// --- sizes and summary -----------------------------------------------------------------------

TEST(HumanBytes, Boundaries) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1), "1 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(human_bytes(1024), "1.0 KiB");
  EXPECT_EQ(human_bytes(1433), "1.4 KiB");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(1024 * 1024 - 1), "1.0 MiB");  // not "1024.0 KiB"
  EXPECT_EQ(human_bytes(1024 * 1024), "1.0 MiB");
  EXPECT_EQ(human_bytes(3 * 1024 * 1024), "3.0 MiB");
  EXPECT_EQ(human_bytes(1024ull * 1024 * 1024 - 1), "1.0 GiB");
  EXPECT_EQ(human_bytes(1024ull * 1024 * 1024), "1.0 GiB");
  EXPECT_EQ(human_bytes(5ull * 1024 * 1024 * 1024 * 1024), "5120.0 GiB");
}

TEST(Summary, AddCountsOkFailedAndBytes) {
  Summary s;
  s.add(ok_result());
  s.add(not_found_result());
  s.add(error_result());
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.ok, 1u);
  EXPECT_EQ(s.failed, 2u);
  EXPECT_EQ(s.bytes, 1256u + 15u);
}

TEST(Summary, RequestsPerSecond) {
  Summary s;
  s.count = 10;
  EXPECT_EQ(s.requests_per_second(), 0.0);
  s.elapsed_s = 4;
  EXPECT_DOUBLE_EQ(s.requests_per_second(), 2.5);
}

TEST(FormatSummary, Line) {
  Summary s;
  s.count = 15;
  s.ok = 15;
  s.bytes = 2202010;
  s.elapsed_s = 0.83;
  EXPECT_EQ(format_summary(s), "15 URLs: 15 ok, 0 failed, 2.1 MiB in 0.83 s (18.1 req/s)\n");
  s.interrupted = true;
  EXPECT_EQ(format_summary(s),
            "15 URLs: 15 ok, 0 failed, 2.1 MiB in 0.83 s (18.1 req/s) (interrupted)\n");
}

TEST(FormatSummary, SingularAndEmpty) {
  Summary s;
  EXPECT_EQ(format_summary(s), "0 URLs: 0 ok, 0 failed, 0 B in 0.00 s (0.0 req/s)\n");
  s.count = 1;
  s.failed = 1;
  s.elapsed_s = 2;
  EXPECT_EQ(format_summary(s), "1 URL: 0 ok, 1 failed, 0 B in 2.00 s (0.5 req/s)\n");
}

// --- downgrade reporting ---------------------------------------------------------------------

TEST(FormatDecoding, EveryFormatReportsTheDecodedSizeAndTheCoding) {
  Result r = ok_result();
  r.bytes = 66 * 1024;
  r.decoded_bytes = 200 * 1024;
  r.content_encoding = "gzip";
  const auto fields = split_tabs(format_tsv(r));
  EXPECT_EQ(fields[6], "67584");
  EXPECT_EQ(fields[18], "204800");
  EXPECT_EQ(fields[19], "gzip");
  EXPECT_EQ(fields[22], "0\n");
  const auto o = parse_line(format_json(r));
  EXPECT_EQ(o.at("bytes").as_int64(), 67584);
  EXPECT_EQ(o.at("decoded_bytes").as_int64(), 204800);
  EXPECT_EQ(o.at("content_encoding").as_string(), "gzip");
  EXPECT_EQ(format_text(r, false),
            "200  200.0 KiB    46 ms  https://example.com/  (66.0 KiB gzip)\n");
  EXPECT_TRUE(parse_line(format_json(ok_result())).at("content_encoding").is_null());
}

TEST(FormatHttpVersion, IsAbsentWithoutAConnection) {
  Result r = ok_result();
  r.http_version = "2";
  EXPECT_EQ(split_tabs(format_tsv(r))[20], "2");
  EXPECT_EQ(parse_line(format_json(r)).at("http_version").as_string(), "2");
  EXPECT_EQ(split_tabs(format_tsv(error_result()))[20], "");
  EXPECT_TRUE(parse_line(format_json(error_result())).at("http_version").is_null());
}

TEST(FormatSavedAs, EveryFormatSaysWhereTheBodyWasSaved) {
  Result r = ok_result();
  EXPECT_EQ(split_tabs(format_tsv(r))[21], "");
  EXPECT_TRUE(parse_line(format_json(r)).at("saved_as").is_null());
  r.saved_as = "out/3-page\t.html";
  EXPECT_EQ(split_tabs(format_tsv(r))[21], "out/3-page\\t.html");
  EXPECT_EQ(parse_line(format_json(r)).at("saved_as").as_string(), "out/3-page\t.html");
}

TEST(FormatDowngrade, EveryFormatReportsAnHttpsToHttpRedirect) {
  Result r = ok_result();
  r.url = "https://example.com/";
  r.final_url = "http://example.com/";
  r.redirects = 1;
  r.downgraded = true;
  EXPECT_EQ(split_tabs(format_tsv(r))[16], "true");
  EXPECT_EQ(parse_line(format_json(r)).at("downgraded").as_bool(), true);
  EXPECT_NE(format_text(r, false).find("from https to http"), std::string::npos);
}

}  // namespace
}  // namespace fetch
