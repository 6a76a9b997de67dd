#pragma once
// The benchmark summary for CI pages: Markdown (--export-markdown, and GitHub's step summary)
// and JUnit XML (--export-junit: GitLab, Jenkins and others render one test case per check).

#include <string>

#include "fetch/report/summary_json.hpp"

namespace fetch {

// A GitHub-flavoured Markdown report: the verdict, totals, the latency table, thresholds,
// baseline comparisons, the slowest URLs and the errors. Bounded whatever the run (at most
// kMaxMarkdownRows rows per table, URLs cut to 120 characters), so that it stays far below
// GitHub's 1 MiB limit for a step summary and is never truncated by it.
std::string summary_markdown(const SummaryDocument& document);
inline constexpr std::size_t kMaxMarkdownRows = 50;

// JUnit XML: a test suite "fetch.thresholds" with a test case per threshold outcome (a
// <failure> when crossed), and "fetch.baseline" with one per comparison (a <failure> for a
// regression, and for an inconclusive slowdown with --fail-inconclusive; <skipped> when it
// could not be compared). Valid XML 1.0 whatever the URLs hold.
std::string summary_junit(const SummaryDocument& document);

}  // namespace fetch
