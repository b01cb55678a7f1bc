#!/usr/bin/python3
"""Prototype for issue 3: choose the lengthscale-prior width per dataset by the Laplace approximation of the evidence.

For each width w, gp_bench fits with log l ~ Normal(c_d, w) (density of log l; c_d = sqrt(2) + log(d)/2 - 3, the
log-space centre of the default Hvarfner prior, which is this family with w = sqrt(3)). The evidence
log Z(w) ~ log p(y | theta*) + log p(theta* | w) + p/2 log 2 pi - 1/2 log det H (H: finite-difference Hessian of the
negative log posterior in log space, eigenvalues floored at 1e-6) is computed here in numpy on the standardized
outputs, and the width with the larger evidence is picked per dataset. Needs the scikit-learn cache written by
accuracy_ablation.py for the same cells and repeats.

Usage: /usr/bin/python3 bench/gp/prior_evidence.py --bench build/bench/gp/gp_bench --cells 2:50,2:100,6:50,12:50
"""
import json, os, sys, subprocess, math, statistics, argparse
WORK = os.environ.get("GP_ACC_WORK", "/tmp/gp_accuracy")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_gp_bench as R
os.environ["OPENBLAS_NUM_THREADS"] = "1"
import numpy as np
ap = argparse.ArgumentParser()
ap.add_argument("--cells", default="2:50,2:100")
ap.add_argument("--reps", type=int, default=10)
ap.add_argument("--widths", default="1.7320508,3.5")
ap.add_argument("--bench", default="build/bench/gp/gp_bench")
a = ap.parse_args()
cache = json.load(open(os.path.join(WORK, "sk_cache.json")))
widths = [float(w) for w in a.widths.split(",")]

def matern52(x, ls, s2):
    z = x / ls
    d2 = np.maximum(((z[:, None, :] - z[None, :, :]) ** 2).sum(-1), 0)
    r = np.sqrt(5 * d2)
    return s2 * (1 + r + r * r / 3) * np.exp(-r)

def logpost(th, x, z, center, width):
    d = x.shape[1]
    ls, s2, nv = np.exp(th[:d]), np.exp(th[d]), np.exp(th[d + 1])
    K = matern52(x, ls, s2) + nv * np.eye(len(z))
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        return -np.inf
    w = np.linalg.solve(L, z)
    lml = -0.5 * w @ w - np.log(np.diag(L)).sum() - 0.5 * len(z) * np.log(2 * np.pi)
    lp = np.sum(-0.5 * ((th[:d] - center) / width) ** 2 - np.log(width * np.sqrt(2 * np.pi)))
    # noise LogNormal(-4, 1) on v, as density of theta: log p(v) + theta
    t = th[d + 1]
    lp += -t - 0.5 * (t + 4) ** 2 - np.log(np.sqrt(2 * np.pi)) + t
    return lml + lp

def laplace(th, x, z, center, width, h=1e-3):
    p = len(th)
    f0 = logpost(th, x, z, center, width)
    H = np.zeros((p, p))
    for i in range(p):
        for j in range(i, p):
            e_i = np.eye(p)[i] * h; e_j = np.eye(p)[j] * h
            v = (logpost(th + e_i + e_j, x, z, center, width) - logpost(th + e_i - e_j, x, z, center, width)
                 - logpost(th - e_i + e_j, x, z, center, width) + logpost(th - e_i - e_j, x, z, center, width)) / (4 * h * h)
            H[i, j] = H[j, i] = -v
    ev = np.linalg.eigvalsh(H)
    ev = np.maximum(ev, 1e-6)
    return f0 + 0.5 * p * np.log(2 * np.pi) - 0.5 * np.sum(np.log(ev))

for cell in a.cells.split(","):
    d, n = map(int, cell.split(":"))
    name, f = R.FUNCTIONS[d]
    center = math.sqrt(2) + 0.5 * math.log(d) - 3
    files = [f"{WORK}/data/{name}_n{n}_r{r}.txt" for r in range(a.reps)]
    sk = [cache[p] for p in files]
    res = []
    for w in widths:
        cfg = ["--ls-prior-log", "--ls-prior-shift=-3", f"--ls-prior-scale={w}", "--ls-sample-hvarfner"]
        out = subprocess.run([a.bench] + cfg + files, capture_output=True, text=True, check=True).stdout
        rows, _ = R.parse_results(out)
        th = {}
        for l in out.splitlines():
            if l.startswith("THETA"):
                th[l.split()[1][5:]] = (float(l.split()[2][3:]), np.array([float(v) for v in l.split("theta=")[1].split(",")]))
        res.append((rows, th, w))
    picks = []
    for i, p in enumerate(files):
        nn, m, dd = map(int, open(p).readline().split())
        arr = np.loadtxt(p, skiprows=1, max_rows=nn + 4)
        x, y = arr[:nn, :dd], arr[:nn, dd]
        evs = []
        for rows, th, w in res:
            sd, t = th[p]
            z = (y - y.mean()) / sd
            evs.append(laplace(t, x, z, center, w))
        j = int(np.argmax(evs))
        picks.append(j)
        print(f"   {os.path.basename(p)} evidence {' '.join(f'{e:.2f}' for e in evs)} rmse {' '.join('%.4g' % r[0][p]['rmse'] for r in res)} sk {sk[i]['rmse']:.4g}")
    o = [res[j][0][p] for j, p in zip(picks, files)]
    lr = [math.log(x["rmse"] / s["rmse"]) for x, s in zip(o, sk)]
    print(f"== {name} n={n}: picks {picks} geo RMSE ratio {math.exp(np.mean(lr)):.3f} wins {sum(v <= 0 for v in lr)} mean dNLPD {np.mean([x['nlpd'] - s['nlpd'] for x, s in zip(o, sk)]):+.3f}")
    for rows, th, w in res:
        oo = [rows[p] for p in files]
        lr = [math.log(x["rmse"] / s["rmse"]) for x, s in zip(oo, sk)]
        print(f"   width {w}: geo RMSE ratio {math.exp(np.mean(lr)):.3f} mean dNLPD {np.mean([x['nlpd'] - s['nlpd'] for x, s in zip(oo, sk)]):+.3f}")
