#!/usr/bin/env python3
"""Reference values for compare_test.cpp, from first principles (standard library only).

The exact p-values enumerate every way to split the pooled values into the two samples (the
permutation distribution of U); the normal approximations are the textbook formulas, written
out independently of the C++ code. Run: python3 tests/unit/compare_reference.py (about
a minute: the tied case enumerates C(24, 12) = 2.7 million splits).
"""
import itertools
import math
import statistics


def u_of(base, candidate):
    """Pairs with candidate > base, ties counted 1/2."""
    return sum((c > b) + 0.5 * (c == b) for b in base for c in candidate)


def exact_p_greater(base, candidate):
    pooled = list(base) + list(candidate)
    n = len(candidate)
    observed = u_of(base, candidate)
    hits = total = 0
    for chosen in itertools.combinations(range(len(pooled)), n):
        chosen_set = set(chosen)
        cand = [pooled[i] for i in chosen]
        rest = [pooled[i] for i in range(len(pooled)) if i not in chosen_set]
        total += 1
        hits += u_of(rest, cand) >= observed - 1e-9
    return observed, hits / total


def normal_p_greater(base, candidate):
    m, n = len(base), len(candidate)
    big_n = m + n
    u = u_of(base, candidate)
    counts = {}
    for v in list(base) + list(candidate):
        counts[v] = counts.get(v, 0) + 1
    ties = sum(t ** 3 - t for t in counts.values())
    sigma = math.sqrt(m * n / 12 * ((big_n + 1) - ties / (big_n * (big_n - 1))))
    z = (u - m * n / 2 - 0.5) / sigma
    return u, 0.5 * math.erfc(z / math.sqrt(2))


def exact_u_cdf(m, n):
    """P(U <= u) for u = 0..mn without ties, by enumerating the orderings."""
    counts = [0] * (m * n + 1)
    for chosen in itertools.combinations(range(m + n), n):
        # candidate ranks 1-based: U = sum(ranks) - n(n+1)/2
        counts[sum(chosen) + n - n * (n + 1) // 2] += 1
    total = sum(counts)
    cdf, running = [], 0
    for c in counts:
        running += c
        cdf.append(running / total)
    return cdf


def hodges_lehmann(base, candidate, confidence, logs=False):
    f = math.log if logs else (lambda v: v)
    diffs = sorted(f(c) - f(b) for b in base for c in candidate)
    cdf = exact_u_cdf(len(base), len(candidate))
    tail = (1 - confidence) / 2
    k = next(u for u, p in enumerate(cdf) if p >= tail)
    achieved = 1 - 2 * (cdf[k - 1] if k > 0 else cdf[0])
    k = max(k, 1)
    g = math.exp if logs else (lambda v: v)
    return (g(statistics.median(diffs)), g(diffs[k - 1]), g(diffs[len(diffs) - k]), achieved)


CASES = {
    # R's ?wilcox.test example (Hollander & Wolfe 1973, p. 69): W = 35, p-value = 0.1272.
    "r_example": ([1.15, 0.88, 0.90, 0.74, 1.21],
                  [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]),
    "separated_3_3": ([1, 2, 3], [4, 5, 6]),
    "interleaved_10_10": ([10.1, 10.4, 9.8, 10.0, 10.7, 9.9, 10.2, 10.3, 9.7, 10.5],
                          [10.6, 10.9, 10.45, 11.2, 10.05, 10.8, 11.0, 10.35, 10.75, 11.4]),
}
TIED = ([5, 6, 6, 7, 7, 7, 8, 9, 9, 10, 11, 12],
        [6, 7, 8, 8, 9, 9, 10, 10, 11, 12, 12, 13])

if __name__ == "__main__":
    for name, (base, candidate) in CASES.items():
        print(name, "U, exact p =", exact_p_greater(base, candidate))
        print(name, "shift HL, lower, upper, confidence =",
              hodges_lehmann(base, candidate, 0.95))
        print(name, "ratio HL, lower, upper, confidence =",
              hodges_lehmann(base, candidate, 0.95, logs=True))
    print("tied U, normal p =", normal_p_greater(*TIED))
    print("tied U, exact conditional p =", exact_p_greater(*TIED))
