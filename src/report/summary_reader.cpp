// Reading a benchmark summary back (--merge, --baseline): every field checked for its type,
// every histogram for consistency, before any of it becomes statistics to merge or compare.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "fetch/report/summary_json.hpp"

namespace fetch {
namespace {

namespace json = boost::json;
using stats::Metric;

// Reads fields, remembering the first thing that is wrong (with where it is) and returning a
// harmless default after it, so that one check at the end covers every read.
class Reader {
 public:
  const std::string& error() const noexcept { return error_; }
  void fail(std::string_view path, std::string_view what) {
    if (error_.empty()) error_ = fmt::format("{}: {}", path, what);
  }

  const json::value* field(const json::object& object, std::string_view key,
                           std::string_view path) {
    const json::value* value = object.if_contains(key);
    if (!value) fail(path, fmt::format("no \"{}\"", key));
    return value;
  }
  const json::object& object(const json::object& parent, std::string_view key,
                             std::string_view path) {
    static const json::object empty;
    const json::value* value = field(parent, key, path);
    if (value && value->is_object()) return value->get_object();
    if (value) fail(path, fmt::format("\"{}\" is not an object", key));
    return empty;
  }
  const json::array& array(const json::object& parent, std::string_view key,
                           std::string_view path) {
    static const json::array empty;
    const json::value* value = field(parent, key, path);
    if (value && value->is_array()) return value->get_array();
    if (value) fail(path, fmt::format("\"{}\" is not an array", key));
    return empty;
  }
  std::uint64_t count(const json::value& value, std::string_view path) {
    if (value.is_uint64()) return value.get_uint64();
    if (value.is_int64() && value.get_int64() >= 0)
      return static_cast<std::uint64_t>(value.get_int64());
    fail(path, "not an unsigned integer");
    return 0;
  }
  std::uint64_t count(const json::object& parent, std::string_view key, std::string_view path) {
    const json::value* value = field(parent, key, path);
    return value ? count(*value, fmt::format("{}.{}", path, key)) : 0;
  }
  double number(const json::value& value, std::string_view path) {
    if (value.is_number()) return value.to_number<double>();
    fail(path, "not a number");
    return 0;
  }
  double number(const json::object& parent, std::string_view key, std::string_view path) {
    const json::value* value = field(parent, key, path);
    return value ? number(*value, fmt::format("{}.{}", path, key)) : 0;
  }
  bool boolean(const json::object& parent, std::string_view key, std::string_view path) {
    const json::value* value = field(parent, key, path);
    if (value && value->is_bool()) return value->get_bool();
    if (value) fail(path, fmt::format("\"{}\" is not true or false", key));
    return false;
  }
  std::string text(const json::value& value, std::string_view path) {
    if (value.is_string()) return std::string{value.get_string()};
    fail(path, "not a string");
    return {};
  }
  template <class H>
  H histogram(const json::value& value, std::string_view path) {
    auto read = H::from_json(value);
    if (auto* reason = std::get_if<std::string>(&read)) {
      fail(path, *reason);
      return H{};
    }
    return std::get<H>(std::move(read));
  }

 private:
  std::string error_;
};

stats::CountMap read_count_map(Reader& r, const json::object& object, std::string_view path) {
  stats::CountMap counts;
  for (const json::key_value_pair& field : object) {
    counts[std::string{field.key()}] =
        r.count(field.value(), fmt::format("{}.{}", path, field.key()));
  }
  return counts;
}

stats::Counts read_counts(Reader& r, const json::object& block, const std::string& path) {
  stats::Counts counts;
  counts.requests = r.count(block, "requests", path);
  counts.ok = r.count(block, "ok", path);
  counts.failed = r.count(block, "failed", path);
  counts.dropped = r.count(block, "dropped", path);
  counts.bytes = r.count(block, "bytes", path);
  if (counts.ok + counts.failed != counts.requests) r.fail(path, "ok + failed is not requests");
  for (const json::key_value_pair& field : r.object(block, "statuses", path)) {
    unsigned status = 0;
    const std::string_view key = field.key();
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), status);
    if (ec != std::errc{} || end != key.data() + key.size() || status < 100 || status > 999) {
      r.fail(path + ".statuses", fmt::format("\"{}\" is not an HTTP status", key));
    }
    counts.statuses[status] = r.count(field.value(), path + ".statuses");
  }
  const json::object& errors = r.object(block, "errors", path);
  counts.errors_by_stage = read_count_map(r, r.object(errors, "by_stage", path + ".errors"), path);
  counts.errors_by_code = read_count_map(r, r.object(errors, "by_code", path + ".errors"), path);
  return counts;
}

RunConfig read_config(Reader& r, const json::object& root) {
  RunConfig config;
  const json::object& block = r.object(root, "config", "summary");
  const std::string path = "config";
  if (const json::value* tool = root.if_contains("tool"); tool && tool->is_object()) {
    if (const json::value* version = tool->get_object().if_contains("version")) {
      config.version = r.text(*version, "tool.version");
    }
  }
  for (const json::value& input : r.array(block, "inputs", path)) {
    config.inputs.push_back(r.text(input, path + ".inputs"));
  }
  config.concurrency = static_cast<unsigned>(r.count(block, "concurrency", path));
  config.warmup = static_cast<unsigned>(r.count(block, "warmup", path));
  if (const json::value* runs = r.field(block, "runs", path); runs && !runs->is_null()) {
    config.runs = r.count(*runs, path + ".runs");
  }
  for (auto [key, out] :
       {std::pair{"duration_s", &config.duration_s}, std::pair{"rate_per_s", &config.rate_per_s}}) {
    const json::value* value = r.field(block, key, path);
    if (value && !value->is_null()) *out = r.number(*value, path + "." + key);
  }
  if (const json::value* model = r.field(block, "model", path)) {
    config.open_model = r.text(*model, path + ".model") == "open";
  }
  config.cold = r.boolean(block, "cold", path);
  if (const json::value* shard = r.field(block, "shard", path); shard && !shard->is_null()) {
    const json::object* object = shard->if_object();
    if (!object) {
      r.fail(path, "\"shard\" is not an object or null");
    } else {
      config.shard = Shard{static_cast<unsigned>(r.count(*object, "index", path + ".shard")),
                           static_cast<unsigned>(r.count(*object, "count", path + ".shard"))};
    }
  }
  for (const json::value& file : r.array(block, "merged_from", path)) {
    config.merged_from.push_back(r.text(file, path + ".merged_from"));
  }
  config.interrupted = r.boolean(root, "interrupted", "summary");
  return config;
}

void read_passes(Reader& r, const json::object& root, stats::RunStats& stats) {
  auto& passes = stats.mutable_passes();
  passes.set_stride(r.count(root, "pass_stride", "summary"));
  std::uint64_t previous = 0;
  for (const json::value& element : r.array(root, "passes", "summary")) {
    const std::string path = fmt::format("passes[{}]", passes.entries().size());
    const json::object* block = element.if_object();
    if (!block) {
      r.fail(path, "not an object");
      return;
    }
    stats::PassStats pass;
    const std::uint64_t number = r.count(*block, "pass", path);
    if (number <= previous) r.fail(path, "passes are not in increasing order from 1");
    previous = number;
    pass.index = number - 1;
    pass.complete = r.boolean(*block, "complete", path);
    pass.elapsed_s = r.number(*block, "elapsed_s", path);
    pass.requests = r.count(*block, "requests", path);
    pass.ok = r.count(*block, "ok", path);
    pass.failed = r.count(*block, "failed", path);
    pass.dropped = r.count(*block, "dropped", path);
    if (const json::value* histogram = r.field(*block, "histogram", path)) {
      pass.total = r.histogram<stats::SparseHistogram>(*histogram, path + ".histogram");
    }
    passes.entries().emplace_back(pass.index, std::move(pass));
  }
}

void read_url(Reader& r, const json::object& block, const std::string& path,
              stats::RunStats& stats) {
  const std::uint64_t line = r.count(block, "line", path);
  std::string text;
  if (const json::value* value = r.field(block, "url", path)) text = r.text(*value, path + ".url");
  if (stats.find_url(line, text)) {
    r.fail(path, "a second block for the same line and URL");
    return;
  }
  stats::UrlSummary& url = stats.mutable_urls().entry(line, text).folded();
  url.counts = read_counts(r, block, path);
  for (const json::key_value_pair& field : r.object(block, "histograms", path)) {
    const std::optional<Metric> metric = stats::metric_named(field.key());
    if (!metric) continue;  // a metric added later
    url.latency[static_cast<std::size_t>(*metric)] = r.histogram<stats::SparseHistogram>(
        field.value(), fmt::format("{}.histograms.{}", path, field.key()));
  }
  const json::object& samples = r.object(block, "samples", path);
  url.samples.set_stride(r.count(samples, "stride", path + ".samples"));
  for (const json::value& pair : r.array(samples, "total_ms", path + ".samples")) {
    const json::array* entry = pair.if_array();
    if (!entry || entry->size() != 2) {
      r.fail(path + ".samples", "a sample is not a [pass, ms] pair");
      break;
    }
    const std::uint64_t pass = r.count((*entry)[0], path + ".samples");
    const double ms = r.number((*entry)[1], path + ".samples");
    if (pass == 0 || !(ms >= 0)) r.fail(path + ".samples", "a sample is out of range");
    url.samples.entries().emplace_back(pass - 1,
                                       static_cast<std::uint64_t>(std::llround(ms * 1000)));
  }
}

stats::RunStats read_stats(Reader& r, const json::object& root) {
  stats::RunStats stats;
  const json::object& totals = r.object(root, "totals", "summary");
  stats.mutable_totals() = read_counts(r, totals, "totals");
  stats.set_elapsed(r.number(totals, "elapsed_s", "totals"));
  const json::object& histograms = r.object(root, "histograms", "summary");
  for (Metric metric : stats::kMetrics) {
    const std::string_view name = stats::to_name(metric);
    if (const json::value* histogram = histograms.if_contains(name)) {
      stats.mutable_latency(metric) =
          r.histogram<stats::Histogram>(*histogram, fmt::format("histograms.{}", name));
    }
  }
  read_passes(r, root, stats);
  std::size_t index = 0;
  for (const json::value& element : r.array(root, "urls", "summary")) {
    const std::string path = fmt::format("urls[{}]", index++);
    if (const json::object* block = element.if_object()) {
      read_url(r, *block, path, stats);
    } else {
      r.fail(path, "not an object");
    }
    if (!r.error().empty()) break;
  }
  return stats;
}

}  // namespace

std::variant<LoadedSummary, std::string> summary_from_json(const json::value& value) {
  const json::object* root = value.if_object();
  if (!root) return std::string{"not a JSON object"};
  const json::value* version = root->if_contains("schema_version");
  if (!version || !version->is_int64() || version->get_int64() < 1) {
    return std::string{"no \"schema_version\": not a fetch summary (--export-json)"};
  }
  Reader r;
  LoadedSummary loaded{read_config(r, *root), read_stats(r, *root)};
  if (!r.error().empty()) return r.error();
  return loaded;
}

std::variant<LoadedSummary, std::string> read_summary_file(const std::string& path) {
  const int fd = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fmt::format("{}: {}", path, std::strerror(errno));
  std::string text;
  char buffer[65536];
  int read_error = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      read_error = errno;  // EISDIR for a directory, EIO
      break;
    }
  }
  ::close(fd);
  if (read_error != 0) return fmt::format("{}: {}", path, std::strerror(read_error));
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  if (ec) return fmt::format("{}: not JSON ({})", path, ec.message());
  auto loaded = summary_from_json(value);
  if (auto* reason = std::get_if<std::string>(&loaded)) return fmt::format("{}: {}", path, *reason);
  return loaded;
}

}  // namespace fetch
