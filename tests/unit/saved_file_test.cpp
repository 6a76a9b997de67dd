// --output-dir's files: names that never leave the directory, the temporary file renamed only
// when complete, symlinks never followed, the bounded write buffers, and the body chain
// saving what it decodes.

#include "fetch/body/saved_file.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "fetch/body/body_sink.hpp"
#include "fetch/body/decoder_memory.hpp"

namespace fetch {
namespace {

namespace fs = std::filesystem;

// A fresh directory, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string name = (fs::temp_directory_path() / "fetch-saved-XXXXXX").string();
    EXPECT_NE(::mkdtemp(name.data()), nullptr);
    path = name;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// --- names -------------------------------------------------------------------------------------

struct NameCase {
  const char* label;
  const char* request_target;
  const char* host;
  const char* expected;  // for line 7
};

class SavedFileName : public ::testing::TestWithParam<NameCase> {};

TEST_P(SavedFileName, IsOneSafeComponent) {
  TempDir dir;
  const OutputDir output{dir.path.string(), false};
  const NameCase& c = GetParam();
  const std::string name = saved_file_name(output, 7, 0, c.request_target, c.host);
  EXPECT_EQ(name, c.expected);
  EXPECT_EQ(name.find('/'), std::string::npos);
  EXPECT_NE(name.front(), '.');
  EXPECT_LE(name.size(), 2u + 100u);
}

const NameCase kNames[] = {
    {"last_segment", "/docs/report.pdf", "example.com", "7-report.pdf"},
    {"query_dropped", "/a/b.html?x=1&y=../../etc", "example.com", "7-b.html"},
    {"trailing_slash", "/docs/", "example.com", "7-docs"},
    {"root_takes_the_host", "/", "example.com", "7-example.com"},
    {"root_with_query", "/?q=1", "example.com", "7-example.com"},
    {"dot_dot", "/a/..", "example.com", "7-index"},
    {"encoded_dot_dot", "/a/%2e%2e", "example.com", "7-_2e_2e"},
    {"encoded_slash", "/a%2F..%2Fb", "example.com", "7-a_2F.._2Fb"},
    {"hidden", "/.bashrc", "example.com", "7-bashrc"},
    {"spaces_and_utf8", "/caf%C3%A9 menu\xc3\xa9.txt", "h", "7-caf_C3_A9_menu__.txt"},
    {"backslash", "/..\\..\\etc", "h", "7-_.._etc"},
    {"ipv6_host", "/", "::1", "7-__1"},
};

INSTANTIATE_TEST_SUITE_P(Urls, SavedFileName, ::testing::ValuesIn(kNames),
                         [](const ::testing::TestParamInfo<NameCase>& info) {
                           return std::string(info.param.label);
                         });

TEST(SavedFileNames, TailIsCutAtAHundredBytes) {
  TempDir dir;
  const OutputDir output{dir.path.string(), false};
  EXPECT_EQ(saved_file_name(output, 1, 0, "/" + std::string(300, 'a'), "h"),
            "1-" + std::string(100, 'a'));
}

TEST(SavedFileNames, SeveralInputsAreNumberedApart) {
  TempDir dir;
  const OutputDir output{dir.path.string(), true};
  EXPECT_EQ(saved_file_name(output, 3, 0, "/x.txt", "h"), "1.3-x.txt");
  EXPECT_EQ(saved_file_name(output, 3, 1, "/x.txt", "h"), "2.3-x.txt");
}

// --- files -------------------------------------------------------------------------------------

TEST(OutputDirOpen, MustBeAnExistingDirectory) {
  TempDir dir;
  EXPECT_THROW(OutputDir((dir.path / "missing").string(), false), std::system_error);
  std::ofstream(dir.path / "file") << "x";
  EXPECT_THROW(OutputDir((dir.path / "file").string(), false), std::system_error);
}

TEST(SavedFile, IsRenamedWhenCompleteAndSaysWhere) {
  TempDir dir;
  OutputDir output{dir.path.string(), false};
  std::string error;
  auto file = SavedFile::create(output, "1-page.html", error);
  ASSERT_TRUE(file) << error;
  EXPECT_TRUE(file->write("hello, "));
  EXPECT_TRUE(file->write(std::string(100 * 1024, 'x')));  // past the buffer: written through
  EXPECT_TRUE(file->write("bye"));
  ASSERT_EQ(dir.entries().size(), 1u);
  EXPECT_EQ(dir.entries()[0].front(), '.') << "only the temporary file while writing";
  EXPECT_EQ(file->saved_as(), "");
  ASSERT_TRUE(file->commit()) << file->error();
  EXPECT_EQ(file->saved_as(), (dir.path / "1-page.html").string());
  file.reset();
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"1-page.html"}));
  EXPECT_EQ(contents(dir.path / "1-page.html"), "hello, " + std::string(100 * 1024, 'x') + "bye");
}

TEST(SavedFile, AnUnfinishedBodyLeavesNothing) {
  TempDir dir;
  OutputDir output{dir.path.string(), false};
  std::string error;
  auto file = SavedFile::create(output, "1-x", error);
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->write(std::string(50 * 1024, 'y')));
  file.reset();
  EXPECT_TRUE(dir.entries().empty());
  EXPECT_EQ(output.buffers_in_use(), 0u);
}

TEST(SavedFile, ReplacesAnOlderFileOfTheSameName) {
  TempDir dir;
  std::ofstream(dir.path / "1-x") << "old";
  OutputDir output{dir.path.string(), false};
  std::string error;
  auto file = SavedFile::create(output, "1-x", error);
  ASSERT_TRUE(file && file->write("new") && file->commit());
  EXPECT_EQ(contents(dir.path / "1-x"), "new");
}

TEST(SavedFile, NeverWritesThroughASymlink) {
  TempDir dir;
  TempDir elsewhere;
  const fs::path target = elsewhere.path / "precious";
  std::ofstream(target) << "keep me";
  OutputDir output{dir.path.string(), false};
  // Planted at the final name: the link itself is replaced, its target untouched.
  fs::create_symlink(target, dir.path / "1-x");
  std::string error;
  auto file = SavedFile::create(output, "1-x", error);
  ASSERT_TRUE(file && file->write("body") && file->commit());
  EXPECT_FALSE(fs::is_symlink(dir.path / "1-x"));
  EXPECT_EQ(contents(dir.path / "1-x"), "body");
  EXPECT_EQ(contents(target), "keep me");
  // Planted at the temporary name: refused.
  fs::create_symlink(target, dir.path / (".2-x." + std::to_string(::getpid()) + ".part"));
  EXPECT_FALSE(SavedFile::create(output, "2-x", error));
  EXPECT_NE(error.find("cannot create"), std::string::npos) << error;
  EXPECT_EQ(contents(target), "keep me");
}

TEST(SavedFile, ADirectoryInTheWayFailsTheCommitAndLeavesNoTemporaryFile) {
  TempDir dir;
  fs::create_directory(dir.path / "1-x");
  OutputDir output{dir.path.string(), false};
  std::string error;
  auto file = SavedFile::create(output, "1-x", error);
  ASSERT_TRUE(file && file->write("body"));
  EXPECT_FALSE(file->commit());
  EXPECT_NE(file->error().find("1-x"), std::string::npos) << file->error();
  file.reset();
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"1-x"}));
}

TEST(SavedFile, WriteBuffersShareOneBudget) {
  TempDir dir;
  OutputDir output{dir.path.string(), false};
  const std::size_t most = OutputDir::kBufferBudget / OutputDir::kBufferSize;
  std::vector<std::unique_ptr<SavedFile>> files;
  std::string error;
  for (std::size_t i = 0; i < most + 50; ++i) {
    files.push_back(SavedFile::create(output, std::to_string(i), error));
    ASSERT_TRUE(files.back()) << error;
    ASSERT_TRUE(files.back()->write("small piece"));
    ASSERT_LE(output.buffers_in_use(), most);
  }
  EXPECT_EQ(output.buffers_in_use(), most);
  // Those past the budget wrote through; all commit whole.
  for (auto& file : files) ASSERT_TRUE(file->commit());
  EXPECT_EQ(output.buffers_in_use(), 0u);
  EXPECT_EQ(contents(dir.path / std::to_string(most + 10)), "small piece");
  EXPECT_EQ(contents(dir.path / "0"), "small piece");
}

// --- through the body chain --------------------------------------------------------------------

std::string gzip(std::string_view in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

class SavingBody : public ::testing::Test {
 protected:
  // One response through a BodySink saving into the directory: its wire bytes in pieces of
  // `step`. Returns what finish() said.
  bool receive(BodySink& sink, unsigned status, std::string_view coding, std::string_view wire,
               bool has_location = false, std::string name = "1-body") {
    constexpr std::size_t step = 1000;
    sink.save_into(output, std::move(name));
    if (!sink.start(status, has_location, coding, true)) return false;
    for (std::size_t at = 0; at < wire.size(); at += step) {
      if (!sink.data(wire.substr(at, step))) return false;
    }
    return sink.finish();
  }

  TempDir dir;
  OutputDir output{dir.path.string(), false};
  DecoderMemory memory;
  const std::string text = std::string(200 * 1024, 't') + "end";
};

TEST_F(SavingBody, SavesTheDecodedBytes) {
  BodySink sink{std::nullopt, true, &memory};
  ASSERT_TRUE(receive(sink, 200, "gzip", gzip(text))) << sink.failure()->message;
  EXPECT_EQ(sink.saved_as(), (dir.path / "1-body").string());
  EXPECT_EQ(contents(dir.path / "1-body"), text);
}

TEST_F(SavingBody, WithoutDecodingSavesTheBodyAsItCame) {
  BodySink sink{std::nullopt, true, nullptr};  // --no-compressed
  const std::string wire = gzip(text);
  ASSERT_TRUE(receive(sink, 200, "gzip", wire));
  EXPECT_EQ(contents(dir.path / "1-body"), wire);
}

TEST_F(SavingBody, KeepsOnlyBodiesOfOkRecords) {
  BodySink not_found{std::nullopt, true, &memory};
  EXPECT_TRUE(receive(not_found, 404, "", "missing"));
  BodySink followed{std::nullopt, true, &memory};
  EXPECT_TRUE(receive(followed, 302, "", "moved", /*has_location=*/true));
  EXPECT_EQ(followed.saved_as(), "");
  EXPECT_TRUE(dir.entries().empty());
  // A redirect that is not followed (--max-redirects 0) is the final response, and kept.
  BodySink kept{std::nullopt, false, &memory};
  EXPECT_TRUE(receive(kept, 302, "", "moved", true));
  EXPECT_EQ(contents(dir.path / "1-body"), "moved");
}

TEST_F(SavingBody, AFailedBodyLeavesNoFile) {
  BodySink corrupt{std::nullopt, true, &memory};
  std::string wire = gzip(text);
  wire.resize(wire.size() / 2);  // cut: finish() finds the stream unfinished
  EXPECT_FALSE(receive(corrupt, 200, "gzip", wire));
  EXPECT_EQ(corrupt.failure()->code, errc::decode_corrupt);
  // (The parser stops wire bytes past --max-filesize; the sink stops decoded ones.)
  BodySink too_large{std::uint64_t{1000}, true, &memory};
  EXPECT_FALSE(receive(too_large, 200, "gzip", gzip(text), false, "2-body"));
  EXPECT_EQ(too_large.failure()->code, errc::body_too_large);
  corrupt.reset();  // the next hop, or the end of the URL
  too_large.reset();
  EXPECT_TRUE(dir.entries().empty());
  EXPECT_EQ(corrupt.saved_as(), "");
}

TEST_F(SavingBody, AFileThatCannotBeMadeFailsTheBody) {
  fs::create_directory(dir.path /
                       ("." + std::string("1-body.") + std::to_string(::getpid()) + ".part"));
  BodySink sink{std::nullopt, true, &memory};
  EXPECT_FALSE(receive(sink, 200, "", "body"));
  EXPECT_EQ(sink.failure()->code, errc::save_failed);
  EXPECT_NE(sink.failure()->message.find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace fetch
