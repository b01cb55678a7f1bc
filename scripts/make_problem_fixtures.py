#!/usr/bin/python3
"""Reference values for the C++ port of the benchmark problems (bench/problems/problems.cc).

Runs the independent reference implementation, `problems.py eval NAME x1 x2 ...` from ../shared/problems (relative to
the repository root; override with --problems), at several points per problem and writes its answers verbatim to
tests/fixtures/problems.json, read by tests/problems/problems_test.cc.

Points per problem: every stated optimum location, reference points, the lower and upper corner of the box, the box
centre and seeded uniform random points. The dimension-generic ackley_<d>d / rastrigin_<d>d problems of the port are
checked against the d-generic formulas of ackley2d_constrained / rastrigin_20d evaluated at d-dimensional points.

Usage (Debian's python with numpy): /usr/bin/python3 scripts/make_problem_fixtures.py [--random 6] [--seed 20261123]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Port-only problems: name -> (reference problem in problems.json whose formula is evaluated, dimension, box).
GENERIC = {
    "ackley_5d": ("ackley2d_constrained", 5, (-5.0, 10.0)),
    "rastrigin_5d": ("rastrigin_20d", 5, (-5.12, 5.12)),
}


def evaluate(problems_py, name, x):
    """One `problems.py eval` call; returns its JSON answer."""
    args = [sys.executable, problems_py, "eval", name] + [repr(float(v)) for v in x]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def points_for(spec, bounds, rng, n_random):
    bounds = np.asarray(bounds, dtype=float)
    pts = []
    opt = spec.get("optimum", {}) if spec else {}
    for x in opt.get("all_x") or ([opt["x"]] if "x" in opt else []):
        pts.append(list(map(float, x)))
    for ref in (spec or {}).get("reference_points", []):
        pts.append(list(map(float, ref["x"])))
    pts.append(list(bounds[:, 0]))
    pts.append(list(bounds[:, 1]))
    pts.append(list(bounds.mean(axis=1)))
    for _ in range(n_random):
        pts.append(list(rng.uniform(bounds[:, 0], bounds[:, 1])))
    return pts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problems", default=os.path.join(REPO, "..", "shared", "problems"),
                    help="folder holding problems.py and problems.json")
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "fixtures", "problems.json"))
    ap.add_argument("--random", type=int, default=6, help="uniform random points per problem")
    ap.add_argument("--seed", type=int, default=20261123)
    args = ap.parse_args()

    problems_py = os.path.join(args.problems, "problems.py")
    with open(os.path.join(args.problems, "problems.json")) as fh:
        specs = json.load(fh)
    rng = np.random.default_rng(args.seed)

    cases = []
    for spec in specs:
        for x in points_for(spec, spec["bounds"], rng, args.random):
            cases.append({"problem": spec["name"], "x": x, "expect": evaluate(problems_py, spec["name"], x)})
    for name, (ref, d, (lo, hi)) in GENERIC.items():
        pseudo = {"optimum": {"x": [0.0] * d}}
        for x in points_for(pseudo, [[lo, hi]] * d, rng, args.random):
            ans = evaluate(problems_py, ref, x)
            cases.append({"problem": name, "x": x, "expect": {"objective": ans["objective"]}})

    fixture = {
        "generator": "scripts/make_problem_fixtures.py",
        "reference": "../shared/problems/problems.py eval (NumPy " + np.__version__ + ")",
        "seed": args.seed,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(fixture, fh, indent=1)
        fh.write("\n")
    print(f"wrote {len(cases)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
