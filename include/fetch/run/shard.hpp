#pragma once
// --shard K/N: one of N processes (machines, pods, CI jobs) takes the URLs whose origin
// hashes to shard K, so that every URL of an origin runs in one process and per-origin limits
// (connections, late binding, TLS sessions) hold as in one run. Summaries of the N shards
// merge exactly (--merge).
//
// The hash is stable across machines, builds and versions: FNV-1a (64 bits) of the origin as
// "scheme://host:port" (host lower-case, IPv6 in brackets, the default port written out, as
// OriginKey::to_string), modulo N, plus 1. Lines that are not usable URLs go to shard 1, so
// that the merged summary reports each once.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "fetch/core/origin_key.hpp"

namespace fetch {

class LineSource;

struct Shard {
  unsigned index = 1;  // K, from 1
  unsigned count = 1;  // N
  friend bool operator==(const Shard&, const Shard&) = default;
};

inline constexpr unsigned kMaxShards = 100000;

// "K/N" with 1 <= K <= N <= kMaxShards; a one-line reason otherwise.
std::variant<Shard, std::string> parse_shard(std::string_view text);

// FNV-1a, 64 bits.
std::uint64_t fnv1a64(std::string_view bytes) noexcept;

// The shard (from 1) of `origin` among `count`.
unsigned shard_of(const OriginKey& origin, unsigned count);

// Passes on only the lines of `shard`.
std::unique_ptr<LineSource> make_shard_filter(std::unique_ptr<LineSource> inner, Shard shard);

}  // namespace fetch
