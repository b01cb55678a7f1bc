#!/usr/bin/python3
"""Failed-trial benchmark summary: table and plots from the run files of bench/failures/run.sh.

Reads <runs>/<problem>/<label>/seed_*.json (format "bayesd-bench/1", bench/harness/runner.h; the evaluation records'
"failed" flag marks a crashed evaluation, reported to the study as a failed trial) for the crash problems of
bench/failures/crash_problems.json and writes
 - a markdown table (stdout): per problem and series, failed evaluations per run as median [q25, q75] and their
   share of the budget, failed evaluations after the first 10 (the model phase of the gp series), the final simple
   regret as median [q25, q75], feasible runs, and how many seeds beat gp_ignore / optuna-tpe on regret;
 - one PNG per problem, <img>/failures_<problem>.png: median log10 regret (25-75 % band) and median cumulative
   failed evaluations (band) against the evaluation number, one colour per series.
Regret below --floor is clipped; a run without a feasible evaluation has infinite regret.

Usage: /usr/bin/python3 bench/failures/summary.py bench/out-failures --img docs/img
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import report  # noqa: E402  (bench/report.py: run loading, quantiles, regret series)

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ["gp_impute", "gp_classifier", "gp_ignore", "optuna-tpe", "optuna-tpe-worst", "random", "sobol"]
MODEL_PHASE_START = 10


def fmt(v):
    if v is None or not np.isfinite(v):
        return "inf"
    if v == 0:
        return "0"
    a = abs(v)
    return f"{v:.3g}" if 1e-3 <= a < 1e4 else f"{v:.2e}"


def q3(values):
    q = np.quantile(np.asarray(values, float), [0.25, 0.5, 0.75])
    return q[1], q[0], q[2]


def final_regret(run):
    r = run["final"]["regret"]
    return np.inf if r is None else r


def failed_counts(run, start=0):
    return sum(1 for e in run["evaluations"][start:] if e["failed"])


def table(runs, problems):
    print("| problem | series | seeds | evals | failed per run, median [q25, q75] | failed share | failed after "
          f"eval {MODEL_PHASE_START} (median) | final regret, median [q25, q75] | feasible runs | seeds better than "
          "gp_ignore | seeds better than optuna-tpe |")
    print("|---|---|---:|---:|---|---:|---:|---|---:|---:|---:|")
    for prob in problems:
        series = runs.get(prob, {})
        labels = [l for l in ORDER if l in series] + sorted(l for l in series if l not in ORDER)
        by_seed = {l: {r["seed"]: final_regret(r) for r in series[l]} for l in labels}
        for label in labels:
            rs = series[label]
            n = int(np.median([r["final"]["evaluations"] for r in rs]))
            f, f25, f75 = q3([failed_counts(r) for r in rs])
            late = np.median([failed_counts(r, MODEL_PHASE_START) for r in rs])
            g, g25, g75 = q3([final_regret(r) for r in rs])
            feasible = sum(1 for r in rs if r["final"]["best"] is not None)
            cells = []
            for base in ("gp_ignore", "optuna-tpe"):
                if base == label or base not in by_seed:
                    cells.append("")
                    continue
                common = [s for s in by_seed[label] if s in by_seed[base]]
                better = sum(1 for s in common if by_seed[label][s] < by_seed[base][s])
                cells.append(f"{better}/{len(common)}")
            print(f"| {prob} | {label} | {len(rs)} | {n} | {fmt(f)} [{fmt(f25)}, {fmt(f75)}] | {100 * f / n:.0f}% | "
                  f"{fmt(late)} | {fmt(g)} [{fmt(g25)}, {fmt(g75)}] | {feasible}/{len(rs)} | {cells[0]} | {cells[1]} |")


def plot(runs, prob, path, floor):
    import matplotlib.pyplot as plt

    series = runs[prob]
    labels = [l for l in ORDER if l in series] + sorted(l for l in series if l not in ORDER)
    fig, (ax_r, ax_f) = plt.subplots(1, 2, figsize=(11, 4))
    for i, label in enumerate(labels):
        rs = series[label]
        steps = min(len(r["evaluations"]) for r in rs)
        colour = f"C{i}"
        reg = np.array([report.regret_series(r, floor)[:steps] for r in rs])
        q = report.quantiles(np.log10(reg))
        xs = np.arange(1, steps + 1)
        ax_r.plot(xs, q[1], color=colour, label=label)
        ax_r.fill_between(xs, q[0], q[2], color=colour, alpha=0.15)
        fails = np.array([np.cumsum([e["failed"] for e in r["evaluations"][:steps]]) for r in rs], float)
        fq = np.quantile(fails, [0.25, 0.5, 0.75], axis=0)
        ax_f.plot(xs, fq[1], color=colour, label=label)
        ax_f.fill_between(xs, fq[0], fq[2], color=colour, alpha=0.15)
    ax_r.set_xlabel("evaluation")
    ax_r.set_ylabel("log10 simple regret (median, 25-75 %)")
    ax_f.set_xlabel("evaluation")
    ax_f.set_ylabel("failed evaluations so far (median, 25-75 %)")
    ax_r.set_title(f"{prob}: regret")
    ax_f.set_title(f"{prob}: crashed evaluations")
    ax_f.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs")
    ap.add_argument("--img", help="write failures_<problem>.png here")
    ap.add_argument("--floor", type=float, default=1e-9)
    args = ap.parse_args()
    with open(os.path.join(HERE, "crash_problems.json")) as fh:
        problems = [p["name"] for p in json.load(fh)["problems"]]
    runs = report.load_runs(args.runs, problems=set(problems))
    problems = [p for p in problems if p in runs]
    table(runs, problems)
    if args.img:
        import matplotlib

        matplotlib.use("Agg")
        os.makedirs(args.img, exist_ok=True)
        for prob in problems:
            plot(runs, prob, os.path.join(args.img, f"failures_{prob}.png"), args.floor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
