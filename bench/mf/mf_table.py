#!/usr/bin/python3
"""Multi-fidelity vs single-fidelity at equal cost (issue 6 targets).

Reads <runs>/<problem>/<label>/seed_*.json (bench/harness/runner.h) and prints, per problem, the simple regret at
the target fidelity after cumulative cost C for C = each of --fractions of the cost budget (an evaluation counts
once its cum_cost <= C; runs without a target evaluation by then have infinite regret), median [q25, q75] over
seeds per series, and the ratio median(baseline) / median(series) at the full budget.

Usage: /usr/bin/python3 bench/mf/mf_table.py bench/out-mf --baseline gp_target_only
"""
import argparse
import glob
import json
import math
import os

import numpy as np


def regret_at(run, cost, floor):
    best = math.inf
    for e in run["evaluations"]:
        if e["cum_cost"] > cost + 1e-9:
            break
        if e.get("regret") is not None:
            best = min(best, max(e["regret"], floor))
    return best


def fmt(v):
    return "inf" if not math.isfinite(v) else f"{v:.3g}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("--baseline", default="gp_target_only")
    ap.add_argument("--fractions", default="0.25,0.5,1")
    ap.add_argument("--floor", type=float, default=1e-6)
    args = ap.parse_args()
    fractions = [float(f) for f in args.fractions.split(",")]
    print("| problem | series | seeds | " + " | ".join(f"regret at {f:g} x budget" for f in fractions) +
          " | low-fidelity share of cost | baseline / series at budget |")
    print("|---|---|---:|" + "---|" * len(fractions) + "---:|---:|")
    for pdir in sorted(glob.glob(os.path.join(args.runs, "*"))):
        problem = os.path.basename(pdir)
        series = {}
        for ldir in sorted(glob.glob(os.path.join(pdir, "*"))):
            runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(ldir, "seed_*.json")))]
            runs = [r for r in runs if r.get("status") == "ok" and r["evaluations"]]
            if runs:
                series[os.path.basename(ldir)] = runs
        if not series:
            continue
        budget = min(r["budget"]["cost"] for runs in series.values() for r in runs if r["budget"]["cost"])
        medians = {}
        for label, runs in series.items():
            cells = []
            for f in fractions:
                v = np.array([regret_at(r, f * budget, args.floor) for r in runs])
                q = np.quantile(v, [0.25, 0.5, 0.75]) if np.all(np.isfinite(v)) else [
                    np.quantile(np.where(np.isfinite(v), v, 1e300), x) for x in (0.25, 0.5, 0.75)]
                q = [math.inf if x >= 1e299 else x for x in q]
                cells.append(f"{fmt(q[1])} [{fmt(q[0])}, {fmt(q[2])}]")
                if f == fractions[-1]:
                    medians[label] = q[1]
            low = []
            for r in runs:
                tot = sum(e["cost"] for e in r["evaluations"] if e["cum_cost"] <= budget + 1e-9)
                lo = sum(e["cost"] for e in r["evaluations"] if e["cum_cost"] <= budget + 1e-9 and not e["at_target"])
                low.append(lo / tot if tot > 0 else 0)
            medians[label + "/low"] = float(np.median(low))
            series[label] = (runs, cells)
        for label, (runs, cells) in series.items():
            base = medians.get(args.baseline)
            ratio = base / medians[label] if base is not None and medians[label] > 0 else math.nan
            print(f"| {problem} | {label} | {len(runs)} | " + " | ".join(cells) +
                  f" | {medians[label + '/low']:.2f} | {ratio:.3g} |")


if __name__ == "__main__":
    main()
