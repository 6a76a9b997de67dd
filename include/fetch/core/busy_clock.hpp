#pragma once
// How long this thread was busy: running, or (where the kernel says) waiting to run. The rest
// of a wall-clock interval it spent waiting for the network.
//
// That rest is what tells a near server from a far one honestly. A TCP round trip measured
// by the kernel (tcpi_rtt) sees only the first hop: behind a local TCP terminator (a sidecar,
// a CONNECT proxy, the WAN simulator of bench/) a far server looks near. A handshake's wall
// time sees the whole way, but also our own work: on a loaded machine, or with fifty
// handshakes started together, a near server looks far. A TLS handshake's idle time (wall
// minus busy) is neither: it is at least one real round trip, and none of our own CPU.

#include <chrono>

namespace fetch {

// A TLS handshake idle this long waited for a far server: loopback and LAN handshakes wait
// well under 2 ms for the server's crypto; a 10 ms round trip is far enough for parallel
// handshakes to beat waiting for one.
inline constexpr std::chrono::milliseconds kFarIdle{10};

// This thread's CPU time, plus its time waiting on a run queue when the kernel keeps
// schedstats (/proc/thread-self/schedstat; without them CPU time alone).
std::chrono::nanoseconds busy_time() noexcept;

// Wall time from `start` (with busy time `busy_at_start`) to now, minus the busy time between.
std::chrono::nanoseconds idle_since(std::chrono::steady_clock::time_point start,
                                    std::chrono::nanoseconds busy_at_start) noexcept;

}  // namespace fetch
