#!/usr/bin/python3
"""Accuracy ablations for issue 3 (docs/gp.md "Accuracy against scikit-learn").

Draws the datasets exactly as run_gp_bench.py (same seeds: repeat r of (d, n) uses seed 1000 d + 10 r + n, so
r = 0..2 are the benchmark table's datasets), fits scikit-learn once per dataset (cached in $GP_ACC_WORK/sk_cache.json,
default /tmp/gp_accuracy), then runs gp_bench with each ';'-separated option set on the same files and prints, per
option set, the median RMSE / NLPD, the geometric mean of the per-dataset RMSE ratio ours/sklearn, the wins, and the
mean per-dataset NLPD difference (negative = ours better).

Usage: /usr/bin/python3 bench/gp/accuracy_ablation.py --bench build/bench/gp/gp_bench --cells 2:50,12:50 --reps 10 \
         --opts=";--no-ls-prior;--ls-prior-log --ls-prior-shift=-3 --ls-prior-scale=3.5"
"""
import json, os, sys, subprocess, math, statistics, argparse
WORK = os.environ.get("GP_ACC_WORK", "/tmp/gp_accuracy")
os.environ["OPENBLAS_NUM_THREADS"] = "1"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import warnings
import run_gp_bench as R
import numpy as np
from sklearn.exceptions import ConvergenceWarning
warnings.filterwarnings("ignore")

ap = argparse.ArgumentParser()
ap.add_argument("--cells", default="2:50,2:100")  # d:n
ap.add_argument("--reps", type=int, default=10)
ap.add_argument("--bench", default="build/bench/gp/gp_bench")
ap.add_argument("--opts", default="")   # gp_bench options, ';'-separated configs, each space separated
ap.add_argument("--verbose", action="store_true")
ap.add_argument("--sklearn-only", action="store_true", help="only fill the scikit-learn cache (no gp_bench runs)")
a = ap.parse_args()
cache_path = os.path.join(WORK, "sk_cache.json")


# Student-t 0.975 quantiles for 1..30 degrees of freedom (scipy is not needed for this).
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def paired_interval(v):
    """95% t interval of the mean of per-dataset paired differences (None with fewer than 2 datasets)."""
    if len(v) < 2:
        return None
    m = sum(v) / len(v)
    se = statistics.stdev(v) / math.sqrt(len(v))
    t = T975[min(len(v) - 2, len(T975) - 1)]
    return (m - t * se, m + t * se)


def verdict(ci_log_ratio, ci_dnlpd):
    """Ours vs scikit-learn per metric: 'ahead' / 'behind' when the interval excludes 0, else 'tie'."""
    def one(ci):
        return "ahead" if ci[1] < 0 else "behind" if ci[0] > 0 else "tie"
    return f"RMSE {one(ci_log_ratio)}, NLPD {one(ci_dnlpd)}"
cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
configs = a.opts.split(";") if a.opts else [""]
for cell in a.cells.split(","):
    d, n = map(int, cell.split(":"))
    name, f = R.FUNCTIONS[d]
    sd = R.noise_sd(f, d)
    files = []
    for r in range(a.reps):
        path = f"{WORK}/data/{name}_n{n}_r{r}.txt"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = R.make_dataset(f, d, n, 1000, seed=1000 * d + 10 * r + n, sd=sd)
        if not os.path.exists(path):
            R.write_dataset(path, *data)
        if path not in cache:
            res = R.sklearn_run(*data, seed=r, restarts=5)
            # sklearn hyperparameters
            cache[path] = res
            json.dump(cache, open(cache_path, "w"))
        files.append(path)
    sk = [cache[p] for p in files]
    if a.sklearn_only:
        continue
    print(f"== {name} n={n} reps={a.reps}: sklearn median RMSE {statistics.median(s['rmse'] for s in sk):.4g} NLPD {statistics.median(s['nlpd'] for s in sk):.3f}")
    for cfg in configs:
        out = subprocess.run([a.bench] + cfg.split() + files, capture_output=True, text=True, check=True).stdout
        rows, _ = R.parse_results(out)
        thetas = {l.split()[1][5:]: l for l in out.splitlines() if l.startswith("THETA")}
        msgs = {l.split()[1][5:]: l.split(" ", 2)[2] for l in out.splitlines() if l.startswith("MESSAGE")}
        o = [rows[p] for p in files]
        lr = [math.log(x["rmse"] / s["rmse"]) for x, s in zip(o, sk)]
        dn = [x["nlpd"] - s["nlpd"] for x, s in zip(o, sk)]
        wins = sum(1 for v in lr if v <= 0)
        ci_r, ci_n = paired_interval(lr), paired_interval(dn)
        print(f"  [{cfg or 'default'}] med RMSE {statistics.median(x['rmse'] for x in o):.4g} NLPD {statistics.median(x['nlpd'] for x in o):.3f} "
              f"| geo-mean RMSE ratio {math.exp(sum(lr)/len(lr)):.3f} wins {wins}/{len(o)} | mean dNLPD {sum(dn)/len(dn):+.3f} "
              f"| fit cpu {statistics.median(x['fit_cpu_s'] for x in o):.3f} evals {statistics.median(x['evals'] for x in o):.0f}")
        if ci_r:
            print(f"      paired 95% intervals: RMSE ratio [{math.exp(ci_r[0]):.4f}, {math.exp(ci_r[1]):.4f}] "
                  f"dNLPD [{ci_n[0]:+.4f}, {ci_n[1]:+.4f}] ({verdict(ci_r, ci_n)})")
        if a.verbose:
            for p, x, s in zip(files, o, sk):
                print(f"    {os.path.basename(p)} rmse {x['rmse']:.4g}/{s['rmse']:.4g} nlpd {x['nlpd']:.3f}/{s['nlpd']:.3f} lml {x['lml']:.2f} {thetas[p].split()[2:]}")
                if p in msgs:
                    print(f"      {msgs[p]}")
