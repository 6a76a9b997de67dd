// The output contract: JSON Lines keys and types, TSV shape, stdout for data only, the
// summary on stderr.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common.hpp"
#include "support/net.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

namespace json = boost::json;

class OutputFormat : public ::testing::Test {
 protected:
  NginxServer nginx;
};

// Checks the keys and value types every JSON result must have.
void expect_json_shape(const json::value& value) {
  SCOPED_TRACE(json::serialize(value));
  ASSERT_TRUE(value.is_object());
  const json::object& object = value.as_object();
  for (std::string_view key : {"line", "url", "final_url", "ok", "status", "content_length",
                               "bytes", "redirects", "elapsed_ms", "timings", "reused", "error"}) {
    EXPECT_TRUE(object.contains(key)) << "missing key " << key;
  }
  if (!object.contains("timings") || !object.contains("error")) return;
  EXPECT_TRUE(object.at("line").is_number());
  EXPECT_TRUE(object.at("url").is_string());
  EXPECT_TRUE(object.at("final_url").is_string() || object.at("final_url").is_null());
  EXPECT_TRUE(object.at("ok").is_bool());
  EXPECT_TRUE(object.at("status").is_number() || object.at("status").is_null());
  EXPECT_TRUE(object.at("content_length").is_number() || object.at("content_length").is_null());
  EXPECT_TRUE(object.at("bytes").is_number());
  EXPECT_TRUE(object.at("redirects").is_number());
  EXPECT_TRUE(object.at("elapsed_ms").is_number());
  EXPECT_TRUE(object.at("reused").is_bool());
  ASSERT_TRUE(object.at("timings").is_object());
  for (std::string_view key : {"resolve_ms", "connect_ms", "tls_ms", "ttfb_ms"}) {
    ASSERT_TRUE(object.at("timings").as_object().contains(key)) << "missing timings." << key;
    EXPECT_TRUE(object.at("timings").at(key).is_number()) << key;
  }
  const json::value& error = object.at("error");
  ASSERT_TRUE(error.is_null() || error.is_object());
  if (error.is_object()) {
    ASSERT_TRUE(error.as_object().contains("stage"));
    ASSERT_TRUE(error.as_object().contains("message"));
    EXPECT_TRUE(error.at("stage").is_string());
    EXPECT_TRUE(error.at("message").is_string());
  }
}

const json::object* find_by_url(const std::vector<json::value>& values, const std::string& url) {
  for (const json::value& value : values) {
    if (value.is_object() && value.as_object().contains("url") &&
        value.at("url") == json::value(url)) {
      return &value.as_object();
    }
  }
  ADD_FAILURE() << "no JSON result for " << url;
  return nullptr;
}

TEST_F(OutputFormat, JsonLinesHaveEveryKey) {
  const std::string good = nginx.https_url("/small.txt");
  const std::string chunked = nginx.http_url("/chunked");
  const std::string missing = nginx.http_url("/missing.txt");
  const std::string refused = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  const ProcessResult result = run_fetch({"--format", "json", "--no-progress", "--cacert",
                                          ca_file(), good, chunked, missing, refused, "ftp://x"});
  const std::vector<json::value> values = parse_json_lines(result.out);
  ASSERT_EQ(values.size(), 5u) << describe(result);
  for (const json::value& value : values) expect_json_shape(value);

  if (const json::object* ok = find_by_url(values, good)) {
    EXPECT_EQ(ok->at("ok"), json::value(true));
    EXPECT_EQ(ok->at("status"), json::value(200));
    EXPECT_EQ(ok->at("bytes"), json::value(nginx.file_size("small.txt")));
    EXPECT_EQ(ok->at("content_length"), json::value(nginx.file_size("small.txt")));
    EXPECT_TRUE(ok->at("error").is_null());
    EXPECT_EQ(ok->at("final_url"), json::value(good));
  }
  if (const json::object* c = find_by_url(values, chunked)) {
    EXPECT_TRUE(c->at("content_length").is_null()) << json::serialize(*c);
    EXPECT_EQ(c->at("bytes"), json::value(nginx.chunked_body().size()));
  }
  if (const json::object* m = find_by_url(values, missing)) {
    EXPECT_EQ(m->at("ok"), json::value(false));
    EXPECT_EQ(m->at("status"), json::value(404));
  }
  if (const json::object* r = find_by_url(values, refused)) {
    EXPECT_EQ(r->at("ok"), json::value(false));
    EXPECT_TRUE(r->at("status").is_null());
    ASSERT_TRUE(r->at("error").is_object());
    EXPECT_EQ(r->at("error").at("stage"), json::value("connect"));
  }
  if (const json::object* bad = find_by_url(values, "ftp://x")) {
    ASSERT_TRUE(bad->at("error").is_object());
    EXPECT_EQ(bad->at("error").at("stage"), json::value("input"));
    EXPECT_EQ(bad->at("line"), json::value(5));
  }
  EXPECT_EQ(result.exit_code, 1);
}

TEST_F(OutputFormat, TsvHasSeventeenFieldsAndPlainBooleans) {
  const TsvRun run = fetch_tsv({nginx.http_url("/small.txt"), nginx.http_url("/missing.txt"),
                                "http://127.0.0.1:" + std::to_string(free_port()) + "/"});
  ASSERT_EQ(run.records.size(), 3u) << describe(run.process);
  for (const TsvRecord& record : run.records) {
    SCOPED_TRACE(record.text());
    EXPECT_TRUE(record.has_all_columns());
    EXPECT_TRUE(record["ok"] == "true" || record["ok"] == "false");
    EXPECT_TRUE(record["reused"] == "true" || record["reused"] == "false");
    EXPECT_TRUE(record["downgraded"] == "true" || record["downgraded"] == "false");
    EXPECT_TRUE(is_number(record["line"]));
    EXPECT_TRUE(is_number(record["bytes"]));
    EXPECT_TRUE(is_number(record["redirects"]));
  }
}

TEST_F(OutputFormat, StdoutHoldsOnlyResultsAndTheSummaryGoesToStderr) {
  const TsvRun run = fetch_tsv({nginx.http_url("/small.txt"), nginx.http_url("/page.html")});
  EXPECT_EQ(run.records.size(), 2u);
  for (const TsvRecord& record : run.records) EXPECT_TRUE(record.has_all_columns());
  EXPECT_NE(run.process.err, "") << "no summary on stderr";
  EXPECT_EQ(run.process.exit_code, 0);
}

TEST_F(OutputFormat, DefaultFormatForAPipeIsTsv) {
  const ProcessResult result = run_fetch({"--no-progress", nginx.http_url("/small.txt")});
  const std::vector<TsvRecord> records = parse_tsv(result.out);
  ASSERT_EQ(records.size(), 1u) << describe(result);
  EXPECT_EQ(records[0]["ok"], "true");
}

TEST_F(OutputFormat, QuietDropsTheSummary) {
  const TsvRun run = fetch_tsv({"-q", nginx.http_url("/small.txt")});
  EXPECT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.process.err, "");
  EXPECT_EQ(run.process.exit_code, 0);
}

TEST_F(OutputFormat, TextFormatWritesOneLinePerUrl) {
  const ProcessResult result =
      run_fetch({"--format", "text", "--no-progress", "--color", "never",
                 nginx.http_url("/small.txt"), nginx.http_url("/missing.txt")});
  EXPECT_EQ(split_lines(result.out).size(), 2u) << describe(result);
  EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << "colour despite --color never";
  EXPECT_EQ(result.exit_code, 1);
}

}  // namespace
}  // namespace fetch::test
