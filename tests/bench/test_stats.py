#!/usr/bin/python3
"""Unit tests of bench/stats.py (standard library only; run by ctest as bench_stats)."""
import json
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import stats  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class WilcoxonTest(unittest.TestCase):
    def test_matches_scipy_fixture(self):
        with open(os.path.join(HERE, "stats_fixture.json")) as fh:
            cases = json.load(fh)["cases"]
        self.assertGreaterEqual(len(cases), 6)
        for c in cases:
            n, t_plus, p = stats.wilcoxon_signed_rank(c["a"], c["b"])
            with self.subTest(n=len(c["a"]), method=c["method"]):
                self.assertEqual(n, c["n_nonzero"])
                self.assertAlmostEqual(t_plus, c["t_plus"], places=9)
                self.assertAlmostEqual(p, c["p"], delta=1e-12 + 1e-9 * c["p"])

    def test_exact_small_cases_by_hand(self):
        # n = 3, all differences positive: T- = 0, P(T- <= 0) = 1/8, two-sided 1/4.
        self.assertAlmostEqual(stats.wilcoxon_signed_rank([0, 0, 0], [1, 2, 3])[2], 0.25)
        # Differences -1, +2, +3: T- = 1, P(T <= 1) = 2/8, two-sided 0.5.
        self.assertAlmostEqual(stats.wilcoxon_signed_rank([0, 0, 0], [-1, 2, 3])[2], 0.5)
        # Symmetric: the p value does not depend on which sample is first.
        a, b = [1.0, 2.0, 5.0, 4.0, 9.0], [1.5, 1.0, 7.0, 8.0, 8.5]
        self.assertEqual(stats.wilcoxon_signed_rank(a, b)[2], stats.wilcoxon_signed_rank(b, a)[2])

    def test_degenerate_inputs(self):
        self.assertEqual(stats.wilcoxon_signed_rank([1, 2], [1, 2]), (0, 0.0, 1.0))
        with self.assertRaises(ValueError):
            stats.wilcoxon_signed_rank([1, 2], [1])

    def test_exact_distribution_sums_to_one(self):
        for n in (1, 7, 30):
            self.assertAlmostEqual(stats._signed_rank_exact_cdf(n, n * (n + 1) / 2), 1.0)
            self.assertAlmostEqual(stats._signed_rank_exact_cdf(n, -1), 0.0)


class OddsTest(unittest.TestCase):
    def test_extremes_and_small_samples(self):
        values = [float(i) for i in range(40)]
        self.assertEqual(stats.subsample_median_odds(values, 100.0), 1.0)
        self.assertEqual(stats.subsample_median_odds(values, -1.0), 0.0)
        self.assertEqual(stats.subsample_median_odds([1.0, 2.0, 3.0], 2.0), 1.0)
        self.assertEqual(stats.subsample_median_odds([1.0, 2.0, 3.0], 1.9), 0.0)
        with self.assertRaises(ValueError):
            stats.subsample_median_odds([], 1.0)

    def test_against_the_exact_hypergeometric_share(self):
        # 30 values below the target and 30 above, k = 10 (median = mean of the 5th and 6th): the median is below
        # the target exactly when at least 6 of the 10 are below it (with the gap between the two groups large
        # enough that 5 + 5 averages above it) -- a hypergeometric tail.
        values = [0.0] * 30 + [10.0] * 30
        exact = sum(math.comb(30, j) * math.comb(30, 10 - j) for j in range(6, 11)) / math.comb(60, 10)
        odds = stats.subsample_median_odds(values, 1.0, k=10, draws=40000, seed=3)
        self.assertAlmostEqual(odds, exact, delta=4 * math.sqrt(exact * (1 - exact) / 40000))
        self.assertEqual(odds, stats.subsample_median_odds(values, 1.0, k=10, draws=40000, seed=3))


class BlockTest(unittest.TestCase):
    def test_complete_blocks_only(self):
        by_seed = {s: float(s) for s in range(25)}
        self.assertEqual(stats.block_medians(by_seed, 10), [(0, 4.5), (10, 14.5)])
        del by_seed[13]
        self.assertEqual(stats.block_medians(by_seed, 10), [(0, 4.5)])
        self.assertEqual(stats.block_medians({}, 10), [])


if __name__ == "__main__":
    unittest.main()
