#pragma once
// Shared by the URL unit tests: parse or resolve, and fail the test when the outcome is not
// the one expected.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>

#include "fetch/input/url.hpp"

namespace fetch {

inline Target parse_ok(std::string_view text) {
  auto parsed = parse_target(text);
  if (auto* reason = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << "'" << text << "' was rejected: " << *reason;
    return {};
  }
  return std::get<Target>(std::move(parsed));
}

inline std::string reason_of(std::string_view text) {
  auto parsed = parse_target(text);
  if (auto* reason = std::get_if<std::string>(&parsed)) return *reason;
  return "<accepted: " + std::get<Target>(parsed).url + ">";
}
inline Target redirect_ok(const Target& base, std::string_view location) {
  auto resolved = resolve_redirect(base, location);
  if (auto* failure = std::get_if<FetchError>(&resolved)) {
    ADD_FAILURE() << "'" << location << "' was rejected: " << failure->message;
    return {};
  }
  return std::get<Target>(std::move(resolved));
}

inline std::string redirect_reason(const Target& base, std::string_view location) {
  auto resolved = resolve_redirect(base, location);
  if (auto* failure = std::get_if<FetchError>(&resolved)) return failure->message;
  return "<accepted: " + std::get<Target>(resolved).url + ">";
}

}  // namespace fetch
