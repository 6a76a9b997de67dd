#pragma once
// The null distribution of the Mann-Whitney U statistic, exact and approximate, shared by the
// test (mann_whitney.cpp) and the Hodges-Lehmann intervals (compare.cpp). Private to
// src/stats/.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fetch::stats::detail {

struct RankSum {
  double u = 0;         // U of `candidate`: pairs with candidate_j > base_i, ties 1/2
  double tie_term = 0;  // sum over groups of tied values of t^3 - t (t: the group's size)
};

// U and the ties of the pooled samples, from their mid-ranks, in O(N log N).
RankSum rank_sum(std::span<const double> base, std::span<const double> candidate);

// Whether the exact distribution applies (no ties, both sizes <= kExactMaxSampleSize).
bool use_exact(std::size_t m, std::size_t n, const RankSum& ranks) noexcept;

// How many of the C(m + n, m) orderings of two samples of sizes m and n give U = u, for
// u = 0 .. m n. Exact in 64 bits for m, n <= kExactMaxSampleSize.
std::vector<std::int64_t> exact_u_counts(std::size_t m, std::size_t n);

// The standard deviation of U under the null hypothesis, with the tie correction:
// sqrt(m n / 12 * ((N + 1) - tie_term / (N (N - 1)))).
double u_sigma(std::size_t m, std::size_t n, double tie_term) noexcept;

// The standard normal distribution's upper tail P(Z > z), and its quantile (the z with
// P(Z <= z) = p, for p in (0, 1)).
double normal_upper_tail(double z) noexcept;
double normal_quantile(double p) noexcept;

}  // namespace fetch::stats::detail
