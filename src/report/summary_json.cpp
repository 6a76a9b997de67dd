// The benchmark summary document: from a run's statistics and verdicts to JSON, and its text.
#include "fetch/report/summary_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <iterator>

#include "fetch/report/escape.hpp"

namespace fetch {
namespace {

namespace json = boost::json;
using stats::Metric;

constexpr std::array<std::pair<std::string_view, double>, 5> kPercentiles{
    {{"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}, {"p99_9", 0.999}}};

double rounded(double value, double scale) { return std::round(value * scale) / scale; }

json::value ms_or_null(bool present, double micros) {
  return present ? json::value(to_ms(micros)) : json::value(nullptr);
}

// count, min, mean, stddev, p50 ... p99_9, max: null when nothing was timed.
template <class H>
json::object latency_block(const H& histogram) {
  const bool any = histogram.count() > 0;
  json::object block{{"count", histogram.count()},
                     {"min", ms_or_null(any, static_cast<double>(histogram.min()))},
                     {"mean", ms_or_null(any, histogram.mean())},
                     {"stddev", ms_or_null(any, histogram.stddev())}};
  for (const auto& [key, q] : kPercentiles) {
    block[key] = ms_or_null(any, static_cast<double>(histogram.quantile(q)));
  }
  block["max"] = ms_or_null(any, static_cast<double>(histogram.max()));
  return block;
}

json::object count_map(const stats::CountMap& counts) {
  json::object out;
  for (const auto& [name, count] : counts) out[name] = count;
  return out;
}

// requests, ok, failed, dropped, bytes, statuses, errors: the same in totals and per URL.
json::object counts_block(const stats::Counts& counts) {
  json::object statuses;
  for (const auto& [status, count] : counts.statuses) statuses[std::to_string(status)] = count;
  return json::object{
      {"requests", counts.requests},
      {"ok", counts.ok},
      {"failed", counts.failed},
      {"dropped", counts.dropped},
      {"bytes", counts.bytes},
      {"failed_rate", rounded(counts.failed_rate(), 1e9)},
      {"statuses", std::move(statuses)},
      {"errors", json::object{{"by_stage", count_map(counts.errors_by_stage)},
                              {"by_code", count_map(counts.errors_by_code)}}},
  };
}

json::object config_block(const RunConfig& config) {
  const auto optional_number = [](const auto& value) {
    return value ? json::value(*value) : json::value(nullptr);
  };
  json::array inputs;
  for (const std::string& input : config.inputs) inputs.push_back(json::string(valid_utf8(input)));
  json::array merged;
  for (const std::string& file : config.merged_from)
    merged.push_back(json::string(valid_utf8(file)));
  return json::object{
      {"inputs", std::move(inputs)},
      {"concurrency", config.concurrency},
      {"warmup", config.warmup},
      {"runs", optional_number(config.runs)},
      {"duration_s", optional_number(config.duration_s)},
      {"rate_per_s", optional_number(config.rate_per_s)},
      {"model", config.open_model ? "open" : "closed"},
      {"cold", config.cold},
      {"shard", config.shard ? json::value(json::object{{"index", config.shard->index},
                                                        {"count", config.shard->count}})
                             : json::value(nullptr)},
      {"merged_from", std::move(merged)},
  };
}

json::object pass_block(const stats::PassStats& pass) {
  const bool any = pass.total.count() > 0;
  return json::object{
      {"pass", pass.index + 1},
      {"complete", pass.complete},
      {"elapsed_s", rounded(pass.elapsed_s, 1e6)},
      {"requests", pass.requests},
      {"ok", pass.ok},
      {"failed", pass.failed},
      {"dropped", pass.dropped},
      {"rps", pass.elapsed_s > 0 ? rounded(static_cast<double>(pass.requests) / pass.elapsed_s, 1e3)
                                 : 0.0},
      {"total_ms",
       json::object{{"p50", ms_or_null(any, static_cast<double>(pass.total.quantile(0.5)))},
                    {"p90", ms_or_null(any, static_cast<double>(pass.total.quantile(0.9)))},
                    {"p99", ms_or_null(any, static_cast<double>(pass.total.quantile(0.99)))}}},
      {"histogram", pass.total.to_json()},
  };
}

json::object url_block(const stats::UrlStats& url) {
  json::object block{{"line", url.line}, {"url", valid_utf8(url.url)}};
  for (const json::key_value_pair& field : counts_block(url.counts)) {
    block[field.key()] = field.value();
  }
  json::object latency;
  json::object histograms;
  for (Metric metric : stats::kMetrics) {
    const auto& histogram = url.latency[static_cast<std::size_t>(metric)];
    if (histogram.count() == 0) continue;  // phases a URL never went through
    latency[stats::to_name(metric)] = latency_block(histogram);
    histograms[stats::to_name(metric)] = histogram.to_json();
  }
  json::array samples;
  for (const auto& [pass, micros] : url.samples.entries()) {
    samples.push_back(json::array{pass + 1, to_ms(static_cast<double>(micros))});
  }
  block["latency"] = std::move(latency);
  block["histograms"] = std::move(histograms);
  block["samples"] =
      json::object{{"stride", url.samples.stride()}, {"total_ms", std::move(samples)}};
  return block;
}

json::value url_of(const std::optional<stats::UrlKey>& scope) {
  if (!scope) return nullptr;
  return json::object{{"line", scope->first}, {"url", valid_utf8(scope->second)}};
}

json::array thresholds_block(const std::vector<stats::ThresholdOutcome>& outcomes) {
  json::array out;
  for (const stats::ThresholdOutcome& o : outcomes) {
    const stats::Threshold& t = o.threshold;
    json::value selector = nullptr;
    if (t.url) selector = json::object{{"url", valid_utf8(*t.url)}};
    if (t.line) selector = json::object{{"line", *t.line}};
    out.push_back(json::object{
        {"expression", valid_utf8(t.expression)},
        {"metric", t.metric},
        {"aggregation", stats::aggregation_text(t)},
        {"comparator", stats::to_string(t.comparator)},
        {"limit", t.limit},
        {"selector", std::move(selector)},
        {"url", url_of(o.scope)},
        {"value", o.value ? json::value(rounded(*o.value, 1e6)) : json::value(nullptr)},
        {"margin", o.value ? json::value(rounded(o.margin, 1e6)) : json::value(nullptr)},
        {"passed", o.passed},
    });
  }
  return out;
}

json::object comparison_block(const stats::BaselineComparison& c) {
  json::object block{
      {"url", url_of(c.scope)},
      {"base", json::object{{"median_ms", rounded(c.base_median_ms, 1e3)}, {"n", c.base_n}}},
      {"new",
       json::object{{"median_ms", rounded(c.candidate_median_ms, 1e3)}, {"n", c.candidate_n}}},
      {"alpha", c.alpha},
  };
  if (!c.comparison) {
    block["verdict"] = "not_compared";
    block["reason"] = c.not_compared;
    for (const char* key : {"ratio", "ratio_ci", "change_percent", "p_value", "confidence"}) {
      block[key] = nullptr;
    }
    block["warning"] = false;
    return block;
  }
  const stats::Comparison& r = *c.comparison;
  block["verdict"] = stats::to_name(r.verdict);
  block["reason"] = nullptr;
  const auto& ratio = r.estimate.ratio;
  block["ratio"] = ratio ? json::value(rounded(ratio->estimate, 1e6)) : json::value(nullptr);
  block["ratio_ci"] =
      ratio ? json::value(json::array{rounded(ratio->lower, 1e6), rounded(ratio->upper, 1e6)})
            : json::value(nullptr);
  block["change_percent"] = rounded(r.change_percent, 1e4);
  block["p_value"] = r.greater.p_value;
  block["confidence"] = rounded(r.estimate.confidence, 1e6);
  block["warning"] = c.inconclusive_slowdown();
  return block;
}

json::value baseline_block(const Verdicts& verdicts) {
  if (!verdicts.baseline) return nullptr;
  const stats::BaselineReport& report = *verdicts.baseline;
  json::array comparisons;
  for (const auto& c : report.comparisons) comparisons.push_back(comparison_block(c));
  return json::object{
      {"file", valid_utf8(verdicts.baseline_file)},
      {"sample", "total_ms per pass: the median overall, the URL's own per URL"},
      {"alpha", report.settings.alpha},
      {"max_regression_percent", report.settings.max_regression_percent},
      {"fail_inconclusive", verdicts.fail_inconclusive},
      {"regressions", report.regressions},
      {"inconclusive_slowdowns", report.inconclusive_slowdowns},
      {"comparisons", std::move(comparisons)},
  };
}

json::object verdict_block(const Verdicts& verdicts) {
  std::string_view thresholds = "none";
  if (!verdicts.thresholds.empty()) {
    const bool crossed = std::any_of(verdicts.thresholds.begin(), verdicts.thresholds.end(),
                                     [](const auto& o) { return !o.passed; });
    thresholds = crossed ? "crossed" : "passed";
  }
  std::string_view baseline = "none";
  if (verdicts.baseline) {
    baseline = verdicts.baseline->regressions > 0              ? "regression"
               : verdicts.baseline->inconclusive_slowdowns > 0 ? "inconclusive"
                                                               : "passed";
  }
  return json::object{
      {"exit_status", verdicts.exit_status}, {"thresholds", thresholds}, {"baseline", baseline}};
}

bool is_scalar(const json::value& value) { return !value.is_object() && !value.is_array(); }

// Arrays of numbers, and of short arrays of them (histogram buckets, samples), stay on one line.
bool inline_array(const json::array& array) {
  return std::all_of(array.begin(), array.end(), [](const json::value& element) {
    if (is_scalar(element)) return true;
    const json::array* inner = element.if_array();
    return inner && std::all_of(inner->begin(), inner->end(), is_scalar);
  });
}

void write_scalar(const json::value& value, std::string& out) {
  if (value.is_double()) {
    // The shortest text that reads back as the same double: 0.512, not 5.12E-1.
    fmt::format_to(std::back_inserter(out), "{}", value.get_double());
  } else {
    out += json::serialize(value);
  }
}

void write_compact(const json::value& value, std::string& out) {
  if (const json::array* array = value.if_array()) {
    out += '[';
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (i > 0) out += ',';
      write_compact((*array)[i], out);
    }
    out += ']';
    return;
  }
  write_scalar(value, out);
}

void write_pretty(const json::value& value, std::string& out, std::size_t indent) {
  const std::string inner(indent + 2, ' ');
  if (const json::object* object = value.if_object()) {
    if (object->empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const json::key_value_pair& field : *object) {
      if (!first) out += ",\n";
      first = false;
      out += inner;
      out += json::serialize(json::value(field.key()));
      out += ": ";
      write_pretty(field.value(), out, indent + 2);
    }
    out += '\n' + std::string(indent, ' ') + '}';
    return;
  }
  if (const json::array* array = value.if_array()) {
    if (array->empty() || inline_array(*array)) {
      write_compact(value, out);
      return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (i > 0) out += ",\n";
      out += inner;
      write_pretty((*array)[i], out, indent + 2);
    }
    out += '\n' + std::string(indent, ' ') + ']';
    return;
  }
  write_scalar(value, out);
}

}  // namespace

std::string summary_text(const SummaryDocument& document) {
  std::string out;
  write_pretty(summary_to_json(document), out, 0);
  out += '\n';
  return out;
}

double to_ms(double micros) noexcept { return std::round(micros) / 1000.0; }

json::value summary_to_json(const SummaryDocument& document) {
  const stats::RunStats& stats = document.stats;
  json::object totals = counts_block(stats.totals());
  totals["passes"] = stats.passes().entries().size();
  totals["elapsed_s"] = rounded(stats.elapsed_s(), 1e6);
  totals["rps"] = rounded(stats.requests_per_second(), 1e3);
  json::object latency;
  json::object histograms;
  for (Metric metric : stats::kMetrics) {
    latency[stats::to_name(metric)] = latency_block(stats.latency(metric));
    histograms[stats::to_name(metric)] = stats.latency(metric).to_json();
  }
  json::array passes;
  for (const auto& [index, pass] : stats.passes().entries()) passes.push_back(pass_block(pass));
  json::array urls;
  for (const auto& [key, url] : stats.urls()) urls.push_back(url_block(url));
  return json::object{
      {"schema_version", kSummarySchemaVersion},
      {"tool", json::object{{"name", "fetch"}, {"version", document.config.version}}},
      {"config", config_block(document.config)},
      {"interrupted", document.config.interrupted},
      {"totals", std::move(totals)},
      {"latency", std::move(latency)},
      {"histograms", std::move(histograms)},
      {"pass_stride", stats.passes().stride()},
      {"passes", std::move(passes)},
      {"urls", std::move(urls)},
      {"thresholds", thresholds_block(document.verdicts.thresholds)},
      {"baseline", baseline_block(document.verdicts)},
      {"verdict", verdict_block(document.verdicts)},
  };
}

}  // namespace fetch
