#!/usr/bin/python3
"""GP benchmark: bayesd (bench/gp/gp_bench) vs scikit-learn GaussianProcessRegressor on the same data, same run.

For each test function (d = 2 Branin, d = 6 Hartmann-6, d = 12 Hartmann-6 embedded in 12 dims with 6 inert
dimensions), each n and each repeat, draws n + 4 uniform training points (the last 4 are added one at a time for the
refit timings) and 1000 test points, adds Gaussian noise with sd = 1% of the function's sd, writes one dataset
file, runs gp_bench on the files and scikit-learn (ConstantKernel * Matern(nu=2.5, ARD) + WhiteKernel,
n_restarts_optimizer=5, normalize_y=True) on the same arrays, and prints a markdown table of medians.

At n >= --large-n scikit-learn runs with --sklearn-restarts-large restarts (default 0: one start, so its time is a
lower bound on the 6-start time; bayesd keeps its default starts). The "load" column is the 1-minute load average
before and after the row (other processes share the machine).

scikit-learn's "refit" is the closest warm start it offers: a new regressor started from the fitted kernel_
(n_restarts_optimizer=0) on n + 1 points. bayesd columns: "update" = block Cholesky update alone (hyperparameters
kept); "refit" = update + NewtonRefit from the fit's stored curvature (L-BFGS fallback when it fails; "Newton ok"
counts successes, "Newton gap" = median log-posterior shortfall vs the L-BFGS refit); "L-BFGS refit" = update + one
warm-started local L-BFGS run (policy tolerance and cap); "policy" = mean time per point of
GpRegressor::AddObservations with the default RefitPolicy over 4 added points. CPU columns are process CPU seconds (sklearn's include its BLAS threads).

Usage: /usr/bin/python3 bench/gp/run_gp_bench.py --bench build-gp/bench/gp/gp_bench [--sizes 50,100,...]
       [--dims 2,6,12] [--repeats 3] [--max-sklearn-n 2000] [--blas-threads 1] [--out table.md]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings


def _blas_threads_from_argv():
    # Must be in the environment before numpy loads OpenBLAS: same BLAS threads for scikit-learn and for gp_bench.
    for i, a in enumerate(sys.argv):
        if a == "--blas-threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--blas-threads="):
            return a.split("=", 1)[1]
    return None


if _blas_threads_from_argv():
    os.environ["OPENBLAS_NUM_THREADS"] = _blas_threads_from_argv()

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel


def branin(x):
    a, b = 15 * x[:, 0] - 5, 15 * x[:, 1]
    return (b - 5.1 / (4 * np.pi ** 2) * a ** 2 + 5 / np.pi * a - 6) ** 2 + 10 * (1 - 1 / (8 * np.pi)) * np.cos(a) + 10


H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
                 [17, 8, 0.05, 10, 0.1, 14]])
H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                        [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann6(x):
    x6 = x[:, :6]
    inner = np.sum(H6_A[None, :, :] * (x6[:, None, :] - H6_P[None, :, :]) ** 2, axis=2)
    return -np.sum(H6_ALPHA[None, :] * np.exp(-inner), axis=1)


FUNCTIONS = {2: ("branin", branin), 6: ("hartmann6", hartmann6), 12: ("hartmann6-in-12d", hartmann6)}


def noise_sd(f, d):
    rng = np.random.default_rng(12345)
    return 0.01 * np.std(f(rng.uniform(size=(20000, d))))


def make_dataset(f, d, n, m, seed, sd):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n + 4, d))
    y = f(x) + sd * rng.standard_normal(n + 4)
    xt = rng.uniform(size=(m, d))
    ft = f(xt)
    yt = ft + sd * rng.standard_normal(m)
    return x, y, xt, ft, yt


def write_dataset(path, x, y, xt, ft, yt):
    with open(path, "w") as out:
        out.write(f"{x.shape[0] - 4} {xt.shape[0]} {x.shape[1]}\n")
        np.savetxt(out, np.column_stack([x, y]), fmt="%.17g")
        np.savetxt(out, np.column_stack([xt, ft, yt]), fmt="%.17g")


def sklearn_run(x, y, xt, ft, yt, seed, restarts=5):
    n, d = x.shape[0] - 4, x.shape[1]
    kernel = ConstantKernel(1.0) * Matern(length_scale=np.ones(d), nu=2.5) + WhiteKernel(1e-2)
    gpr = GaussianProcessRegressor(kernel=kernel, n_restarts_optimizer=restarts, normalize_y=True, random_state=seed)
    t0, c0 = time.perf_counter(), time.process_time()
    gpr.fit(x[:n], y[:n])
    fit_s, fit_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    warm = GaussianProcessRegressor(kernel=gpr.kernel_, n_restarts_optimizer=0, normalize_y=True, random_state=seed)
    warm.fit(x[:n + 1], y[:n + 1])
    refit_s = time.perf_counter() - t0
    mean, std = gpr.predict(xt, return_std=True)
    rmse = float(np.sqrt(np.mean((mean - ft) ** 2)))
    var = std ** 2
    nlpd = float(np.mean(0.5 * np.log(2 * np.pi * var) + 0.5 * (yt - mean) ** 2 / var))
    return {"fit_s": fit_s, "fit_cpu_s": fit_cpu_s, "refit_s": refit_s, "rmse": rmse, "nlpd": nlpd}


def parse_results(text):
    rows, rss = {}, None
    for line in text.splitlines():
        if line.startswith("RESULT "):
            kv = dict(tok.split("=", 1) for tok in line.split()[1:])
            rows[kv["file"]] = {k: (float(v) if k != "file" else v) for k, v in kv.items()}
        elif line.startswith("MAXRSS_KB"):
            rss = int(line.split()[1])
    return rows, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="build-gp/bench/gp/gp_bench")
    ap.add_argument("--sizes", default="50,100,200,500,1000,2000")
    ap.add_argument("--dims", default="2,6,12")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--repeats-large", type=int, default=1, help="repeats at n >= 2000")
    ap.add_argument("--max-sklearn-n", type=int, default=1000)
    ap.add_argument("--sklearn-large-dims", default="2", help="dims where sklearn also runs at n > 500")
    ap.add_argument("--repeats-mid", type=int, default=2, help="repeats at 500 <= n < 2000")
    ap.add_argument("--sklearn-restarts", type=int, default=5, help="n_restarts_optimizer below --large-n")
    ap.add_argument("--sklearn-restarts-large", type=int, default=0,
                    help="n_restarts_optimizer at n >= --large-n (1 start: a lower bound on sklearn's 6-start time)")
    ap.add_argument("--large-n", type=int, default=1000)
    ap.add_argument("--blas-threads", default="", help="OPENBLAS_NUM_THREADS for both sides (empty: OpenBLAS default)")
    ap.add_argument("--test-points", type=int, default=1000)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    sizes = [int(s) for s in args.sizes.split(",")]
    dims = [int(s) for s in args.dims.split(",")]
    lines = ["| fn (d) | n | reps | sklearn starts | fit s bayesd | fit s sklearn | speedup wall | fit CPU s bayesd | "
             "fit CPU s sklearn | speedup CPU | refit ms (CPU ms) | refit evals | Newton ok | Newton gap nats | "
             "L-BFGS refit ms (CPU ms) | update ms | policy ms/pt | sklearn warm refit s | RMSE bayesd | RMSE sklearn | "
             "NLPD bayesd | NLPD sklearn | peak RSS MB | load 1 min |",
             "|" + "---|" * 24]
    tmp = tempfile.mkdtemp(prefix="gp_bench_")
    for d in dims:
        name, f = FUNCTIONS[d]
        sd = noise_sd(f, d)
        for n in sizes:
            reps = args.repeats if n < 500 else (args.repeats_mid if n < 2000 else args.repeats_large)
            large_dims = [int(v) for v in args.sklearn_large_dims.split(",") if v]
            run_sk = n <= args.max_sklearn_n and (n <= 500 or d in large_dims)
            files, sk = [], []
            sk_restarts = args.sklearn_restarts if n < args.large_n else args.sklearn_restarts_large
            load0 = os.getloadavg()[0]
            for r in range(reps):
                data = make_dataset(f, d, n, args.test_points, seed=1000 * d + 10 * r + n, sd=sd)
                path = os.path.join(tmp, f"{name}_n{n}_r{r}.txt")
                write_dataset(path, *data)
                files.append((path, data))
            out = subprocess.run([args.bench] + [p for p, _ in files], capture_output=True, text=True, check=True)
            ours, rss = parse_results(out.stdout)
            for r, (path, data) in enumerate(files):
                if run_sk:
                    sk.append(sklearn_run(*data, seed=r, restarts=sk_restarts))
            load1 = os.getloadavg()[0]
            med = lambda rows, k: statistics.median(row[k] for row in rows)
            o = [ours[p] for p, _ in files]
            nan = float("nan")
            skm = (lambda k: med(sk, k)) if sk else (lambda k: nan)
            gaps = [x["newton_gap"] for x in o if x["newton_ok"] == 1]
            gap = statistics.median(gaps) if gaps else nan
            row = (f"| {name} ({d}) | {n} | {reps} | {sk_restarts + 1 if sk else '—'} | {med(o, 'fit_s'):.3f} | "
                   f"{skm('fit_s'):.3f} | {skm('fit_s') / med(o, 'fit_s'):.1f}x | {med(o, 'fit_cpu_s'):.3f} | "
                   f"{skm('fit_cpu_s'):.3f} | {skm('fit_cpu_s') / med(o, 'fit_cpu_s'):.1f}x | "
                   f"{1e3 * med(o, 'refit_s'):.1f} ({1e3 * med(o, 'refit_cpu_s'):.1f}) | {med(o, 'refit_evals'):.0f} | "
                   f"{sum(x['newton_ok'] for x in o):.0f}/{len(o)} | {gap:.1e} | "
                   f"{1e3 * med(o, 'lbfgs_refit_s'):.1f} ({1e3 * med(o, 'lbfgs_refit_cpu_s'):.1f}) | "
                   f"{1e3 * med(o, 'update_s'):.2f} | {1e3 * med(o, 'policy_s'):.1f} | "
                   f"{skm('refit_s'):.3f} | {med(o, 'rmse'):.4g} | {skm('rmse'):.4g} | {med(o, 'nlpd'):.3f} | "
                   f"{skm('nlpd'):.3f} | {rss / 1024:.0f} | {load0:.1f}–{load1:.1f} |")
            lines.append(row)
            print(row, flush=True)
            if not all(x["ok"] == 1 for x in o):
                print(f"  warning: a bayesd fit reported failure for {name} n={n}", file=sys.stderr)
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(table + "\n")


if __name__ == "__main__":
    main()
