#pragma once
// Whether and when a URL is tried again (--retry and friends), as curl decides it: transient
// failures only (connect errors, timeouts, 408, 429, 500, 502, 503, 504), or every failure
// with --retry-all-errors. The wait is exponential back-off with full jitter (curl waits 1,
// 2, 4 ... s exactly), a fixed --retry-delay, or the server's Retry-After. A request that is
// not idempotent is never repeated once it may have reached the server, unless
// --retry-all-errors says so (curl repeats it). Retries live here, above every connection.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "fetch/client/result.hpp"

namespace fetch {

struct RetrySettings {
  unsigned retries = 0;                   // --retry: attempts after the first
  std::chrono::milliseconds delay{0};     // --retry-delay; 0: exponential back-off
  std::chrono::milliseconds max_time{0};  // --retry-max-time; 0: none
  bool all_errors = false;                // --retry-all-errors
};

// The back-off without --retry-delay: retry n waits a uniformly random time up to
// min(kBackoffCap, kBackoffBase * 2^(n-1)) ("full jitter"); curl's own sleep starts at 1 s
// and stops doubling at 10 minutes.
inline constexpr std::chrono::milliseconds kBackoffBase{1000};
inline constexpr std::chrono::milliseconds kBackoffCap{600'000};

// What the policy needs to know about an attempt besides its Result.
struct AttemptFacts {
  std::string_view method;        // of the request the URL started with
  bool may_have_reached = false;  // a request was (or may have been) written to a server
  std::string_view retry_after;   // the last response's Retry-After, or empty
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  // for dates
};

// Idempotent methods (RFC 9110 9.2.2): GET, HEAD, OPTIONS, TRACE, PUT, DELETE.
bool is_idempotent(std::string_view method) noexcept;

// Whether `result` is a failure worth another attempt: a connect error (stage connect, or
// proxy_connect_failed), a timeout, or status 408, 429, 500, 502, 503 or 504; with
// `all_errors`, any failure but a bad input line. DNS failures are not: the run caches them,
// so another attempt would see the same answer.
bool is_retryable(const Result& result, bool all_errors) noexcept;

// A Retry-After value (RFC 9110 10.2.3), delay-seconds or an HTTP-date, as the wait from
// `now`; nothing when it is neither. A date in the past is no wait.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// How long to wait before trying again after an attempt that ended in `result` (with
// `facts`), `retries_done` retries and `elapsed` since the first attempt started; nothing
// when `result` stands. `random` is uniformly random bits for the jitter. Gives up when no
// retry is left, the failure is not retryable, the request is not idempotent and may have
// reached the server (unless all_errors), or the wait (the server's Retry-After when it gave
// one, else the back-off or --retry-delay) would end past --retry-max-time, or the
// Retry-After is longer than `max_time` (--max-time: each attempt's own limit).
std::optional<std::chrono::milliseconds> retry_wait(const RetrySettings& settings,
                                                    const Result& result, const AttemptFacts& facts,
                                                    unsigned retries_done,
                                                    std::chrono::milliseconds elapsed,
                                                    std::chrono::milliseconds max_time,
                                                    std::uint64_t random);

// Uniformly random bits for the jitter (a generator seeded once per run).
std::uint64_t jitter_bits();

}  // namespace fetch
