#!/usr/bin/python3
"""Issue 5 targets from benchmark run files (bayesd_bench / optuna_baseline.py, format "bayesd-bench/1").

For every problem under <runs>: per series (label) the runs with a feasible point, the median best feasible value,
its relative gap to the known optimum (regret / |optimum|, in %), and the median final regret; then, against the
baseline series (--baseline, default optuna-tpe), the number of seeds on which the series ends with a lower
regret and the ratio of median regrets.

Usage: /usr/bin/python3 bench/constrained_summary.py bench/out-constrained [--baseline optuna-tpe]
"""
import argparse
import glob
import json
import math
import os
import statistics


def load(folder):
    runs = {}
    for path in glob.glob(os.path.join(folder, "*", "*", "seed_*.json")):
        with open(path) as f:
            r = json.load(f)
        runs.setdefault(r["problem"], {}).setdefault(r["label"], {})[r["seed"]] = r
    return runs


def final_regret(r):
    reg = r["final"].get("regret")
    return math.inf if reg is None else max(reg, 0.0)


def fmt(v):
    if v is None or (isinstance(v, float) and math.isinf(v)):
        return "none"
    return f"{v:.3g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs")
    ap.add_argument("--baseline", default="optuna-tpe")
    args = ap.parse_args()
    runs = load(args.runs)
    print("| problem | series | seeds | evals | feasible runs | median best feasible | gap to optimum | "
          "median regret | seeds better than " + args.baseline + " | median regret / " + args.baseline + " |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for problem in sorted(runs):
        base = runs[problem].get(args.baseline, {})
        for label in sorted(runs[problem]):
            series = runs[problem][label]
            seeds = sorted(series)
            any_r = series[seeds[0]]
            opt = any_r["optimum"]
            feasible = sum(1 for s in seeds if series[s]["final"].get("best") is not None)
            bests = [series[s]["final"]["best"] if series[s]["final"].get("best") is not None
                     else (math.inf if any_r["minimize"] else -math.inf) for s in seeds]
            med_best = statistics.median(bests)
            regrets = [final_regret(series[s]) for s in seeds]
            med_reg = statistics.median(regrets)
            gap = med_reg / abs(opt) * 100 if opt != 0 else None
            common = [s for s in seeds if s in base]
            if label != args.baseline and common:
                wins = sum(1 for s in common if final_regret(series[s]) < final_regret(base[s]))
                bmed = statistics.median(final_regret(base[s]) for s in common)
                ratio = med_reg / bmed if bmed > 0 and math.isfinite(bmed) else None
                vs = f"{wins}/{len(common)}"
                rs = fmt(ratio)
            else:
                vs, rs = "", ""
            evals = statistics.median(series[s]["final"]["evaluations"] for s in seeds)
            gap_s = "n/a (optimum 0)" if gap is None else (f"{gap:.3g}%" if math.isfinite(gap) else "none")
            print(f"| {problem} | {label} | {len(seeds)} | {evals:g} | {feasible}/{len(seeds)} | {fmt(med_best)} | "
                  f"{gap_s} | {fmt(med_reg)} | {vs} | {rs} |")


if __name__ == "__main__":
    main()
