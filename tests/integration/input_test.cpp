// Where URLs come from (files, '-', stdin without arguments), how lines are numbered, what
// invalid lines produce, and the exit statuses.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common.hpp"
#include "support/net.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

// A file that is removed when the test ends.
class TempFile {
 public:
  explicit TempFile(std::string_view content) {
    std::string pattern = (std::filesystem::temp_directory_path() / "fetch-input-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd >= 0) ::close(fd);
    path_ = pattern;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

class Input : public ::testing::Test {
 protected:
  // Lines 1 and 7 are good; 2, 5 and 6 are invalid; 3 and 4 are skipped; 7 has spaces and
  // a CRLF ending.
  std::string mixed_list() const {
    return nginx.http_url("/small.txt?line-1") + "\n" +               // 1
           "ftp://x\n" +                                              // 2
           "\n" +                                                     // 3
           "# a comment\n" +                                          // 4
           "not a url\n" +                                            // 5
           "http://\n" +                                              // 6
           "  \t" + nginx.http_url("/small.txt?line-7") + " \t\r\n";  // 7
  }

  void expect_mixed_results(const TsvRun& run) {
    SCOPED_TRACE(describe(run.process));
    ASSERT_EQ(run.records.size(), 5u);
    std::map<std::string, const TsvRecord*> by_line;
    for (const TsvRecord& record : run.records) by_line[record["line"]] = &record;
    ASSERT_EQ(by_line.size(), 5u) << "line numbers are not distinct";
    for (std::string line : {"1", "7"}) {
      ASSERT_TRUE(by_line.count(line)) << "line " << line;
      EXPECT_EQ(by_line[line]->operator[]("ok"), "true") << by_line[line]->text();
      EXPECT_EQ(by_line[line]->operator[]("url"), nginx.http_url("/small.txt?line-" + line));
    }
    for (std::string line : {"2", "5", "6"}) {
      ASSERT_TRUE(by_line.count(line)) << "line " << line;
      EXPECT_EQ(by_line[line]->operator[]("ok"), "false") << by_line[line]->text();
      EXPECT_EQ(by_line[line]->operator[]("error_stage"), "input") << by_line[line]->text();
      EXPECT_NE(by_line[line]->operator[]("error_message"), "") << by_line[line]->text();
    }
    EXPECT_EQ(run.process.exit_code, 1);
  }

  NginxServer nginx;
};

TEST_F(Input, FileWithInvalidSkippedAndPaddedLines) {
  TempFile list(mixed_list());
  expect_mixed_results(fetch_tsv({list.path()}));
}

TEST_F(Input, DashReadsStandardInput) { expect_mixed_results(fetch_tsv({"-"}, mixed_list())); }

TEST_F(Input, NoInputsReadsStandardInput) { expect_mixed_results(fetch_tsv({}, mixed_list())); }

TEST_F(Input, LastLineWithoutNewline) {
  const TsvRun run = fetch_tsv({}, "# list\n" + nginx.http_url("/small.txt"));
  ASSERT_EQ(run.records.size(), 1u) << describe(run.process);
  EXPECT_EQ(run.records[0]["line"], "2");
  EXPECT_EQ(run.records[0]["ok"], "true");
  EXPECT_EQ(run.process.exit_code, 0);
}

TEST_F(Input, UrlArgumentsNeedNoFile) {
  const TsvRun run = fetch_tsv({nginx.http_url("/small.txt"), nginx.http_url("/page.html")});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  EXPECT_EQ(run.process.exit_code, 0);
  std::set<std::string> urls;
  for (const TsvRecord& record : run.records) urls.insert(record["url"]);
  EXPECT_EQ(urls,
            (std::set<std::string>{nginx.http_url("/small.txt"), nginx.http_url("/page.html")}));
}

TEST_F(Input, FilesArgumentsAndStdinTogether) {
  TempFile list("# from a file\n" + nginx.http_url("/small.txt?from=file") + "\n");
  const TsvRun run = fetch_tsv({list.path(), nginx.http_url("/small.txt?from=argument"), "-"},
                               nginx.http_url("/small.txt?from=stdin") + "\n");
  ASSERT_EQ(run.records.size(), 3u) << describe(run.process);
  const TsvRecord* file = find_record(run.records, "url", nginx.http_url("/small.txt?from=file"));
  ASSERT_TRUE(file);
  EXPECT_EQ((*file)["line"], "2");
  EXPECT_TRUE(find_record(run.records, "url", nginx.http_url("/small.txt?from=argument")));
  EXPECT_TRUE(find_record(run.records, "url", nginx.http_url("/small.txt?from=stdin")));
  EXPECT_EQ(run.process.exit_code, 0);
}

TEST_F(Input, EmptyInputIsNotAnError) {
  const TsvRun run = fetch_tsv({}, "# nothing to do\n\n");
  EXPECT_TRUE(run.records.empty()) << describe(run.process);
  EXPECT_EQ(run.process.exit_code, 0) << describe(run.process);
}

TEST_F(Input, EveryLineGetsExactlyOneResult) {
  // 200 lines of four kinds, fetched 16 at a time: every line number appears once, with the
  // outcome of its kind.
  const std::string refused = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  std::string list;
  for (int line = 1; line <= 200; ++line) {
    switch (line % 4) {
      case 0:
        list += nginx.http_url("/small.txt?n=" + std::to_string(line));
        break;
      case 1:
        list += nginx.http_url("/missing.txt?n=" + std::to_string(line));
        break;
      case 2:
        list += refused;
        break;
      case 3:
        list += "not a url " + std::to_string(line);
        break;
    }
    list += '\n';
  }
  const TsvRun run = fetch_tsv({"-j", "16"}, list);
  ASSERT_EQ(run.records.size(), 200u) << describe(run.process);
  std::set<int> seen;
  for (const TsvRecord& record : run.records) {
    SCOPED_TRACE(record.text());
    const int line = std::atoi(record["line"].c_str());
    EXPECT_TRUE(seen.insert(line).second) << "line " << line << " reported twice";
    switch (line % 4) {
      case 0:
        EXPECT_EQ(record["ok"], "true");
        break;
      case 1:
        EXPECT_EQ(record["status"], "404");
        break;
      case 2:
        EXPECT_EQ(record["error_stage"], "connect");
        break;
      case 3:
        EXPECT_EQ(record["error_stage"], "input");
        break;
    }
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_EQ(*seen.rbegin(), 200);
  EXPECT_EQ(run.process.exit_code, 1);
}

TEST(ExitStatus, AllOkIsZero) {
  NginxServer nginx;
  const TsvRun run =
      fetch_tsv({nginx.http_url("/small.txt"), nginx.http_url("/redirect/absolute")});
  EXPECT_EQ(run.records.size(), 2u);
  EXPECT_EQ(run.process.exit_code, 0) << describe(run.process);
}

TEST(ExitStatus, AnyFailureIsOne) {
  NginxServer nginx;
  const TsvRun run = fetch_tsv({nginx.http_url("/small.txt"), nginx.http_url("/missing.txt")});
  EXPECT_EQ(run.records.size(), 2u);
  EXPECT_EQ(run.process.exit_code, 1) << describe(run.process);
}

TEST(ExitStatus, MissingInputFileIsAUsageError) {
  const ProcessResult result = run_fetch({"--format", "tsv", "/nonexistent/fetch-test-urls.txt"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err, "") << "the error must be explained on stderr";
}

TEST(ExitStatus, DirectoryAsInputFileIsAUsageError) {
  const ProcessResult result =
      run_fetch({"--format", "tsv", std::filesystem::temp_directory_path().string()});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err, "");
}

TEST(ExitStatus, UnknownOptionIsAUsageError) {
  const ProcessResult result = run_fetch({"--no-such-option", "http://127.0.0.1:1/"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err, "");
}

TEST(ExitStatus, BadOptionValueIsAUsageError) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"-j", "many"}, std::vector<std::string>{"-j", "0"},
        std::vector<std::string>{"--max-time", "soon"}}) {
    args.push_back("http://127.0.0.1:1/");
    const ProcessResult result = run_fetch(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << " " << args[1] << ": " << describe(result);
    EXPECT_EQ(result.out, "");
  }
}

TEST(ExitStatus, BadFormatIsAUsageError) {
  const ProcessResult result = run_fetch({"--format", "xml", "http://127.0.0.1:1/"});
  EXPECT_EQ(result.exit_code, 2) << describe(result);
  EXPECT_EQ(result.out, "");
}

}  // namespace
}  // namespace fetch::test
