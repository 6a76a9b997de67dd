// -w templates: the syntax, curl's variables, every field of the table by name, curl's exit
// codes.

#include "fetch/report/write_out.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "fetch/report/fields.hpp"
#include "fetch/report/formats.hpp"

namespace fetch {
namespace {

Result ok_result() {
  Result r;
  r.line = 3;
  r.url = "https://example.com/a";
  r.final_url = "https://www.example.com/a";
  r.status = 200;
  r.content_length = 1256;
  r.bytes = 1256;
  r.decoded_bytes = 1256;
  r.redirects = 1;
  r.timings = {1.5, 2.25, 10.125, 20.0, 45.6789, 40.0};
  return r;
}

Result error_result() {
  Result r;
  r.line = 12;
  r.url = "http://down.example/";
  r.final_url = r.url;
  r.timings = {0.75, 0, 0, 0, 1.0, 0};
  r.error = FetchError{Stage::connect, errc::connect_refused, "Connection refused"};
  return r;
}

std::string render(std::string_view format, const Result& result) {
  std::string error;
  const std::optional<WriteOut> compiled = WriteOut::compile(format, error);
  EXPECT_TRUE(compiled) << format << ": " << error;
  std::string out;
  if (compiled) compiled->render(out, result);
  return out;
}

std::string compile_error(std::string_view format) {
  std::string error;
  EXPECT_FALSE(WriteOut::compile(format, error)) << format;
  return error;
}

std::vector<std::string> split_tabs(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  std::vector<std::string> fields;
  std::string::size_type start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

// --- syntax ------------------------------------------------------------------------------------

TEST(WriteOutSyntax, LiteralsAndEscapes) {
  EXPECT_EQ(render("", ok_result()), "");
  EXPECT_EQ(render("plain text", ok_result()), "plain text");
  EXPECT_EQ(render("a\\tb\\nc\\rd\\\\e", ok_result()), "a\tb\nc\rd\\e");
  // Any other backslash stands for itself, as in curl.
  EXPECT_EQ(render("\\x\\", ok_result()), "\\x\\");
  EXPECT_EQ(render("100%% sure", ok_result()), "100% sure");
  // A % not followed by { or % is itself.
  EXPECT_EQ(render("50% off %", ok_result()), "50% off %");
  EXPECT_EQ(render("%{http_code}%{http_code}", ok_result()), "200200");
  EXPECT_EQ(render("[%{status}]\\n", ok_result()), "[200]\n");
}

TEST(WriteOutSyntax, UnknownAndUnterminatedVariablesAreErrors) {
  EXPECT_NE(compile_error("%{nope}").find("%{nope}"), std::string::npos);
  EXPECT_NE(compile_error("ok %{http_code} %{size_uploadx}").find("size_uploadx"),
            std::string::npos);
  EXPECT_NE(compile_error("%{}").find("%{}"), std::string::npos);
  EXPECT_NE(compile_error("%{url").find("without its"), std::string::npos);
  // Names are case-sensitive, as curl's are.
  compile_error("%{HTTP_CODE}");
}

// --- curl's variables --------------------------------------------------------------------------

TEST(WriteOutCurl, NamesTheRecordAsCurlDoes) {
  const Result r = ok_result();
  EXPECT_EQ(render("%{url}", r), "https://example.com/a");
  EXPECT_EQ(render("%{url_effective}", r), "https://www.example.com/a");
  EXPECT_EQ(render("%{http_code} %{response_code}", r), "200 200");
  EXPECT_EQ(render("%{size_download}", r), "1256");
  EXPECT_EQ(render("%{num_redirects}", r), "1");
  EXPECT_EQ(render("%{exitcode}", r), "0");
  EXPECT_EQ(render("[%{errormsg}]", r), "[]");
}

TEST(WriteOutCurl, TimesAreCumulativeSecondsWithSixDecimals) {
  const Result r = ok_result();  // resolve 1.5, connect 2.25, tls 10.125, head at 40, total 45.6789
  EXPECT_EQ(render("%{time_namelookup}", r), "0.001500");
  EXPECT_EQ(render("%{time_connect}", r), "0.003750");
  EXPECT_EQ(render("%{time_appconnect}", r), "0.013875");
  EXPECT_EQ(render("%{time_starttransfer}", r), "0.040000");
  EXPECT_EQ(render("%{time_total}", r), "0.045679");
  Result slow = r;
  slow.timings.total_ms = 123456.7894;
  EXPECT_EQ(render("%{time_total}", slow), "123.456789");
}

TEST(WriteOutCurl, AppconnectIsZeroWithoutAHandshake) {
  Result plain = ok_result();
  plain.timings.tls_ms = 0;
  EXPECT_EQ(render("%{time_appconnect}", plain), "0.000000");
  EXPECT_EQ(render("%{time_connect}", plain), "0.003750");
}

TEST(WriteOutCurl, NoResponse) {
  const Result r = error_result();
  EXPECT_EQ(render("%{http_code}", r), "000");
  EXPECT_EQ(render("%{errormsg}", r), "Connection refused");
  EXPECT_EQ(render("%{exitcode}", r), "7");
  EXPECT_EQ(render("%{time_starttransfer}", r), "0.000000");
  Result early = r;
  early.status = 42;  // cannot happen, but three digits whatever the number
  EXPECT_EQ(render("%{http_code}", early), "042");
}

TEST(WriteOutCurl, StatusOfFourHundredOrMoreFailsAsWithCurlFail) {
  Result r = ok_result();
  r.status = 404;
  EXPECT_EQ(render("%{http_code} %{exitcode} %{errormsg}", r),
            "404 22 The requested URL returned error: 404");
}

TEST(WriteOutCurl, JsonIsTheRecordWithoutItsNewline) {
  for (const Result& r : {ok_result(), error_result()}) {
    std::string json = format_json(r);
    json.pop_back();
    EXPECT_EQ(render("%{json}", r), json);
  }
}

TEST(WriteOutCurl, TextCannotBreakTheLine) {
  Result r = error_result();
  r.url = "http://x/a\tb\nc";
  r.error->message = "one\ntwo";
  EXPECT_EQ(render("%{url} %{errormsg}", r), "http://x/a\\tb\\nc one\\ntwo");
}

TEST(WriteOutCurl, NamesAreUniqueAndIncludeEveryField) {
  const std::vector<std::string_view> names = WriteOut::variable_names();
  EXPECT_EQ(std::set<std::string_view>(names.begin(), names.end()).size(), names.size());
  for (const Field& field : record_fields()) {
    EXPECT_NE(std::find(names.begin(), names.end(), field.name), names.end()) << field.name;
  }
  for (std::string_view curl : {"http_code", "time_total", "json", "exitcode"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), curl), names.end()) << curl;
  }
}

// --- every field of the table, by name ---------------------------------------------------------

class WriteOutField : public ::testing::TestWithParam<std::size_t> {};

TEST_P(WriteOutField, IsWrittenAsItsTsvColumn) {
  const Field& field = record_fields()[GetParam()];
  Result nasty = error_result();
  nasty.url = "http://x/\t\\";
  nasty.content_encoding = "br, gzip";
  for (const Result& r : {ok_result(), error_result(), nasty}) {
    const std::vector<std::string> columns = split_tabs(format_tsv(r));
    ASSERT_EQ(columns.size(), record_fields().size());
    // (url is also curl's name, for the same value.)
    EXPECT_EQ(render("%{" + std::string(field.name) + "}", r), columns[GetParam()]);
  }
}

INSTANTIATE_TEST_SUITE_P(Fields, WriteOutField,
                         ::testing::Range<std::size_t>(0, kRecordFields.size()),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                           return std::string(record_fields()[info.param].name);
                         });

// --- curl's exit codes -------------------------------------------------------------------------

TEST(CurlExitCode, FollowsCurlsNumbers) {
  struct Case {
    errc code;
    int expected;
  };
  const Case cases[] = {
      {errc::bad_url, 3},
      {errc::host_not_found, 6},
      {errc::resolve_failed, 6},
      {errc::connect_refused, 7},
      {errc::connect_failed, 7},
      {errc::bad_response, 8},
      {errc::body_truncated, 18},
      {errc::timeout_connect, 28},
      {errc::timeout_max_time, 28},
      {errc::tls_handshake_failed, 35},
      {errc::too_many_redirects, 47},
      {errc::redirect_loop, 47},
      {errc::empty_reply, 52},
      {errc::write_failed, 55},
      {errc::bad_body, 56},
      {errc::tls_verify_failed, 60},
      {errc::decode_corrupt, 61},
      {errc::body_too_large, 63},
      {errc::unsupported_redirect_scheme, 1},
  };
  for (const Case& c : cases) {
    Result r = error_result();
    r.error->code = c.code;
    EXPECT_EQ(curl_exit_code(r), c.expected) << to_name(c.code);
  }
  EXPECT_EQ(curl_exit_code(ok_result()), 0);
}

}  // namespace
}  // namespace fetch
