// The benchmark summary document, written as text in one pass over the statistics.
#include "fetch/report/summary_json.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "fetch/report/escape.hpp"
#include "json_writer.hpp"

namespace fetch {
namespace {

using stats::Metric;

constexpr std::array<std::pair<std::string_view, double>, 5> kPercentiles{
    {{"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}, {"p99_9", 0.999}}};

double rounded(double value, double scale) { return std::round(value * scale) / scale; }

// count, min, mean, stddev, p50 ... p99_9, max: null when nothing was timed.
template <class H>
void latency_block(JsonWriter& w, const H& h) {
  const bool any = h.count() > 0;
  const auto ms = [&](double micros) -> JsonWriter& { return any ? w.millis(micros) : w.null(); };
  w.object().key("count").value(h.count());
  w.key("min");
  ms(static_cast<double>(h.min()));
  w.key("mean");
  ms(h.mean());
  w.key("stddev");
  ms(h.stddev());
  for (const auto& [name, q] : kPercentiles) {
    w.key(name);
    ms(static_cast<double>(h.quantile(q)));
  }
  w.key("max");
  ms(static_cast<double>(h.max()));
  w.end();
}

template <class H>
void histogram(JsonWriter& w, const H& h, std::string& scratch) {
  scratch.clear();
  h.append_json(scratch);
  w.raw(scratch);
}

void count_map(JsonWriter& w, const stats::CountMap& counts) {
  w.object();
  for (const auto& [name, count] : counts) w.key(name).value(count);
  w.end();
}

// requests, ok, failed, dropped, bytes, failed_rate, statuses, errors: in totals and per URL.
void counts_fields(JsonWriter& w, const stats::Counts& c) {
  w.key("requests").value(c.requests).key("ok").value(c.ok).key("failed").value(c.failed);
  w.key("dropped").value(c.dropped).key("bytes").value(c.bytes);
  w.key("failed_rate").value(rounded(c.failed_rate(), 1e9));
  w.key("statuses").object();
  for (const auto& [status, count] : c.statuses) w.key(std::to_string(status)).value(count);
  w.end();
  w.key("errors").object().key("by_stage");
  count_map(w, c.errors_by_stage);
  w.key("by_code");
  count_map(w, c.errors_by_code);
  w.end();
}

void strings(JsonWriter& w, const std::vector<std::string>& values) {
  w.array(true);
  for (const std::string& value : values) w.value(valid_utf8(value));
  w.end();
}

void config_block(JsonWriter& w, const RunConfig& c) {
  w.object().key("inputs");
  strings(w, c.inputs);
  w.key("concurrency").value(c.concurrency).key("warmup").value(c.warmup);
  w.key("runs").value_or_null(c.runs);
  w.key("duration_s").value_or_null(c.duration_s);
  w.key("rate_per_s").value_or_null(c.rate_per_s);
  w.key("model").value(c.open_model ? "open" : "closed").key("cold").value(c.cold);
  w.key("shard");
  if (c.shard) {
    w.object().key("index").value(c.shard->index).key("count").value(c.shard->count).end();
  } else {
    w.null();
  }
  w.key("merged_from");
  strings(w, c.merged_from);
  w.end();
}

void pass_block(JsonWriter& w, const stats::PassStats& pass, std::string& scratch) {
  const bool any = pass.total.count() > 0;
  w.object(true).key("pass").value(pass.index + 1).key("complete").value(pass.complete);
  w.key("elapsed_s").value(rounded(pass.elapsed_s, 1e6));
  w.key("requests").value(pass.requests).key("ok").value(pass.ok);
  w.key("failed").value(pass.failed).key("dropped").value(pass.dropped);
  w.key("rps").value(
      pass.elapsed_s > 0 ? rounded(static_cast<double>(pass.requests) / pass.elapsed_s, 1e3) : 0.0);
  w.key("total_ms").object();
  for (const auto& [name, q] :
       {std::pair{"p50", 0.5}, std::pair{"p90", 0.9}, std::pair{"p99", 0.99}}) {
    w.key(name);
    if (any) {
      w.millis(static_cast<double>(pass.total.quantile(q)));
    } else {
      w.null();
    }
  }
  w.end().key("histogram");
  histogram(w, pass.total, scratch);
  w.end();
}

void url_block(JsonWriter& w, const stats::UrlStats& block, std::string& scratch) {
  const stats::UrlSummary url = block.summary();
  // One line per URL: 10 000 URLs are 10 000 lines, each greppable.
  w.object(true).key("line").value(block.line).key("url").value(valid_utf8(block.url));
  counts_fields(w, url.counts);
  // Only the metrics this URL timed: a URL on a warm connection has no connect phase.
  w.key("latency").object();
  for (Metric metric : stats::kMetrics) {
    const auto& h = url.latency[static_cast<std::size_t>(metric)];
    if (h.count() == 0) continue;
    w.key(stats::to_name(metric));
    latency_block(w, h);
  }
  w.end().key("histograms").object();
  for (Metric metric : stats::kMetrics) {
    const auto& h = url.latency[static_cast<std::size_t>(metric)];
    if (h.count() == 0) continue;
    w.key(stats::to_name(metric));
    histogram(w, h, scratch);
  }
  w.end().key("samples").object().key("stride").value(url.samples.stride());
  w.key("total_ms").array(true);
  for (const auto& [pass, micros] : url.samples.entries()) {
    w.array().value(pass + 1).millis(static_cast<double>(micros)).end();
  }
  w.end().end().end();
}

void url_ref(JsonWriter& w, const std::optional<stats::UrlKey>& scope) {
  if (!scope) {
    w.null();
    return;
  }
  w.object().key("line").value(scope->first).key("url").value(valid_utf8(scope->second)).end();
}

void threshold_block(JsonWriter& w, const stats::ThresholdOutcome& o) {
  const stats::Threshold& t = o.threshold;
  w.object().key("expression").value(valid_utf8(t.expression)).key("metric").value(t.metric);
  w.key("aggregation").value(stats::aggregation_text(t));
  w.key("comparator").value(stats::to_string(t.comparator)).key("limit").value(t.limit);
  w.key("selector");
  if (t.url) {
    w.object().key("url").value(valid_utf8(*t.url)).end();
  } else if (t.line) {
    w.object().key("line").value(*t.line).end();
  } else {
    w.null();
  }
  w.key("url");
  url_ref(w, o.scope);
  const auto or_null = [&](double v) -> JsonWriter& {
    return o.value ? w.value(rounded(v, 1e6)) : w.null();
  };
  w.key("value");
  or_null(o.value.value_or(0));
  w.key("margin");
  or_null(o.margin);
  w.key("passed").value(o.passed).end();
}

void comparison_block(JsonWriter& w, const stats::BaselineComparison& c) {
  w.object().key("url");
  url_ref(w, c.scope);
  w.key("base").object().key("median_ms").value(rounded(c.base_median_ms, 1e3));
  w.key("n").value(c.base_n).end();
  w.key("new").object().key("median_ms").value(rounded(c.candidate_median_ms, 1e3));
  w.key("n").value(c.candidate_n).end();
  w.key("alpha").value(c.alpha);
  if (!c.comparison) {
    w.key("verdict").value("not_compared").key("reason").value(c.not_compared);
    for (const char* key : {"ratio", "ratio_ci", "change_percent", "p_value", "confidence"}) {
      w.key(key).null();
    }
    w.key("warning").value(false).end();
    return;
  }
  const stats::Comparison& r = *c.comparison;
  w.key("verdict").value(stats::to_name(r.verdict)).key("reason").null();
  const auto& ratio = r.estimate.ratio;
  w.key("ratio");
  if (ratio) {
    w.value(rounded(ratio->estimate, 1e6)).key("ratio_ci").array(true);
    w.value(rounded(ratio->lower, 1e6)).value(rounded(ratio->upper, 1e6)).end();
  } else {
    w.null().key("ratio_ci").null();
  }
  w.key("change_percent").value(rounded(r.change_percent, 1e4));
  w.key("p_value").value(r.greater.p_value);
  w.key("confidence").value(rounded(r.estimate.confidence, 1e6));
  w.key("warning").value(c.inconclusive_slowdown()).end();
}

void baseline_block(JsonWriter& w, const Verdicts& v) {
  if (!v.baseline) {
    w.null();
    return;
  }
  const stats::BaselineReport& r = *v.baseline;
  w.object().key("file").value(valid_utf8(v.baseline_file));
  w.key("sample").value("total_ms per pass: the median overall, the URL's own per URL");
  w.key("alpha").value(r.settings.alpha);
  w.key("max_regression_percent").value(r.settings.max_regression_percent);
  w.key("fail_inconclusive").value(v.fail_inconclusive);
  w.key("regressions").value(r.regressions);
  w.key("inconclusive").value(r.inconclusive);
  w.key("url_warnings").value(r.url_warnings);
  w.key("comparisons").array();
  for (const auto& c : r.comparisons) comparison_block(w, c);
  w.end().end();
}

void verdict_block(JsonWriter& w, const Verdicts& v) {
  std::string_view thresholds = "none";
  if (!v.thresholds.empty()) {
    const bool crossed = std::any_of(v.thresholds.begin(), v.thresholds.end(),
                                     [](const auto& o) { return !o.passed; });
    thresholds = crossed ? "crossed" : "passed";
  }
  std::string_view baseline = "none";
  if (v.baseline) {
    baseline = v.baseline->regressions > 0 ? "regression"
               : v.baseline->inconclusive  ? "inconclusive"
                                           : "passed";
  }
  w.object().key("exit_status").value(v.exit_status).key("thresholds").value(thresholds);
  w.key("baseline").value(baseline).end();
}

void totals_block(JsonWriter& w, const stats::RunStats& stats) {
  w.object();
  counts_fields(w, stats.totals());
  w.key("passes").value(stats.passes().entries().size());
  w.key("elapsed_s").value(rounded(stats.elapsed_s(), 1e6));
  w.key("rps").value(rounded(stats.requests_per_second(), 1e3)).end();
}

}  // namespace

double to_ms(double micros) noexcept { return std::round(micros) / 1000.0; }

void write_summary(const SummaryDocument& document,
                   const std::function<void(std::string_view)>& sink) {
  constexpr std::size_t kPiece = 64 * 1024;
  const stats::RunStats& stats = document.stats;
  std::string out;
  out.reserve(kPiece + 4096);
  std::string scratch;
  JsonWriter w{out};
  w.object().key("schema_version").value(kSummarySchemaVersion);
  w.key("tool").object().key("name").value("fetch");
  w.key("version").value(document.config.version).end();
  w.key("config");
  config_block(w, document.config);
  w.key("interrupted").value(document.config.interrupted).key("totals");
  totals_block(w, stats);
  w.key("latency").object();
  for (Metric metric : stats::kMetrics) {
    w.key(stats::to_name(metric));
    latency_block(w, stats.latency(metric));
  }
  w.end().key("histograms").object();
  for (Metric metric : stats::kMetrics) {
    w.key(stats::to_name(metric));
    histogram(w, stats.latency(metric), scratch);
  }
  w.end().key("pass_stride").value(stats.passes().stride()).key("passes").array();
  for (const auto& [index, pass] : stats.passes().entries()) pass_block(w, pass, scratch);
  w.end().key("urls").array();
  for (const stats::UrlStats* url : stats.urls().by_line()) {
    url_block(w, *url, scratch);
    if (out.size() >= kPiece) {  // the writer keeps no position in `out`: it can be emptied
      sink(out);
      out.clear();
    }
  }
  w.end().key("thresholds").array();
  for (const auto& outcome : document.verdicts.thresholds) threshold_block(w, outcome);
  w.end().key("baseline");
  baseline_block(w, document.verdicts);
  w.key("verdict");
  verdict_block(w, document.verdicts);
  w.end();
  sink(out);
}

std::string summary_text(const SummaryDocument& document) {
  std::string text;
  write_summary(document, [&text](std::string_view piece) { text += piece; });
  return text;
}

boost::json::value summary_to_json(const SummaryDocument& document) {
  return boost::json::parse(summary_text(document));
}

}  // namespace fetch
