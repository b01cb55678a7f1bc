#!/usr/bin/python3
"""The crash problems of crash_problems.json for Python tools, with the interface of ../shared/problems/problems.py.

load() returns {name: problem} for the crash problems only: each wraps its base problem from
../shared/problems/problems.py (loaded by path, read-only); objective and constraints are NaN inside the crash
region (a union of half-spaces a.x > b), so a caller treats the evaluation as failed. Meant for
bench/optuna_baseline.py --problems-dir bench/failures (a NaN evaluation becomes TrialState.FAIL there).

  /usr/bin/python3 bench/failures/problems.py list
  /usr/bin/python3 bench/failures/problems.py eval branin_crash 6 2     -> nan (crashes)
"""
import copy
import importlib.util
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "problems")


def _shared_module(folder=SHARED):
    spec = importlib.util.spec_from_file_location("bench_problems_shared", os.path.join(folder, "problems.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_crash_region(region, x):
    return any(sum(a * v for a, v in zip(h["a"], x)) > h["b"] for h in region)


class CrashProblem:
    """A base problem whose evaluations inside `crash_if_any` return NaN (objective and every constraint)."""

    def __init__(self, entry, base):
        self.base = base
        self.region = entry["crash_if_any"]
        self.spec = copy.deepcopy(base.spec)
        self.spec["name"] = entry["name"]
        self.spec["category"] = "crash"
        self.spec["crash_if_any"] = self.region
        self.spec["optimum"]["x"] = entry["optimum_x"]
        self.spec["optimum"].pop("all_x", None)
        self.name = entry["name"]
        self.budget = entry["budget"]
        self.dimension = base.dimension
        self.bounds = base.bounds
        self.sense = base.sense
        self.optimum = base.optimum

    def crashes(self, x):
        return in_crash_region(self.region, x)

    def objective(self, x):
        return math.nan if self.crashes(x) else self.base.objective(x)

    def constraints(self, x):
        g = self.base.constraints(x)
        return [math.nan] * len(g) if self.crashes(x) else g

    def feasible(self, x, tol=0.0):
        return not self.crashes(x) and self.base.feasible(x, tol)


def load(path=os.path.join(HERE, "crash_problems.json"), shared=SHARED):
    with open(path) as fh:
        entries = json.load(fh)["problems"]
    base = _shared_module(shared).load()
    return {e["name"]: CrashProblem(e, base[e["base"]]) for e in entries}


def main(argv):
    problems = load()
    if len(argv) >= 2 and argv[1] == "list":
        for p in problems.values():
            print(f"{p.name:24s} base {p.base.name:18s} d={p.dimension} budget {p.budget} optimum {p.optimum}")
        return 0
    if len(argv) >= 3 and argv[1] == "eval":
        p = problems[argv[2]]
        x = [float(v) for v in argv[3:]]
        print(json.dumps({"objective": p.objective(x), "constraints": p.constraints(x), "crashes": p.crashes(x)}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
