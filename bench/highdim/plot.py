#!/usr/bin/python3
"""Plots bench/out/highdim_<problem>.json (from highdim_bench) into docs/img/highdim_<problem>.png.

Median simple regret (best-so-far minus optimum) against evaluations, with the interquartile range shaded, one
line per strategy, log scale. Uses Debian's matplotlib: /usr/bin/python3 bench/highdim/plot.py [out_dir] [img_dir]
"""
import glob
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"zo": "tab:blue", "cbo": "tab:orange", "random": "tab:gray", "sobol": "tab:green",
          "zo_adam": "tab:blue", "cbo_standard": "tab:orange"}
# the settings before normalized zo steps and consensus hopping: dashed, in their strategy's colour
STYLES = {"zo_adam": "--", "cbo_standard": "--"}


def quantile(values, q):
    v = sorted(values)
    pos = q * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def plot(path, img_dir):
    with open(path) as f:
        res = json.load(f)
    evals = res["checkpoints"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for strategy, runs in res["strategies"].items():
        curves = [run["regret"] for run in runs]
        med = [quantile([c[k] for c in curves], 0.5) for k in range(len(evals))]
        q1 = [quantile([c[k] for c in curves], 0.25) for k in range(len(evals))]
        q3 = [quantile([c[k] for c in curves], 0.75) for k in range(len(evals))]
        color = COLORS.get(strategy)
        ax.plot(evals, med, label=f"{strategy} (n={len(runs)})", color=color, linestyle=STYLES.get(strategy, "-"))
        ax.fill_between(evals, q1, q3, alpha=0.1 if strategy in STYLES else 0.2, color=color)
    ax.set_yscale("log")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("simple regret (median, IQR)")
    ax.set_title(f"{res['problem']} on [-5, 10]^{res['dimension']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out = os.path.join(img_dir, f"highdim_{res['problem']}.png")
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(out)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "bench/out"
    img_dir = sys.argv[2] if len(sys.argv) > 2 else "docs/img"
    os.makedirs(img_dir, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(out_dir, "highdim_*.json"))):
        if path.endswith("highdim_serving.json"):
            continue
        plot(path, img_dir)


if __name__ == "__main__":
    main()
