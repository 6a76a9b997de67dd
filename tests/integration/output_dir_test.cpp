// --output-dir from the command line: bodies saved whole (decoded when compressed), named by
// line and URL, said in saved_as; failed URLs, interrupted runs and a missing directory leave
// no file behind.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "common.hpp"
#include "support/misbehaving_server.hpp"
#include "support/net.hpp"
#include "support/nginx_server.hpp"

namespace fetch::test {
namespace {

namespace fs = std::filesystem;

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class SavingBodies : public ::testing::Test {
 protected:
  SavingBodies() {
    std::string name = (fs::temp_directory_path() / "fetch-output-dir-XXXXXX").string();
    EXPECT_NE(::mkdtemp(name.data()), nullptr);
    dir = name;
  }
  ~SavingBodies() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  // Every name in the directory, temporary files included, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  TsvRun fetch_into(std::vector<std::string> args) {
    args.insert(args.begin(), {"--output-dir", dir.string(), "--cacert", ca_file()});
    return fetch_tsv(args);
  }

  fs::path dir;
  NginxServer nginx;
  MisbehavingServer server;
};

TEST_F(SavingBodies, SavesEachBodyWholeAndSaysWhere) {
  const TsvRun run = fetch_into({nginx.https_url("/small.txt"), nginx.http_url("/page.html"),
                                 nginx.http_url("/chunked"), nginx.http_url("/")});
  ASSERT_EQ(run.records.size(), 4u) << describe(run.process);
  EXPECT_EQ(contents(dir / "1-small.txt"), contents(nginx.docroot() / "small.txt"));
  EXPECT_EQ(contents(dir / "2-page.html"), contents(nginx.docroot() / "page.html"));
  EXPECT_EQ(contents(dir / "3-chunked"), nginx.chunked_body());
  const TsvRecord* small = find_record(run.records, "line", "1");
  ASSERT_NE(small, nullptr);
  EXPECT_EQ((*small)["saved_as"], (dir / "1-small.txt").string());
  // "/" names the file after the host; nginx answers 403 or 404 there: not ok, not kept.
  const TsvRecord* root = find_record(run.records, "line", "4");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ((*root)["saved_as"], "");
  EXPECT_EQ(entries(), (std::vector<std::string>{"1-small.txt", "2-page.html", "3-chunked"}));
}

TEST_F(SavingBodies, SavesTheDecodedBodyOfACompressedResponse) {
  const TsvRun run = fetch_into({server.url("/coded/gzip"), server.url("/coded/br")});
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  for (const TsvRecord& record : run.records) {
    EXPECT_EQ(record["ok"], "true") << record.text();
    EXPECT_NE(record["bytes"], record["decoded_bytes"]);
  }
  const std::string gzip = contents(dir / "1-gzip");
  EXPECT_EQ(gzip.size(), 100000u);
  EXPECT_EQ(gzip, contents(dir / "2-br"));
}

TEST_F(SavingBodies, AFailedUrlLeavesNoFile) {
  const std::string refused = "http://127.0.0.1:" + std::to_string(free_port()) + "/x";
  const TsvRun run = fetch_into({server.url("/truncated"), server.url("/reset-mid-body"),
                                 server.url("/coded/corrupt"), nginx.http_url("/missing.txt"),
                                 refused, server.url("/ok")});
  ASSERT_EQ(run.records.size(), 6u) << describe(run.process);
  EXPECT_EQ(entries(), (std::vector<std::string>{"6-ok"})) << "no partial or temporary file";
  for (const TsvRecord& record : run.records) {
    EXPECT_EQ(record["saved_as"].empty(), record["ok"] == "false") << record.text();
  }
}

TEST_F(SavingBodies, ARedirectedUrlIsSavedUnderItsOwnName) {
  const TsvRun run = fetch_into({nginx.http_url("/redirect/chain/2")});
  ASSERT_EQ(run.records.size(), 1u) << describe(run.process);
  EXPECT_EQ(entries(), (std::vector<std::string>{"1-2"}));
  EXPECT_EQ(contents(dir / "1-2"), contents(nginx.docroot() / "small.txt"));
}

TEST_F(SavingBodies, SeveralInputsAreNumberedApart) {
  // Line numbers start again in each input, so each input's number leads the name.
  const fs::path list = dir / ".." / (dir.filename().string() + "-list.txt");
  std::ofstream(list) << "# one\n" << server.url("/ok?a") << "\n";
  const TsvRun run = fetch_into({server.url("/ok?b"), list.string()});
  fs::remove(list);
  ASSERT_EQ(run.records.size(), 2u) << describe(run.process);
  EXPECT_EQ(entries(), (std::vector<std::string>{"1.1-ok", "2.2-ok"}));
}

TEST_F(SavingBodies, WriteOutNamesTheFileAsCurlDoes) {
  const ProcessResult run = run_fetch(
      {"-q", "--output-dir", dir.string(), "-w", "%{filename_effective}\\n", server.url("/ok")});
  EXPECT_EQ(run.out, (dir / "1-ok").string() + "\n") << describe(run);
}

TEST_F(SavingBodies, AMissingDirectoryIsAUsageError) {
  const ProcessResult run =
      run_fetch({"--output-dir", (dir / "missing").string(), server.url("/ok")});
  EXPECT_EQ(run.exit_code, 2) << describe(run);
  EXPECT_NE(run.err.find("--output-dir"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(SavingBodies, AnInterruptedDownloadLeavesNoFile) {
  // /drip sends one byte a second: the temporary file exists while it streams.
  ChildProcess child = start_fetch({"--output-dir", dir.string(), "-f", "tsv", "--no-progress",
                                    server.url("/drip"), server.url("/ok")});
  child.close_stdin();
  const auto streaming = [&] {
    const std::vector<std::string> names = entries();
    return std::any_of(names.begin(), names.end(),
                       [](const std::string& name) { return name.starts_with(".1-drip."); });
  };
  EXPECT_TRUE(eventually(streaming, 10s)) << "the temporary file never appeared";
  child.send_signal(SIGTERM);
  const ProcessResult result = child.wait(10s);
  EXPECT_EQ(result.exit_code, 143) << describe(result);
  EXPECT_EQ(entries(), (std::vector<std::string>{"2-ok"}));
}

}  // namespace
}  // namespace fetch::test
