// The benchmark summary document: valid against the published schema in every shape a run can
// give it, read back into the same statistics, refused with a reason when it is not one; and
// the schema validator the tests rely on, which must itself be able to fail.
#include "fetch/report/summary_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <variant>

#include "support/json_schema.hpp"

namespace fetch {
namespace {

namespace json = boost::json;
using stats::Metric;

stats::Observation observation(std::uint64_t line, std::string url, std::uint64_t pass,
                               std::uint64_t micros) {
  static std::vector<std::string> keep;  // Observations refer to their URL
  keep.push_back(std::move(url));
  stats::Observation o;
  o.line = line;
  o.url = keep.back();
  o.pass = pass;
  o.ok = true;
  o.status = 200;
  o.bytes = 1400;
  o.micros[static_cast<std::size_t>(Metric::total)] = micros;
  o.micros[static_cast<std::size_t>(Metric::ttfb)] = micros / 2;
  o.micros[static_cast<std::size_t>(Metric::service)] = micros - 3;
  if (pass == 0) {
    o.micros[static_cast<std::size_t>(Metric::tls)] = 700;
    o.micros[static_cast<std::size_t>(Metric::connect)] = 80;
    o.micros[static_cast<std::size_t>(Metric::resolve)] = 4;
  }
  return o;
}

stats::RunStats sample_stats(std::uint64_t scale = 1) {
  stats::RunStats s;
  for (std::uint64_t pass = 0; pass < 5; ++pass) {
    for (std::uint64_t line = 1; line <= 6; ++line) {
      s.add(observation(line, "https://h" + std::to_string(line % 2) + "/p|" + std::to_string(line),
                        pass, scale * (400 + 97 * line + 13 * pass)));
    }
    stats::Observation failed;
    failed.line = 7;
    failed.url = "http://refused/";
    failed.pass = pass;
    failed.error_stage = "connect";
    failed.error_code = "connect_refused";
    s.add(failed);
    s.add_dropped(1, "https://h1/p|1", pass);
    s.end_pass(pass, 0.05, pass != 4);
  }
  s.finish(0.25);
  return s;
}

Verdicts sample_verdicts(const stats::RunStats& stats) {
  Verdicts v;
  std::vector<stats::Threshold> thresholds;
  for (const char* e : {"total_ms:p(99)<250", "failed:rate<0.01", "tls_ms{line:3}:max<1",
                        "ttfb_ms{url:http://nowhere/}:p(50)<1", "rps>1"}) {
    thresholds.push_back(std::get<stats::Threshold>(stats::parse_threshold(e)));
  }
  v.thresholds = stats::check_thresholds(thresholds, stats);
  v.baseline = stats::compare_with_baseline(sample_stats(2), stats, {});
  v.baseline_file = "base.json";
  v.exit_status = 99;
  return v;
}

std::string schema_errors(const json::value& document) {
  std::string all;
  for (const std::string& error : test::validate_json(test::summary_schema(), document)) {
    all += error + "\n";
  }
  return all;
}

LoadedSummary read_back(const json::value& value) {
  auto loaded = summary_from_json(value);
  if (auto* reason = std::get_if<std::string>(&loaded)) {
    ADD_FAILURE() << *reason;
    return {};
  }
  return std::get<LoadedSummary>(std::move(loaded));
}

TEST(SummaryJson, AFullDocumentIsValidAgainstTheSchema) {
  const stats::RunStats stats = sample_stats();
  RunConfig config;
  config.inputs = {"urls.txt", "-"};
  config.runs = 5;
  config.duration_s = 2.5;
  config.rate_per_s = 100;
  config.open_model = true;
  config.shard = Shard{2, 4};
  const Verdicts verdicts = sample_verdicts(stats);
  const json::value document = summary_to_json({config, stats, verdicts});
  EXPECT_EQ(schema_errors(document), "");
  EXPECT_EQ(document.at("schema_version"), 1);
  EXPECT_EQ(document.at("latency").at("total_ms").at("count"), 30);
  EXPECT_TRUE(document.at("latency").at("total_ms").as_object().contains("p99_9"));
  EXPECT_EQ(document.at("verdict").at("thresholds"), "crossed");
  // The text form is the same document.
  EXPECT_EQ(schema_errors(json::parse(summary_text({config, stats, verdicts}))), "");
}

TEST(SummaryJson, AnEmptyRunIsValidToo) {
  stats::RunStats empty;
  empty.finish(0);
  const RunConfig config;
  const Verdicts verdicts;
  const json::value document = summary_to_json({config, empty, verdicts});
  EXPECT_EQ(schema_errors(document), "");
  EXPECT_TRUE(document.at("latency").at("total_ms").at("p50").is_null());
  EXPECT_TRUE(document.at("baseline").is_null());
}

TEST(SummaryJson, ReadsBackTheSameStatistics) {
  const stats::RunStats stats = sample_stats();
  RunConfig config;
  config.runs = 5;
  config.shard = Shard{3, 4};
  const Verdicts verdicts;
  const LoadedSummary loaded = read_back(json::parse(summary_text({config, stats, verdicts})));
  EXPECT_EQ(loaded.stats.totals(), stats.totals());
  for (Metric metric : stats::kMetrics)
    EXPECT_EQ(loaded.stats.latency(metric), stats.latency(metric));
  EXPECT_EQ(loaded.stats.urls(), stats.urls());
  EXPECT_EQ(loaded.stats.passes(), stats.passes());
  EXPECT_DOUBLE_EQ(loaded.stats.elapsed_s(), stats.elapsed_s());
  EXPECT_EQ(loaded.config.shard, config.shard);
  EXPECT_EQ(loaded.config.runs, 5u);
}

TEST(SummaryJson, RefusesWhatIsNotASummaryWithAReason) {
  const stats::RunStats stats = sample_stats();
  const RunConfig config;
  const Verdicts verdicts;
  const json::object good = summary_to_json({config, stats, verdicts}).as_object();
  const auto refusal = [](const json::value& v) {
    auto r = summary_from_json(v);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "accepted";
  };
  EXPECT_EQ(refusal(good), "accepted");
  EXPECT_NE(refusal(json::array{}).find("not a JSON object"), std::string::npos);
  json::object v = good;
  v.erase("schema_version");
  EXPECT_NE(refusal(v).find("schema_version"), std::string::npos);
  v = good;
  v["totals"].as_object()["ok"] = 1;
  EXPECT_NE(refusal(v).find("ok + failed"), std::string::npos);
  v = good;
  v["urls"].as_array()[0].as_object()["histograms"].as_object()["total_ms"].as_object()["count"] =
      99;
  EXPECT_NE(refusal(v).find("urls[0].histograms.total_ms: histogram:"), std::string::npos)
      << refusal(v);
  v = good;
  v["passes"].as_array()[0].as_object()["complete"] = "yes";
  EXPECT_NE(refusal(v).find("passes[0]"), std::string::npos) << refusal(v);
  v = good;
  v["totals"].as_object()["statuses"].as_object()["2xx"] = 1;
  EXPECT_NE(refusal(v).find("not an HTTP status"), std::string::npos) << refusal(v);
  // A later schema_version with more fields is still read.
  v = good;
  v["schema_version"] = 7;
  v["something_new"] = json::object{};
  EXPECT_EQ(refusal(v), "accepted");
}

TEST(JsonSchemaValidator, FindsWhatIsWrongAndWhere) {
  const json::value schema = json::parse(R"({
    "type": "object", "required": ["a", "b"], "additionalProperties": false,
    "properties": {
      "a": {"type": "integer", "minimum": 1},
      "b": {"type": "array", "items": {"$ref": "#/$defs/x"}, "maxItems": 2},
      "c": {"anyOf": [{"type": "null"}, {"type": "string", "pattern": "^[a-z]+$"}]},
      "d": {"type": "object", "propertyNames": {"enum": ["k"]}, "additionalProperties": {"const": 1}}
    },
    "$defs": {"x": {"enum": ["p", "q"]}}
  })");
  EXPECT_TRUE(test::validate_json(schema, json::parse(R"({"a":1,"b":["p"],"c":null,"d":{"k":1}})"))
                  .empty());
  const auto errors = test::validate_json(
      schema, json::parse(R"({"a":0.5,"b":["p","r","q"],"c":"A","d":{"j":2},"e":1})"));
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  for (const char* expected :
       {"/a: not of type integer", "/a: below the minimum", "/b: more than 2",
        "/b/1: \"r\" is not one of", "/c: anyOf not satisfied", "/d/j (name):", "/d/j: 2 is not 1",
        "/e: no value is allowed"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\n" << all;
  }
  EXPECT_FALSE(test::validate_json(schema, json::parse(R"({"a":1})")).empty());  // no "b"
  EXPECT_FALSE(test::validate_json(json::parse(R"({"format":"date"})"), json::value(1)).empty());
}

TEST(JsonSchemaValidator, TheSummarySchemaRejectsAnUndocumentedKey) {
  const stats::RunStats stats = sample_stats();
  const RunConfig config;
  const Verdicts verdicts;
  json::object document = summary_to_json({config, stats, verdicts}).as_object();
  document["urls"].as_array()[0].as_object()["undocumented"] = 1;
  EXPECT_NE(schema_errors(document).find("/urls/0/undocumented"), std::string::npos);
}

}  // namespace
}  // namespace fetch
