#pragma once
// A deadline, and how to say that it passed: which option set it and how long it was.
//
// A URL has two: --max-time bounds its whole exchange, redirects included, and
// --connect-timeout each connection phase (DNS, TCP and TLS handshakes), as curl counts them.
// A phase ends at whichever comes first, and its failure names that one.

#include <chrono>
#include <string_view>

#include "fetch/core/asio.hpp"
#include "fetch/core/error.hpp"

namespace fetch {

class Deadline {
 public:
  Deadline() = default;

  // --max-time: `limit` from `start`.
  static Deadline max_time(Clock::time_point start, std::chrono::milliseconds limit) noexcept;
  // --connect-timeout for a phase starting at `start`, unless `whole` (the URL's --max-time
  // deadline) comes first: then that one.
  static Deadline connect_phase(Clock::time_point start, std::chrono::milliseconds limit,
                                const Deadline& whole) noexcept;

  Clock::time_point at() const noexcept { return at_; }
  bool passed(Clock::time_point now = Clock::now()) const noexcept { return now >= at_; }

  // The failure when the deadline passed during `what` ("reading the body", "connecting to
  // example.org:443"): stage timeout, code timeout_connect or timeout_max_time, and a message
  // naming the option and its value, e.g. "connecting to h:443 timed out after 10 s
  // (--connect-timeout)" or "timed out after 30 s (--max-time) reading the body".
  FetchError expired(std::string_view what) const;

 private:
  Deadline(Clock::time_point at, std::chrono::milliseconds limit, errc code) noexcept
      : at_(at), limit_(limit), code_(code) {}

  Clock::time_point at_ = Clock::time_point::max();
  std::chrono::milliseconds limit_{0};
  errc code_ = errc::timeout_max_time;
};

}  // namespace fetch
