#include "fetch/client/retry_policy.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>

namespace fetch {

namespace {

using std::chrono::milliseconds;

bool is_connect_error(const FetchError& error) noexcept {
  return error.stage == Stage::connect || error.code == errc::proxy_connect_failed ||
         error.stage == Stage::timeout;
}

bool is_transient_status(unsigned status) noexcept {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

// An HTTP-date in any of the three forms RFC 9110 5.6.7 says to accept, as UTC seconds.
std::optional<std::time_t> parse_http_date(const std::string& text) {
  static constexpr std::array kFormats{
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
      "%a %b %e %H:%M:%S %Y",       // asctime: Sun Nov  6 08:49:37 1994
  };
  for (const char* format : kFormats) {
    std::tm parts{};
    const char* end = ::strptime(text.c_str(), format, &parts);
    if (end != nullptr && *end == '\0') return ::timegm(&parts);
  }
  return std::nullopt;
}

// The back-off or fixed delay before retry number `retry` (1 for the first).
milliseconds planned_wait(const RetrySettings& settings, unsigned retry, std::uint64_t random) {
  if (settings.delay.count() > 0) return settings.delay;
  const unsigned doublings = std::min(retry - 1, 20u);
  const milliseconds doubled{kBackoffBase.count() << doublings};
  const auto ceiling = static_cast<std::uint64_t>(std::min(kBackoffCap, doubled).count());
  return milliseconds{static_cast<milliseconds::rep>(random % (ceiling + 1))};
}

}  // namespace

bool is_idempotent(std::string_view method) noexcept {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
         method == "PUT" || method == "DELETE";
}

bool is_retryable(const Result& result, bool all_errors) noexcept {
  if (result.ok()) return false;
  if (result.error && result.error->stage == Stage::input) return false;
  if (all_errors) return true;
  if (result.error) return is_connect_error(*result.error);
  return result.status && is_transient_status(*result.status);
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return milliseconds{999'999'999LL * 1000};  // far past any limit
    return milliseconds{std::stoll(std::string{value}) * 1000};
  }
  const std::optional<std::time_t> date = parse_http_date(std::string{value});
  if (!date) return std::nullopt;
  const auto wait = std::chrono::system_clock::from_time_t(*date) - now;
  return std::max(milliseconds{0}, std::chrono::duration_cast<milliseconds>(wait));
}

std::optional<milliseconds> retry_wait(const RetrySettings& settings, const Result& result,
                                       const AttemptFacts& facts, unsigned retries_done,
                                       milliseconds elapsed, milliseconds max_time,
                                       std::uint64_t random) {
  if (retries_done >= settings.retries || !is_retryable(result, settings.all_errors)) {
    return std::nullopt;
  }
  // A POST that reached the server may have done its work: only the user may say again.
  if (facts.may_have_reached && !is_idempotent(facts.method) && !settings.all_errors) {
    return std::nullopt;
  }
  milliseconds wait = planned_wait(settings, retries_done + 1, random);
  if (!result.error) {
    if (const auto asked = parse_retry_after(facts.retry_after, facts.now)) {
      // Sooner than the server asked would be impolite; longer than one attempt may take
      // is longer than the user allows a URL.
      if (*asked > max_time) return std::nullopt;
      wait = *asked;
    }
  }
  if (settings.max_time.count() > 0 && elapsed + wait >= settings.max_time) return std::nullopt;
  return wait;
}

std::uint64_t jitter_bits() {
  static std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

}  // namespace fetch
