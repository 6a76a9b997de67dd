// Scale-out: --shard K/N splits a list by origin, --merge combines the shards' summaries
// exactly (the merged histograms are the shards' added bucket by bucket), with thresholds and
// baselines applied to the merged result; and the README's recipes run here: four shards
// under GNU parallel (locally, and through its --sshlogin machinery with the local login
// ":"), and a Kubernetes Indexed Job's index arithmetic in a shell.
#include <algorithm>
#include <set>

#include "bench_common.hpp"
#include "fetch/stats/histogram.hpp"
#include "support/misbehaving_server.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

namespace json = boost::json;

class BenchScale : public ::testing::Test {
 protected:
  BenchScale() {
    // Eight origins: nginx's plain and TLS listeners on two addresses and a name, its two
    // other TLS ports, and the misbehaving server.
    std::vector<std::string> bases{nginx.http_url(""),
                                   nginx.http_url_v6(""),
                                   nginx.https_url(""),
                                   nginx.https_url_v6(""),
                                   nginx.https_url_localhost(""),
                                   nginx.https_url_at(nginx.tls12_only_port(), ""),
                                   nginx.https_url_at(nginx.no_resumption_port(), ""),
                                   server.url("")};
    std::string list;
    for (std::size_t i = 0; i < bases.size(); ++i) {
      for (int n = 0; n < 3; ++n) {
        list += bases[i] + (i + 1 == bases.size() ? "/slow?ms=1&n=" : "/small.txt?n=") +
                std::to_string(n) + "\n";
      }
    }
    list += "not a url\n";
    urls = dir.write("urls.txt", list);
  }

  std::vector<std::string> shard_args(unsigned k) const {
    return {"-q",
            "--cacert",
            ca_file(),
            "--runs",
            "2",
            "--shard",
            std::to_string(k) + "/4",
            "--export-json",
            dir.file("shard-" + std::to_string(k) + ".json"),
            urls};
  }

  std::vector<json::value> shard_summaries() const {
    std::vector<json::value> docs;
    for (unsigned k = 1; k <= 4; ++k)
      docs.push_back(summary_file(dir.file("shard-" + std::to_string(k) + ".json")));
    return docs;
  }

  // The merged document against its shards: totals summed, histograms added bucket by
  // bucket, every URL once, percentiles between the shards'.
  void expect_exact_merge(const json::value& merged, const std::vector<json::value>& shards) const {
    std::uint64_t requests = 0, failed = 0, urls_seen = 0;
    stats::Histogram total;
    std::set<std::uint64_t> lines;
    std::vector<double> p50s, p99s, maxes;
    for (const json::value& shard : shards) {
      requests += number(shard.at("totals").at("requests"));
      failed += number(shard.at("totals").at("failed"));
      total.merge(std::get<stats::Histogram>(
          stats::Histogram::from_json(shard.at("histograms").at("total_ms"))));
      for (const json::value& url : shard.at("urls").as_array()) {
        EXPECT_TRUE(lines.insert(number(url.at("line"))).second) << "a line in two shards";
        ++urls_seen;
      }
      const json::value& latency = shard.at("latency").at("total_ms");
      if (number(latency.at("count")) == 0) continue;
      p50s.push_back(real(latency.at("p50")));
      p99s.push_back(real(latency.at("p99")));
      maxes.push_back(real(latency.at("max")));
    }
    EXPECT_EQ(requests, 25u * 2) << "every line of the list, in two passes";
    EXPECT_EQ(number(merged.at("totals").at("requests")), requests);
    EXPECT_EQ(number(merged.at("totals").at("failed")), failed);
    EXPECT_EQ(number(merged.at("totals").at("errors").at("by_code").at("bad_url")), 2u);
    EXPECT_EQ(merged.at("urls").as_array().size(), urls_seen);
    EXPECT_EQ(json::serialize(merged.at("histograms").at("total_ms")),
              json::serialize(total.to_json()));
    const json::value& latency = merged.at("latency").at("total_ms");
    ASSERT_FALSE(p50s.empty());
    EXPECT_GE(real(latency.at("p50")), *std::min_element(p50s.begin(), p50s.end()));
    EXPECT_LE(real(latency.at("p50")), *std::max_element(p50s.begin(), p50s.end()));
    EXPECT_GE(real(latency.at("p99")), *std::min_element(p99s.begin(), p99s.end()));
    EXPECT_LE(real(latency.at("p99")), *std::max_element(p99s.begin(), p99s.end()));
    EXPECT_DOUBLE_EQ(real(latency.at("max")), *std::max_element(maxes.begin(), maxes.end()));
    EXPECT_EQ(merged.at("passes").as_array().size(), 2u);
    EXPECT_EQ(merged.at("config").at("merged_from").as_array().size(), 4u);
    EXPECT_TRUE(merged.at("config").at("shard").is_null());
  }

  NginxServer nginx;
  MisbehavingServer server;
  ScratchDir dir;
  std::string urls;
};

TEST_F(BenchScale, ShardsSplitByOriginAndMergeExactly) {
  for (unsigned k = 1; k <= 4; ++k) {
    const ProcessResult run = run_bench(shard_args(k));
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << describe(run);  // shard 1: bad_url
  }
  const std::vector<json::value> shards = shard_summaries();
  // Every URL of an origin is in one shard.
  std::map<std::string, std::set<std::uint64_t>> shards_of_origin;
  for (std::size_t k = 0; k < shards.size(); ++k) {
    EXPECT_EQ(number(shards[k].at("config").at("shard").at("index")), k + 1);
    for (const json::value& url : shards[k].at("urls").as_array()) {
      std::string text{url.at("url").as_string()};
      shards_of_origin[text.substr(0, text.find('/', text.find("//") + 2))].insert(k);
    }
  }
  for (const auto& [origin, in] : shards_of_origin) EXPECT_EQ(in.size(), 1u) << origin;

  std::vector<std::string> merge{"--merge"};
  for (unsigned k = 1; k <= 4; ++k)
    merge.push_back(dir.file("shard-" + std::to_string(k) + ".json"));
  std::vector<std::string> args = merge;
  args.insert(args.end(), {"-q", "--export-json", dir.file("merged.json")});
  const ProcessResult merged = run_bench(args);
  EXPECT_EQ(merged.exit_code, 1) << describe(merged) << "the bad line failed";
  expect_exact_merge(summary_file(dir.file("merged.json")), shards);

  // Thresholds and baselines apply to the merged result.
  args = merge;
  args.insert(args.end(),
              {"-q", "--threshold", "failed:count<=2", "--threshold", "requests:count==50"});
  EXPECT_EQ(run_bench(args).exit_code, 0)
      << "two bad lines are allowed, and all 50 requests are there";
  args.push_back("--threshold");
  args.push_back("requests:count>50");
  EXPECT_EQ(run_bench(args).exit_code, 99);
  args = merge;
  args.insert(args.end(),
              {"-q", "--threshold", "failed:count<=2", "--baseline", dir.file("merged.json")});
  const ProcessResult compared = run_bench(args);
  EXPECT_NE(compared.exit_code, 98) << describe(compared) << "a merge is no slower than itself";
}

TEST_F(BenchScale, IncompleteOrMixedShardsAreRefused) {
  for (unsigned k : {1u, 2u, 4u}) run_bench(shard_args(k));
  const ProcessResult missing = run_bench(
      {"--merge", dir.file("shard-1.json"), dir.file("shard-2.json"), dir.file("shard-4.json")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing shard 3/4"), std::string::npos) << missing.err;
  const ProcessResult twice =
      run_bench({"--merge", dir.file("shard-1.json"), dir.file("shard-1.json")});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("shard 1/4 is given twice"), std::string::npos) << twice.err;
  const ProcessResult garbage = run_bench({"--merge", dir.write("g.json", "[]")});
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_NE(garbage.err.find("not a JSON object"), std::string::npos) << garbage.err;
}

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string{"'\\''"} : std::string{c};
  return out + "'";
}

// The README's GNU parallel recipe: the four shards side by side, then the merge.
TEST_F(BenchScale, FourShardsUnderGnuParallelMergeToTheWholeList) {
  for (const std::string sshlogin : {"", "4/:"}) {
    for (unsigned k = 1; k <= 4; ++k)
      std::filesystem::remove(dir.file("shard-" + std::to_string(k) + ".json"));
    std::vector<std::string> argv{
        "/usr/bin/env", "-u",   "GITHUB_ACTIONS", "/usr/bin/parallel", "--will-cite", "-j", "4",
        "--halt",       "never"};
    if (!sshlogin.empty()) argv.insert(argv.end(), {"--sshlogin", sshlogin});
    argv.insert(argv.end(),
                {fetch_binary(), "-q", "--cacert", ca_file(), "--runs", "2", "--shard", "{}/4",
                 "--export-json", dir.file("shard-{}.json"), urls, ":::", "1", "2", "3", "4"});
    ChildProcess child(argv);
    const ProcessResult run = child.wait(60s);
    ASSERT_FALSE(run.timed_out) << describe(run);
    EXPECT_LE(run.exit_code, 1) << describe(run) << "parallel exits with the number of failed jobs";
    const ProcessResult merged = run_bench(
        {"--merge", dir.file("shard-1.json"), dir.file("shard-2.json"), dir.file("shard-3.json"),
         dir.file("shard-4.json"), "-q", "--export-json", dir.file("merged.json")});
    EXPECT_EQ(merged.exit_code, 1) << describe(merged);
    expect_exact_merge(summary_file(dir.file("merged.json")), shard_summaries());
  }
}

// The README's Kubernetes Indexed Job: each pod runs --shard $((JOB_COMPLETION_INDEX+1))/N.
TEST_F(BenchScale, TheIndexedJobArithmeticCoversEveryShard) {
  for (int index = 0; index < 4; ++index) {
    const std::string script =
        shell_quote(fetch_binary()) + " -q --cacert " + shell_quote(ca_file()) +
        " --runs 2 --shard $((JOB_COMPLETION_INDEX+1))/4 --export-json " +
        shell_quote(dir.file("shard-")) + "$((JOB_COMPLETION_INDEX+1)).json " + shell_quote(urls);
    ChildProcess child({"/usr/bin/env", "-u", "GITHUB_ACTIONS",
                        "JOB_COMPLETION_INDEX=" + std::to_string(index), "/bin/sh", "-c", script});
    const ProcessResult run = child.wait(30s);
    EXPECT_LE(run.exit_code, 1) << describe(run);
  }
  const ProcessResult merged = run_bench(
      {"--merge", dir.file("shard-1.json"), dir.file("shard-2.json"), dir.file("shard-3.json"),
       dir.file("shard-4.json"), "-q", "--export-json", dir.file("merged.json")});
  EXPECT_EQ(merged.exit_code, 1) << describe(merged);
  expect_exact_merge(summary_file(dir.file("merged.json")), shard_summaries());
}

}  // namespace
}  // namespace fetch::test
