#!/usr/bin/python3
"""Plots and tables from benchmark run files (bayesd_bench and bench/optuna_baseline.py outputs).

Reads <runs>/<problem>/<label>/seed_*.json (format "bayesd-bench/1", see bench/harness/runner.h) and writes
 - one PNG per problem, <img>/<prefix><problem>.png: best-so-far (left) and log10 simple regret (right) against the
   evaluation number, or against cumulative cost for multi-fidelity runs, with the median over seeds as a line and
   the 25-75 % quantile band shaded, one colour per series (label);
 - a markdown table (stdout, or --table FILE): per problem and series, seeds, final evaluations and cost, final
   simple regret as median [q25, q75], feasible runs, and the median suggest time;
 - with --target PROBLEM=VALUE: per series of that problem, how many consecutive blocks of --block (10) seeds have a
   median final regret at or below VALUE, and the share of all --block-seed subsets of the runs that do -- the odds
   that a table measured on another 10 seeds meets the target (bench/stats.py);
 - with --paired A:B: per problem, series B against series A on the seeds both ran, log final regret: runs better /
   worse and the two-sided Wilcoxon signed-rank p value (bench/stats.py).
Runs without a feasible target-fidelity evaluation yet count as infinitely bad (they push quantiles up and are not
drawn where the quantile is unbounded). Regret below --floor (ties with the stated optimum, its rounding) is clipped.

Usage: /usr/bin/python3 bench/report.py bench/out --img docs/img --prefix bench_ --table docs/bench_table.md
"""
import argparse
import glob
import json
import math
import os
import sys

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stats  # noqa: E402

HUGE = 1e300  # stands for "no feasible value yet" inside quantile computations


def load_runs(root, problems=None, labels=None):
    """{problem: {label: [run, ...]}} from every run file under root."""
    out = {}
    for path in sorted(glob.glob(os.path.join(root, "*", "*", "seed_*.json"))):
        with open(path) as fh:
            run = json.load(fh)
        if run.get("format") != "bayesd-bench/1":
            continue
        if (problems and run["problem"] not in problems) or (labels and run["label"] not in labels):
            continue
        out.setdefault(run["problem"], {}).setdefault(run["label"], []).append(run)
    return out


def quantiles(matrix):
    """Columnwise 25/50/75 % quantiles of a seeds x steps matrix holding +inf for 'not yet'; NaN where unbounded."""
    m = np.where(np.isfinite(matrix), matrix, HUGE)
    q = np.quantile(m, [0.25, 0.5, 0.75], axis=0)
    q[q >= HUGE / 10] = np.nan
    return q


def signed_best(run, sign):
    """Best-so-far per evaluation, sign-adjusted so smaller is better; +inf before the first feasible one."""
    return np.array([sign * r["best"] if r["best"] is not None else np.inf for r in run["evaluations"]])


def regret_series(run, floor):
    return np.array([max(r["regret"], floor) if r["regret"] is not None else np.inf for r in run["evaluations"]])


def on_eval_grid(series_list):
    n = min(len(s) for s in series_list)
    return np.arange(1, n + 1), np.vstack([s[:n] for s in series_list])


def on_cost_grid(runs, series_list, points=200):
    """Step functions of cumulative cost onto a common grid up to the smallest final cost (all runs cover it)."""
    end = min(r["evaluations"][-1]["cum_cost"] for r in runs)
    start = min(r["evaluations"][0]["cum_cost"] for r in runs)
    grid = np.linspace(start, end, points)
    rows = []
    for run, s in zip(runs, series_list):
        costs = np.array([r["cum_cost"] for r in run["evaluations"]])
        idx = np.searchsorted(costs, grid, side="right") - 1  # last evaluation with cum_cost <= c
        rows.append(np.where(idx >= 0, s[np.clip(idx, 0, None)], np.inf))
    return grid, np.vstack(rows)


def colours(all_labels):
    """One colour per label: tab10 up to 10 labels, tab20 beyond (distinct colours for up to 20 series)."""
    labels = sorted(all_labels)
    cmap, k = (plt.get_cmap("tab10"), 10) if len(labels) <= 10 else (plt.get_cmap("tab20"), 20)
    return {label: cmap(i % k) for i, label in enumerate(labels)}


def plot_problem(problem, by_label, colour, path, floor):
    any_run = next(iter(by_label.values()))[0]
    minimize = any_run["minimize"]
    sign = 1.0 if minimize else -1.0
    by_cost = any(r.get("fidelity") for runs in by_label.values() for r in runs)
    fig, (ax_best, ax_regret) = plt.subplots(1, 2, figsize=(9.0, 3.7), dpi=80)
    for label in sorted(by_label):
        runs = [r for r in by_label[label] if r["evaluations"]]
        if not runs:
            continue
        for ax, series in ((ax_best, [signed_best(r, sign) for r in runs]),
                           (ax_regret, [regret_series(r, floor) for r in runs])):
            x, m = on_cost_grid(runs, series) if by_cost else on_eval_grid(series)
            if ax is ax_regret:
                m = np.log10(m)
            q = quantiles(m)
            if ax is ax_best:
                q = sign * q
            ax.plot(x, q[1], color=colour[label], lw=1.6, label=f"{label} (n={len(runs)})",
                    drawstyle="steps-post")
            ax.fill_between(x, q[0], q[2], color=colour[label], alpha=0.18 if len(by_label) <= 6 else 0.07, lw=0,
                            step="post")
    xlabel = "cumulative cost" if by_cost else "evaluations"
    ax_best.axhline(any_run["optimum"], color="0.3", ls=":", lw=1, label="optimum")
    ax_best.set(xlabel=xlabel, ylabel="best feasible value", title=f"{problem}: best so far")
    ax_regret.set(xlabel=xlabel, ylabel="log10 simple regret", title=f"{problem}: log10 regret")
    for ax in (ax_best, ax_regret):
        ax.grid(alpha=0.3, lw=0.5)
        ax.tick_params(labelsize=8)
        ax.title.set_fontsize(10)
        ax.xaxis.label.set_fontsize(9)
        ax.yaxis.label.set_fontsize(9)
    _set_best_ylim(ax_best, by_label, any_run)
    handles, labels = ax_regret.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 6), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _set_best_ylim(ax, by_label, any_run):
    """Zoom on the interesting range: from the optimum to the worst series median (a fifth in, or at the end)."""
    lo, hi = ax.get_ylim()
    opt = any_run["optimum"]
    sign = 1.0 if any_run["minimize"] else -1.0
    worst = None
    for all_runs in by_label.values():
        runs = [r for r in all_runs if r["evaluations"]]
        if not runs:
            continue
        n = min(len(r["evaluations"]) for r in runs)
        for k in (n // 5, n - 1):  # a fifth into the budget, and the end (late starters)
            vals = [sign * r["evaluations"][k]["best"] for r in runs if r["evaluations"][k]["best"] is not None]
            if len(vals) * 2 > len(runs):  # a median exists
                m = sign * float(np.median(vals))
                worst = m if worst is None or sign * m > sign * worst else worst
    if worst is None:
        return
    a, b = sorted([opt, worst])
    pad = 0.08 * (b - a if b > a else max(abs(a), 1.0))
    ax.set_ylim(max(lo, a - pad), min(hi, b + pad))


def fmt(v):
    if v is None or not math.isfinite(v):
        return "∞"  # no feasible target-fidelity value (in enough runs for this quantile)
    if v == 0:
        return "0"
    return f"{v:.2e}" if abs(v) < 1e-2 or abs(v) >= 1e4 else f"{v:.3g}"


def table(runs_by_problem, floor):
    lines = ["| problem | strategy | seeds | evals | cost | final regret median [q25, q75] | feasible runs | "
             "suggest ms (median) |",
             "|---|---|---:|---:|---:|---|---:|---:|"]
    for problem in runs_by_problem:
        for label in sorted(runs_by_problem[problem]):
            runs = runs_by_problem[problem][label]
            if not any(r["evaluations"] for r in runs):
                lines.append(f"| {problem} | {label} | {len(runs)} | 0 | 0 | error: {runs[0]['error']} | | |")
                continue
            reg = np.array([max(r["final"]["regret"], floor) if r["final"]["regret"] is not None else np.inf
                            for r in runs])
            q = quantiles(reg[:, None])[:, 0]
            q = [None if np.isnan(v) else float(v) for v in q]
            evals = np.median([r["final"]["evaluations"] for r in runs])
            cost = np.median([r["final"]["cum_cost"] for r in runs])
            feasible = int(np.isfinite(reg).sum())
            ms = np.median([r["final"]["suggest_ms_median"] for r in runs])
            errors = sum(r["status"] != "ok" for r in runs)
            note = f" ({errors} errored)" if errors else ""
            lines.append(f"| {problem} | {label}{note} | {len(runs)} | {evals:g} | {cost:g} | "
                         f"{fmt(q[1])} [{fmt(q[0])}, {fmt(q[2])}] | {feasible}/{len(runs)} | {ms:.3g} |")
    return "\n".join(lines) + "\n"


def final_regrets(runs, floor):
    """{seed: final regret} (floored; +inf without a feasible target-fidelity value)."""
    return {r["seed"]: max(r["final"]["regret"], floor) if r["final"]["regret"] is not None else math.inf
            for r in runs if r["evaluations"]}


def targets_table(runs_by_problem, targets, block, floor):
    lines = [f"| problem | strategy | seeds | final regret median | target | {block}-seed blocks at or under it | "
             f"share of all {block}-seed subsets at or under it |",
             "|---|---|---:|---|---|---|---:|"]
    for problem, target in targets.items():
        for label in sorted(runs_by_problem.get(problem, {})):
            reg = final_regrets(runs_by_problem[problem][label], floor)
            if not reg:
                continue
            values = list(reg.values())
            blocks = stats.block_medians(reg, block)
            met = sum(m <= target for _, m in blocks)
            odds = stats.subsample_median_odds(values, target, k=block)
            lines.append(f"| {problem} | {label} | {len(values)} | {fmt(float(np.median(values)))} | {fmt(target)} | "
                         f"{met} of {len(blocks)} | {odds:.2f} |")
    return "\n".join(lines) + "\n"


def paired_table(runs_by_problem, pairs, floor):
    lines = ["| problem | A | B | seeds | median A -> B | B better / worse | p (Wilcoxon, log regret) |",
             "|---|---|---|---:|---|---|---:|"]
    for problem, by_label in runs_by_problem.items():
        for a, b in pairs:
            if a not in by_label or b not in by_label:
                continue
            ra, rb = final_regrets(by_label[a], floor), final_regrets(by_label[b], floor)
            seeds = sorted(set(ra) & set(rb))
            if not seeds:
                continue
            la = [math.log(ra[s]) if math.isfinite(ra[s]) else math.inf for s in seeds]
            lb = [math.log(rb[s]) if math.isfinite(rb[s]) else math.inf for s in seeds]
            better = sum(y < x for x, y in zip(la, lb))
            worse = sum(y > x for x, y in zip(la, lb))
            _, _, p = stats.wilcoxon_signed_rank(la, lb)
            med_a = float(np.median([ra[s] for s in seeds]))
            med_b = float(np.median([rb[s] for s in seeds]))
            lines.append(f"| {problem} | {a} | {b} | {len(seeds)} | {fmt(med_a)} -> {fmt(med_b)} | {better} / {worse} | "
                         f"{p:.2g} |")
    return "\n".join(lines) + "\n"


def parse_targets(items):
    out = {}
    for item in items or []:
        problem, _, value = item.partition("=")
        try:
            out[problem] = float(value)
        except ValueError:
            problem = ""
        if not problem:
            raise SystemExit(f"--target wants PROBLEM=VALUE, got {item!r}")
    return out


def parse_pairs(items):
    out = []
    for item in items or []:
        a, sep, b = item.partition(":")
        if not sep or not a or not b:
            raise SystemExit(f"--paired wants A:B (two series labels), got {item!r}")
        out.append((a, b))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="?", default="bench/out", help="run directory (bayesd_bench --out)")
    ap.add_argument("--img", default=None, help="write one PNG per problem into this folder")
    ap.add_argument("--prefix", default="bench_", help="PNG file name prefix")
    ap.add_argument("--table", default=None, help="write the markdown table here (default: stdout)")
    ap.add_argument("--problems", default=None, help="comma-separated subset of problems")
    ap.add_argument("--labels", default=None, help="comma-separated subset of series labels")
    ap.add_argument("--floor", type=float, default=1e-8, help="regret floor for the log plot and table")
    ap.add_argument("--target", action="append", metavar="PROBLEM=VALUE",
                    help="final-regret target of a problem: blocks of --block seeds and subset odds (repeatable)")
    ap.add_argument("--block", type=int, default=10, help="seeds per block for --target (default 10)")
    ap.add_argument("--paired", action="append", metavar="A:B",
                    help="series B against series A, per seed: better / worse and Wilcoxon p (repeatable)")
    args = ap.parse_args()
    targets, pairs = parse_targets(args.target), parse_pairs(args.paired)
    if args.block < 1:
        raise SystemExit("--block must be at least 1")

    runs = load_runs(args.runs, set(args.problems.split(",")) if args.problems else None,
                     set(args.labels.split(",")) if args.labels else None)
    if not runs:
        print(f"no run files under {args.runs}", file=sys.stderr)
        return 1
    if args.img:
        os.makedirs(args.img, exist_ok=True)
        colour = colours({label for by_label in runs.values() for label in by_label})
        for problem, by_label in runs.items():
            path = os.path.join(args.img, f"{args.prefix}{problem}.png")
            plot_problem(problem, by_label, colour, path, args.floor)
            print(f"wrote {path} ({os.path.getsize(path) // 1024} KB)", file=sys.stderr)
    md = table(runs, args.floor)
    if targets:
        md += "\n" + targets_table(runs, targets, args.block, args.floor)
    if pairs:
        md += "\n" + paired_table(runs, pairs, args.floor)
    if args.table:
        with open(args.table, "w") as fh:
            fh.write(md)
    else:
        sys.stdout.write(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
