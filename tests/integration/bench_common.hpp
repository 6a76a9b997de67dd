#pragma once
// Shared by the benchmark tests: a scratch directory, fetch run without the CI environment
// (so that a test run under GitHub Actions never writes into the real step summary), and
// summaries read back and validated against the published schema.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common.hpp"
#include "support/json_schema.hpp"

namespace fetch::test {

// A fresh directory under the system's temp directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fetch-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(std::string_view name) const { return (path_ / name).string(); }
  // Writes `text` to `name` and returns its path.
  std::string write(std::string_view name, std::string_view text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `env`, given as NAME=VALUE (empty: none), then fetch with `args`: the CI variables fetch
// reacts to are removed first, and only set by a test that means to.
inline ProcessResult run_bench(const std::vector<std::string>& args, std::string stdin_text = {},
                               const std::vector<std::string>& env = {},
                               std::chrono::milliseconds timeout = 30s) {
  std::vector<std::string> argv{"/usr/bin/env", "-u", "GITHUB_ACTIONS", "-u",
                                "GITHUB_STEP_SUMMARY"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(fetch_binary());
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess child(argv);
  child.set_stdin(std::move(stdin_text));
  ProcessResult result = child.wait(timeout);
  EXPECT_FALSE(result.timed_out) << describe(result);
  return result;
}

// Parses `text` as a summary and checks it against include/fetch/report/summary.schema.json.
inline boost::json::value valid_summary(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "not JSON: " << ec.message() << "\n" << text.substr(0, 2000);
  if (ec) return nullptr;
  for (const std::string& error : validate_json(summary_schema(), document)) {
    ADD_FAILURE() << "schema: " << error;
  }
  return document;
}

inline boost::json::value summary_file(const std::string& path) {
  return valid_summary(read_text(path));
}

inline std::uint64_t number(const boost::json::value& value) {
  return value.to_number<std::uint64_t>();
}

inline double real(const boost::json::value& value) { return value.to_number<double>(); }

// `count` distinct URLs "<base>?<tag>-<n>", one per line.
inline std::string url_list(const std::string& base, std::string_view tag, int count) {
  std::string list;
  for (int n = 0; n < count; ++n) {
    list += base + "?" + std::string(tag) + "-" + std::to_string(n) + "\n";
  }
  return list;
}

}  // namespace fetch::test
