// The error vocabulary: every code has a stable, unique snake_case name and a description.
#include "fetch/core/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace fetch {
namespace {

constexpr int kFirst = static_cast<int>(errc::bad_url);
constexpr int kLast = static_cast<int>(errc::proxy_bad_response);

TEST(ErrorCodes, EveryCodeHasAUniqueSnakeCaseName) {
  std::set<std::string> names;
  for (int value = kFirst; value <= kLast; ++value) {
    const std::string name{to_name(static_cast<errc>(value))};
    EXPECT_NE(name, "unknown") << value;
    EXPECT_TRUE(names.insert(name).second) << name << " twice";
    for (char c : name) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << name;
    }
  }
  EXPECT_EQ(to_name(static_cast<errc>(kLast + 1)), "unknown");
}

TEST(ErrorCodes, TravelAsBoostErrorCodes) {
  const boost::system::error_code ec = errc::connect_refused;
  EXPECT_EQ(ec.category().name(), std::string{"fetch"});
  EXPECT_EQ(ec.message(), "connection refused");
  EXPECT_EQ(make_error_code(errc::timeout_max_time).message(), "timed out (--max-time)");
}

TEST(ErrorCodes, NamesThatScriptsRelyOn) {
  // Documented in the README; renaming one breaks users' scripts.
  EXPECT_EQ(to_name(errc::connect_refused), "connect_refused");
  EXPECT_EQ(to_name(errc::tls_verify_failed), "tls_verify_failed");
  EXPECT_EQ(to_name(errc::timeout_connect), "timeout_connect");
  EXPECT_EQ(to_name(errc::body_truncated), "body_truncated");
  EXPECT_EQ(to_name(errc::too_many_redirects), "too_many_redirects");
  EXPECT_EQ(to_name(errc::save_failed), "save_failed");
  EXPECT_EQ(to_name(errc::proxy_connect_failed), "proxy_connect_failed");
  EXPECT_EQ(to_name(errc::proxy_auth_required), "proxy_auth_required");
  EXPECT_EQ(to_name(errc::proxy_refused), "proxy_refused");
  EXPECT_EQ(to_name(errc::proxy_bad_response), "proxy_bad_response");
}

TEST(ErrorStages, NamesThatRecordsPrint) {
  EXPECT_EQ(to_string(Stage::input), "input");
  EXPECT_EQ(to_string(Stage::timeout), "timeout");
  EXPECT_EQ(to_string(Stage::proxy), "proxy");
}

}  // namespace
}  // namespace fetch
