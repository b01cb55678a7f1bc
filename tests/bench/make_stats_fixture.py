#!/usr/bin/python3
"""Writes stats_fixture.json: scipy.stats.wilcoxon's p values for paired samples, the reference that
tests/bench/test_stats.py checks bench/stats.py against (scipy is not needed to run the test).

Run: /usr/bin/python3 tests/bench/make_stats_fixture.py   (Debian 12: python3-scipy 1.10)
"""
import json
import os
import random

import scipy
from scipy import stats

cases = []
rng = random.Random(7)
# Exact null distribution: no ties, no zero differences, n <= 50.
for n in (5, 10, 20, 50):
    a = [rng.lognormvariate(0, 1) for _ in range(n)]
    b = [x * rng.lognormvariate(-0.2, 0.5) for x in a]
    cases.append({"a": a, "b": b, "method": "exact"})
# Normal approximation: n > 50, and tied absolute differences and zero differences with n <= 50.
a = [rng.gauss(0, 1) for _ in range(120)]
b = [x + rng.gauss(0.1, 0.5) for x in a]
cases.append({"a": a, "b": b, "method": "approx"})
a = [float(i % 7) for i in range(30)]
b = [x + (1.0 if i % 3 == 0 else -2.0 if i % 5 == 0 else 0.0 if i % 4 == 0 else 3.0) for i, x in enumerate(a)]
cases.append({"a": a, "b": b, "method": "approx"})
for c in cases:
    d = [y - x for x, y in zip(c["a"], c["b"])]
    c["n_nonzero"] = sum(1 for x in d if x != 0)
    c["t_plus"] = sum(r for r, x in zip(stats.rankdata([abs(x) for x in d if x != 0]), [x for x in d if x != 0])
                      if x > 0)
    c["p"] = float(stats.wilcoxon(c["b"], c["a"], zero_method="wilcox", correction=False, mode=c["method"]).pvalue)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stats_fixture.json")
with open(out, "w") as fh:
    json.dump({"generator": f"make_stats_fixture.py, scipy {scipy.__version__}", "cases": cases}, fh, indent=1)
print("wrote", out)
