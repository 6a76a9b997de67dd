// Markdown and JUnit XML forms of the benchmark summary.
#include "fetch/report/bench_export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "fetch/report/bench_text.hpp"
#include "fetch/report/escape.hpp"

namespace fetch {
namespace {

using stats::Metric;

constexpr std::size_t kMaxUrlChars = 120;

// Text in a Markdown table cell: valid UTF-8, no line breaks, Markdown's punctuation escaped,
// cut to `limit` bytes (on a character boundary).
std::string md(std::string_view text, std::size_t limit = kMaxUrlChars) {
  std::string clean = valid_utf8(text);
  if (clean.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;
    clean = clean.substr(0, cut) + "…";
  }
  std::string out;
  for (char c : clean) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else if (std::string_view{"\\|*_[]<>`#~"}.find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string ms(double micros) { return fmt::format("{:.3f}", micros / 1000.0); }

std::string headline(const SummaryDocument& d) {
  const Verdicts& v = d.verdicts;
  const bool crossed = std::any_of(v.thresholds.begin(), v.thresholds.end(),
                                   [](const auto& o) { return !o.passed; });
  const bool regressed = v.baseline && v.baseline->regressions > 0;
  const bool warned = v.baseline && v.baseline->inconclusive;
  std::string verdict = "✅ passed";
  if (d.config.interrupted) verdict = "⚠️ interrupted";
  if (v.exit_status == 1) verdict = "❌ requests failed";
  if (warned) {
    verdict = v.fail_inconclusive ? "❌ inconclusive comparison" : "⚠️ inconclusive comparison";
  }
  if (regressed) verdict = "❌ regression";
  if (crossed) verdict = "❌ thresholds crossed";
  const stats::Counts& t = d.stats.totals();
  std::string out =
      fmt::format("## fetch benchmark: {} (exit status {})\n\n", verdict, v.exit_status);
  out += fmt::format(
      "{} requests in {} passes ({} warm-up not counted), {} ok, {} failed{}; {:.1f} req/s over "
      "{:.2f} s; {} model, -j {}{}.\n\n",
      t.requests, d.stats.passes().entries().size(), d.config.warmup, t.ok, t.failed,
      t.dropped > 0 ? fmt::format(", {} dropped", t.dropped) : "", d.stats.requests_per_second(),
      d.stats.elapsed_s(), d.config.open_model ? "open" : "closed", d.config.concurrency,
      d.config.shard ? fmt::format(", shard {}/{}", d.config.shard->index, d.config.shard->count)
      : d.config.merged_from.empty()
          ? ""
          : fmt::format(", merged from {} summaries", d.config.merged_from.size()));
  return out;
}

std::string latency_table(const stats::RunStats& stats) {
  std::string out =
      "### Latency (ms)\n\n| metric | count | min | p50 | p90 | p95 | p99 | p99.9 | max | mean | "
      "stddev |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (Metric metric : stats::kMetrics) {
    const stats::Histogram& h = stats.latency(metric);
    if (h.count() == 0) continue;
    out += fmt::format("| {} | {} | {} |", stats::to_name(metric), h.count(),
                       ms(static_cast<double>(h.min())));
    for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
      out += fmt::format(" {} |", ms(static_cast<double>(h.quantile(q))));
    }
    out += fmt::format(" {} | {} | {} |\n", ms(static_cast<double>(h.max())), ms(h.mean()),
                       ms(h.stddev()));
  }
  return out + "\n";
}

std::string thresholds_table(const std::vector<stats::ThresholdOutcome>& outcomes) {
  if (outcomes.empty()) return {};
  std::string out =
      "### Thresholds\n\n| | threshold | URL | value | margin |\n|---|---|---|--:|--:|\n";
  std::size_t rows = 0;
  for (const stats::ThresholdOutcome& o : outcomes) {
    if (++rows > kMaxMarkdownRows) {
      out += fmt::format("| | … {} more in the JSON summary | | | |\n",
                         outcomes.size() - kMaxMarkdownRows);
      break;
    }
    out += fmt::format("| {} | {} | {} | {} | {} |\n", o.passed ? "✅" : "❌",
                       md(o.threshold.expression), o.scope ? md(scope_text(o.scope)) : "",
                       o.value ? fmt::format("{:.6g}", *o.value) : "no data",
                       o.value ? fmt::format("{:.6g}", o.margin) : "");
  }
  return out + "\n";
}

std::string baseline_table(const Verdicts& v) {
  if (!v.baseline) return {};
  const stats::BaselineReport& r = *v.baseline;
  std::string out = fmt::format(
      "### Baseline `{}`\n\nSamples: total_ms per pass (overall the median of each pass). A "
      "regression is significant at alpha {} (per URL divided by the URLs compared) and slower "
      "by more than {}%.\n\n| verdict | scope | base median ms (n) | new median ms (n) | ratio "
      "[CI] | p |\n|---|---|--:|--:|---|--:|\n",
      md(v.baseline_file), r.settings.alpha, r.settings.max_regression_percent);
  std::size_t rows = 0;
  for (std::size_t i = 0; i < r.comparisons.size(); ++i) {
    const stats::BaselineComparison& c = r.comparisons[i];
    if (i > 0 && !c.regression()) continue;  // the URLs that are verdicts
    if (++rows > kMaxMarkdownRows) {
      out += "| … | more URLs in the JSON summary | | | | |\n";
      break;
    }
    std::string verdict = !c.comparison    ? "not compared"
                          : c.regression() ? "❌ regression"
                          : c.inconclusive_slowdown()
                              ? "⚠️ inconclusive"
                              : std::string{stats::to_name(c.comparison->verdict)};
    std::string ratio = c.not_compared;
    std::string p;
    if (c.comparison && c.comparison->estimate.ratio) {
      const auto& e = *c.comparison->estimate.ratio;
      ratio = fmt::format("{:.3f} [{:.3f}, {:.3f}]", e.estimate, e.lower, e.upper);
    }
    if (c.comparison) p = fmt::format("{:.2g}", c.comparison->greater.p_value);
    out += fmt::format("| {} | {} | {:.3f} ({}) | {:.3f} ({}) | {} | {} |\n", verdict,
                       md(scope_text(c.scope)), c.base_median_ms, c.base_n, c.candidate_median_ms,
                       c.candidate_n, md(ratio), p);
  }
  return out + fmt::format(
                   "\n{} regressions in {} comparisons; the whole run's is {}; {} URLs slower "
                   "without it being significant (not a verdict).\n\n",
                   r.regressions, r.comparisons.size(),
                   r.inconclusive ? "inconclusive" : "conclusive", r.url_warnings);
}

std::string slowest_urls(const stats::RunStats& stats) {
  // By median, untimed ones first (they failed); each URL's median computed once.
  std::vector<std::pair<std::uint64_t, const stats::UrlStats*>> urls;
  for (const stats::UrlStats* url : stats.urls().by_line()) {
    const stats::SparseHistogram total = url->histogram(stats::Metric::total);
    urls.emplace_back(total.count() == 0 ? UINT64_MAX : total.quantile(0.5), url);
  }
  if (urls.size() < 2) return {};
  const std::size_t shown = std::min(urls.size(), kMaxMarkdownRows);
  std::partial_sort(urls.begin(), urls.begin() + static_cast<std::ptrdiff_t>(shown), urls.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out = fmt::format(
      "### Slowest URLs ({} of {}, by median total_ms)\n\n| line | URL | requests | failed | p50 "
      "| p99 | max |\n|--:|---|--:|--:|--:|--:|--:|\n",
      shown, urls.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const stats::UrlStats& u = *urls[i].second;
    const stats::UrlSummary summary = u.summary();
    const auto& h = summary.histogram(stats::Metric::total);
    const bool any = h.count() > 0;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", u.line, md(u.url),
                       summary.counts.requests, summary.counts.failed,
                       any ? ms(static_cast<double>(h.quantile(0.5))) : "",
                       any ? ms(static_cast<double>(h.quantile(0.99))) : "",
                       any ? ms(static_cast<double>(h.max())) : "");
  }
  return out + "\n";
}

std::string errors_table(const stats::Counts& totals) {
  if (totals.errors_by_code.empty()) return {};
  std::string out = "### Errors\n\n| code | requests |\n|---|--:|\n";
  for (const auto& [code, count] : totals.errors_by_code)
    out += fmt::format("| {} | {} |\n", md(code), count);
  return out + "\n";
}

// Text for XML: valid UTF-8, the five entities, and no character XML 1.0 forbids.
std::string xml(std::string_view text) {
  std::string out;
  for (char c : valid_utf8(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

struct Case {
  std::string name;
  std::string failure;  // empty: passed
  std::string skipped;  // empty: ran
  std::string output;
};

std::string suite(std::string_view name, const std::vector<Case>& cases) {
  const auto failures =
      std::count_if(cases.begin(), cases.end(), [](const Case& c) { return !c.failure.empty(); });
  const auto skipped =
      std::count_if(cases.begin(), cases.end(), [](const Case& c) { return !c.skipped.empty(); });
  std::string out = fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n", name,
      cases.size(), failures, skipped);
  for (const Case& c : cases) {
    out +=
        fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"0\">\n", name, xml(c.name));
    if (!c.failure.empty()) {
      out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", xml(c.failure),
                         name, xml(c.output));
    } else if (!c.skipped.empty()) {
      out += fmt::format("      <skipped message=\"{}\"/>\n", xml(c.skipped));
    } else {
      out += fmt::format("      <system-out>{}</system-out>\n", xml(c.output));
    }
    out += "    </testcase>\n";
  }
  return out + "  </testsuite>\n";
}

}  // namespace

std::string summary_markdown(const SummaryDocument& document) {
  return headline(document) + latency_table(document.stats) +
         thresholds_table(document.verdicts.thresholds) + baseline_table(document.verdicts) +
         slowest_urls(document.stats) + errors_table(document.stats.totals());
}

std::string summary_junit(const SummaryDocument& document) {
  std::vector<Case> thresholds;
  for (const stats::ThresholdOutcome& o : document.verdicts.thresholds) {
    Case c;
    c.name = o.threshold.expression + (o.scope ? " (" + scope_text(o.scope) + ")" : "");
    c.output = o.value ? fmt::format("value {:.6g}, margin {:.6g}", *o.value, o.margin) : "no data";
    if (!o.passed) c.failure = "crossed: " + c.output;
    thresholds.push_back(std::move(c));
  }
  std::vector<Case> comparisons;
  if (document.verdicts.baseline) {
    for (const stats::BaselineComparison& b : document.verdicts.baseline->comparisons) {
      Case c;
      c.name = "total_ms " + scope_text(b.scope);
      std::string line =
          format_baseline_lines({document.verdicts.baseline->settings, {b}, 0, 0}, "", 0);
      c.output = line.substr(line.find('\n') + 1);
      if (!b.comparison) c.skipped = b.not_compared;
      if (b.regression()) c.failure = "regression";
      // Per URL, only regressions are verdicts (stats/baseline.hpp).
      if (b.inconclusive_slowdown() && !b.scope && document.verdicts.fail_inconclusive) {
        c.failure = "inconclusive";
      }
      comparisons.push_back(std::move(c));
    }
  }
  const std::size_t tests = thresholds.size() + comparisons.size();
  std::size_t failures = 0;
  for (const auto* cases : {&thresholds, &comparisons}) {
    failures += static_cast<std::size_t>(std::count_if(
        cases->begin(), cases->end(), [](const Case& c) { return !c.failure.empty(); }));
  }
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"fetch\" tests=\"{}\" "
      "failures=\"{}\">\n",
      tests, failures);
  if (!thresholds.empty()) out += suite("fetch.thresholds", thresholds);
  if (!comparisons.empty()) out += suite("fetch.baseline", comparisons);
  return out + "</testsuites>\n";
}

}  // namespace fetch
