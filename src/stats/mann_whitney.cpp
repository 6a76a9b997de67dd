// The one-sided Mann-Whitney U test. The exact p-value counts orderings: the number of ways
// two samples of sizes m and n can interleave with U = u is the coefficient of q^u in the
// Gaussian binomial coefficient [m + n choose m]_q (Mann and Whitney 1947; Andrews,
// "The Theory of Partitions", ch. 3), built in O(m^2 n) from its product form.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "fetch/stats/compare.hpp"
#include "u_distribution.hpp"

namespace fetch::stats {
namespace detail {

RankSum rank_sum(std::span<const double> base, std::span<const double> candidate) {
  std::vector<std::pair<double, bool>> pooled;  // value, from the candidate
  pooled.reserve(base.size() + candidate.size());
  for (double value : base) pooled.emplace_back(value, false);
  for (double value : candidate) pooled.emplace_back(value, true);
  std::sort(pooled.begin(), pooled.end());
  RankSum result;
  double candidate_ranks = 0;
  for (std::size_t first = 0; first < pooled.size();) {
    std::size_t end = first;
    while (end < pooled.size() && pooled[end].first == pooled[first].first) ++end;
    const double tied = static_cast<double>(end - first);
    const double mid_rank = static_cast<double>(first + 1 + end) / 2;  // ranks first+1 .. end
    for (std::size_t i = first; i < end; ++i) {
      if (pooled[i].second) candidate_ranks += mid_rank;
    }
    result.tie_term += tied * tied * tied - tied;
    first = end;
  }
  const double n = static_cast<double>(candidate.size());
  result.u = candidate_ranks - n * (n + 1) / 2;
  return result;
}

bool use_exact(std::size_t m, std::size_t n, const RankSum& ranks) noexcept {
  return ranks.tie_term == 0 && m <= kExactMaxSampleSize && n <= kExactMaxSampleSize;
}

std::vector<std::int64_t> exact_u_counts(std::size_t m, std::size_t n) {
  // [n + i choose i]_q = [n + i - 1 choose i - 1]_q * (1 - q^(n + i)) / (1 - q^i). Every step
  // is a polynomial with integer coefficients; the product before the division may have
  // negative ones, at most the largest coefficient in size, so int64 holds both for
  // C(60, 30) ~ 1.2e17.
  if (m > n) std::swap(m, n);  // the distribution is symmetric in m and n; fewer steps
  std::vector<std::int64_t> c(m * n + m + 1, 0);
  c[0] = 1;
  for (std::size_t i = 1; i <= m; ++i) {
    const std::size_t times = n + i;
    const std::size_t degree = (i - 1) * n + times;
    for (std::size_t k = degree; k >= times; --k) c[k] -= c[k - times];
    for (std::size_t k = i; k <= degree; ++k) c[k] += c[k - i];
  }
  c.resize(m * n + 1);
  return c;
}

double u_sigma(std::size_t m, std::size_t n, double tie_term) noexcept {
  const double big_n = static_cast<double>(m + n);
  const double ties = big_n > 1 ? tie_term / (big_n * (big_n - 1)) : 0;
  const double variance =
      static_cast<double>(m) * static_cast<double>(n) / 12 * ((big_n + 1) - ties);
  return variance > 0 ? std::sqrt(variance) : 0;
}

double normal_upper_tail(double z) noexcept { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double normal_quantile(double p) noexcept {
  // Bisection on the upper tail: only a few calls per comparison, and as exact as erfc.
  double low = -40, high = 40;
  for (int i = 0; i < 200; ++i) {
    const double middle = (low + high) / 2;
    if (middle == low || middle == high) break;
    (1 - normal_upper_tail(middle) < p ? low : high) = middle;
  }
  return (low + high) / 2;
}

}  // namespace detail

namespace {

bool usable(std::span<const double> sample) {
  return !sample.empty() &&
         std::all_of(sample.begin(), sample.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

MannWhitney mann_whitney_greater(std::span<const double> base, std::span<const double> candidate) {
  if (!usable(base) || !usable(candidate)) return {};
  const std::size_t m = base.size();
  const std::size_t n = candidate.size();
  const detail::RankSum ranks = detail::rank_sum(base, candidate);
  MannWhitney result;
  result.u = ranks.u;
  result.exact = detail::use_exact(m, n, ranks);
  if (result.exact) {
    const std::vector<std::int64_t> counts = detail::exact_u_counts(m, n);
    const auto observed = static_cast<std::size_t>(ranks.u);  // whole without ties
    const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
    const std::int64_t tail = std::accumulate(
        counts.begin() + static_cast<std::ptrdiff_t>(observed), counts.end(), std::int64_t{0});
    result.p_value = static_cast<double>(tail) / static_cast<double>(total);
    return result;
  }
  const double sigma = detail::u_sigma(m, n, ranks.tie_term);
  if (sigma == 0) return result;  // every value tied: no evidence either way, p = 1
  const double mean = static_cast<double>(m) * static_cast<double>(n) / 2;
  result.p_value = std::min(1.0, detail::normal_upper_tail((ranks.u - mean - 0.5) / sigma));
  return result;
}

}  // namespace fetch::stats
