#pragma once
// Shared by the robustness matrix (tls_matrix, framing, network, redirect_matrix, input_abuse,
// process_limits): one URL, one line, and the outcome it must have.

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "support/nginx_server.hpp"  // ca_file()

namespace fetch::test {

// Generous upper bound for runs that must end on a 1-2 s deadline; it only catches hangs.
inline constexpr auto kPromptly = 10s;

// The AddressSanitizer build (the tests are compiled with fetch's flags): the sanitizer's
// shadow memory and quarantine make memory bounds meaningless, and it cannot run under an
// RLIMIT_AS, so those checks are skipped there.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif

// Peak resident memory fetch may reach on the runs that check it (Release build).
inline constexpr long kMemoryBoundKib = 64 * 1024;

class MatrixTest : public ::testing::Test {
 protected:
  // Fetches `url` (options first) and returns its only record; anything but exactly one
  // line fails the test.
  TsvRecord fetch_one(const std::string& url, std::vector<std::string> options = {},
                      std::chrono::milliseconds timeout = 20s) {
    options.push_back(url);
    last_ = fetch_tsv(options, {}, timeout);
    EXPECT_EQ(last_.records.size(), 1u) << "exactly one line per URL\n" << describe(last_.process);
    return last_.records.empty() ? TsvRecord("") : last_.records.front();
  }

  // A failed URL: ok=false, this stage, a message holding one of `fragments` (compared
  // case-insensitively), no crash, exit status 1.
  void expect_failure(const TsvRecord& record, std::string_view stage,
                      std::initializer_list<std::string_view> fragments) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "false");
    EXPECT_EQ(record["error_stage"], stage);
    bool found = false;
    for (std::string_view fragment : fragments)
      found = found || contains_ci(record["error_message"], fragment);
    EXPECT_TRUE(found) << "the message names none of the expected causes: "
                       << record["error_message"];
    expect_exit(1);
  }

  // A successful URL: ok=true, this status and body size, no error, exit status 0.
  void expect_ok(const TsvRecord& record, std::string_view status, std::string_view bytes) {
    SCOPED_TRACE(record.text());
    EXPECT_EQ(record["ok"], "true");
    EXPECT_EQ(record["status"], status);
    EXPECT_EQ(record["bytes"], bytes);
    EXPECT_EQ(record["error_stage"], "");
    EXPECT_EQ(record["error_message"], "");
    expect_exit(0);
  }

  void expect_exit(int status) {
    EXPECT_FALSE(last_.process.timed_out);
    EXPECT_EQ(last_.process.term_signal, 0) << describe(last_.process);
    EXPECT_EQ(last_.process.exit_code, status) << describe(last_.process);
  }

  TsvRun last_;
};

}  // namespace fetch::test
