#include "fetch/run/shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <variant>

#include "fetch/input/line_source.hpp"
#include "fetch/input/url.hpp"

namespace fetch {
namespace {

std::optional<unsigned> whole_number(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

class ShardFilter final : public LineSource {
 public:
  ShardFilter(std::unique_ptr<LineSource> inner, Shard shard)
      : inner_(std::move(inner)), shard_(shard) {}

  boost::asio::awaitable<std::optional<InputLine>> next() override {
    for (;;) {
      std::optional<InputLine> line = co_await inner_->next();
      if (!line || mine(*line)) co_return line;
    }
  }

  void cancel() noexcept override { inner_->cancel(); }
  bool rewind() override { return inner_->rewind(); }

 private:
  bool mine(const InputLine& line) const {
    if (line.too_long) return shard_.index == 1;
    const auto target = parse_target(line.text);
    if (const auto* parsed = std::get_if<Target>(&target)) {
      return shard_of(parsed->origin, shard_.count) == shard_.index;
    }
    return shard_.index == 1;
  }

  std::unique_ptr<LineSource> inner_;
  Shard shard_;
};

}  // namespace

std::variant<Shard, std::string> parse_shard(std::string_view text) {
  const std::string bad =
      fmt::format("'{}' is not a shard K/N with 1 <= K <= N <= {}", text, kMaxShards);
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad;
  const unsigned k = whole_number(text.substr(0, slash)).value_or(0);
  const unsigned n = whole_number(text.substr(slash + 1)).value_or(0);
  if (k < 1 || n < 1 || k > n || n > kMaxShards) return bad;
  return Shard{k, n};
}

std::uint64_t fnv1a64(std::string_view bytes) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

unsigned shard_of(const OriginKey& origin, unsigned count) {
  return static_cast<unsigned>(fnv1a64(origin.to_string()) % count) + 1;
}

std::unique_ptr<LineSource> make_shard_filter(std::unique_ptr<LineSource> inner, Shard shard) {
  return std::make_unique<ShardFilter>(std::move(inner), shard);
}

}  // namespace fetch
