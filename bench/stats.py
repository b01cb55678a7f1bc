"""Statistics for benchmark comparisons, standard library only (bench/report.py; tested by tests/bench/test_stats.py).

- wilcoxon_signed_rank: paired two-sided Wilcoxon signed-rank test (exact null distribution when there are at most
  50 non-zero differences and no ties among their absolute values, else the normal approximation with the tie
  correction; zero differences are dropped, as scipy.stats.wilcoxon's default zero_method="wilcox" does).
- subsample_median_odds: the share of k-seed subsets of the measured runs whose median is at most a target -- "if
  the table had been measured on another k seeds, how often would it meet the target?".
- block_medians: medians of consecutive blocks of k seeds (seeds 0..k-1, k..2k-1, ...).
"""
import math
import random
import statistics


def _signed_rank_exact_cdf(n, t):
    """P(T+ <= t) under H0 for n untied non-zero differences: T+ is a sum of a random subset of {1..n}."""
    counts = [1] + [0] * (n * (n + 1) // 2)  # counts[s]: subsets of {1..r} summing to s
    top = 0
    for r in range(1, n + 1):
        top += r
        for s in range(top, r - 1, -1):
            counts[s] += counts[s - r]
    t = max(-1, min(int(math.floor(t + 1e-9)), len(counts) - 1))
    return sum(counts[: t + 1]) / 2.0**n


def _ranks(values):
    """Average ranks (1-based) of values, ties sharing the mean of their positions; also the tie groups' sizes."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    groups = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        groups.append(j - i + 1)
        i = j + 1
    return ranks, groups


def wilcoxon_signed_rank(a, b):
    """Paired two-sided test of b against a. Returns (n_nonzero, statistic T+ of b - a, p value)."""
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    diffs = [y - x for x, y in zip(a, b) if y != x]
    n = len(diffs)
    if n == 0:
        return 0, 0.0, 1.0
    ranks, groups = _ranks([abs(d) for d in diffs])
    t_plus = sum(r for r, d in zip(ranks, diffs) if d > 0)
    t_minus = n * (n + 1) / 2.0 - t_plus
    if n <= 50 and all(g == 1 for g in groups):
        p = 2.0 * _signed_rank_exact_cdf(n, min(t_plus, t_minus))
        return n, t_plus, min(1.0, p)
    mean = n * (n + 1) / 4.0
    var = n * (n + 1) * (2 * n + 1) / 24.0 - sum(g**3 - g for g in groups) / 48.0
    if var <= 0:
        return n, t_plus, 1.0
    z = (t_plus - mean) / math.sqrt(var)
    return n, t_plus, min(1.0, math.erfc(abs(z) / math.sqrt(2.0)))


def subsample_median_odds(values, target, k=10, draws=20000, seed=0):
    """Share of random k-subsets (without replacement) of values whose median is <= target; deterministic in seed.
    With len(values) <= k there is one subset, the whole sample."""
    if not values:
        raise ValueError("no values")
    if len(values) <= k:
        return 1.0 if statistics.median(values) <= target else 0.0
    rng = random.Random(seed)
    hits = sum(statistics.median(rng.sample(values, k)) <= target for _ in range(draws))
    return hits / draws


def block_medians(values_by_seed, k=10):
    """{seed: value} -> [(first_seed, median)] over the complete blocks first_seed .. first_seed + k - 1 present."""
    out = []
    if not values_by_seed:
        return out
    first = min(values_by_seed)
    last = max(values_by_seed)
    start = first - first % k
    while start + k - 1 <= last:
        block = [values_by_seed[s] for s in range(start, start + k) if s in values_by_seed]
        if len(block) == k:
            out.append((start, statistics.median(block)))
        start += k
    return out
