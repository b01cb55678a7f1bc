#!/usr/bin/python3
"""Optuna TPE baseline on the benchmark problems, written in bayesd_bench's run-file format.

Evaluates the problems with the reference implementation ../shared/problems/problems.py (relative to the repository
root; loaded by path, read-only) and writes <out>/<problem>/<label>/seed_<seed>.json exactly like bayesd_bench (format
"bayesd-bench/1", see bench/harness/runner.h), so bench/report.py shows both side by side.

 - TPE (optuna.samplers.TPESampler, seeded with the run's seed); for constrained problems TPE with
   constraints_func (g(x) <= 0 feasible, the problems' convention).
 - Multi-fidelity problems: TPE has no fidelity, so every evaluation is at the target fidelity and is charged the
   target fidelity's cost (same costs as bayesd_bench: the file's, else 10^level for levels, 5 + s for a continuous
   fidelity). Compare against bayesd strategies by cumulative cost.
 - `suggest_ms` is the wall time of study.ask() plus the suggest_float calls (TPE samples lazily in them).

Usage: /usr/bin/python3 bench/optuna_baseline.py --problem branin,hartmann6 --seeds 10 --budget 50 [--out bench/out]
"""
import argparse
import importlib.util
import json
import math
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PROBLEMS = os.path.join(REPO, "..", "shared", "problems")


def load_problems_module(folder):
    spec = importlib.util.spec_from_file_location("bench_problems_ref", os.path.join(folder, "problems.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_dim(name, prefix):
    """'ackley_12d' -> 12 for prefix 'ackley_' (1 <= d <= 1000, no leading zero), else 0: bayesd_bench's ParseDim."""
    if not (name.startswith(prefix) and name.endswith("d")):
        return 0
    digits = name[len(prefix):-1]
    if not digits.isdigit() or len(digits) > 4 or digits[0] == "0":
        return 0
    d = int(digits)
    return d if d <= 1000 else 0


def scalable_spec(name):
    """The spec of bayesd_bench's generated problems ackley_<d>d (Ackley on [-5, 10]^d, optimum off-centre) and
    rastrigin_<d>d ([-5.12, 5.12]^d), which problems.json does not list (bench/problems/problems.cc, MakeAckley /
    MakeRastrigin); None for other names."""
    d = parse_dim(name, "ackley_")
    if d:
        objective = ("-20 * np.exp(-0.2 * np.sqrt(np.mean(x ** 2))) - np.exp(np.mean(np.cos(2 * np.pi * x)))"
                     " + 20 + np.e")
        low, high = -5.0, 10.0
    else:
        d = parse_dim(name, "rastrigin_")
        if not d:
            return None
        objective = "10 * len(x) + np.sum(x ** 2 - 10 * np.cos(2 * np.pi * x))"
        low, high = -5.12, 5.12
    return {"name": name, "category": "high_dim", "dimension": d, "bounds": [[low, high]] * d,
            "sense": "minimize", "objective": objective,
            "optimum": {"value": 0.0, "x": [0.0] * d, "status": "analytic"}}


def load_problem(module, name):
    """problems.json's problem `name`, or a generated ackley_<d>d / rastrigin_<d>d; KeyError when neither."""
    known = module.load()
    if name in known:
        return known[name]
    spec = scalable_spec(name)
    if spec is None:
        raise KeyError(name)
    return module.Problem(spec)


class Setup:
    """The benchmark's view of one problem: design bounds, target fidelity and its cost (as bayesd_bench)."""

    def __init__(self, problem):
        spec = problem.spec
        self.problem = problem
        self.fid_param = spec.get("fidelity_parameter")
        bounds = [tuple(map(float, b)) for b in spec["bounds"]]
        if self.fid_param:
            self.fid_index = self.fid_param["index"]
            del bounds[self.fid_index]
        self.bounds = bounds
        self.fidelity = None
        self.target_cost = 1.0
        levels = spec.get("fidelities") or []
        if levels:
            costs = [f.get("cost") for f in sorted(levels, key=lambda f: f["index"])]
            source = "problems.json"
            if any(c is None for c in costs):
                costs, source = [10.0 ** i for i in range(len(costs))], "bench_default"
            self.target_cost = costs[-1]
            self.fidelity = {"discrete": True, "target": float(len(costs) - 1), "cost_source": source,
                             "levels": [float(i) for i in range(len(costs))], "costs": costs}
        elif self.fid_param:
            target = float(self.fid_param["target"])
            model = self.fid_param.get("cost_model")
            fixed, slope, source = 5.0, 1.0, "bench_default"
            if model:
                fixed = float(eval(model, {}, {"s": 0.0}))
                slope = float(eval(model, {}, {"s": 1.0})) - fixed
                source = "problems.json"
            self.target_cost = fixed + slope * target
            self.fidelity = {"discrete": False, "target": target, "cost_source": source,
                             "low": max(float(self.fid_param["range"][0]), 0.01),
                             "high": float(self.fid_param["range"][1]), "cost": {"fixed": fixed, "slope": slope}}

    def full_x(self, design):
        x = list(design)
        if self.fid_param:
            x.insert(self.fid_index, float(self.fid_param["target"]))
        return x


def run_one(module_folder, name, seed, budget, cost_budget, label, multivariate):
    import optuna  # imported here so worker processes configure logging themselves

    import warnings

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    problem = load_problem(load_problems_module(module_folder), name)
    setup = Setup(problem)
    minimize = problem.sense == "minimize"
    constrained = bool(problem.spec.get("constraints"))
    sampler_kwargs = {"seed": seed, "multivariate": multivariate}
    if constrained:
        sampler_kwargs["constraints_func"] = lambda t: t.user_attrs["constraints"]
    sampler = optuna.samplers.TPESampler(**sampler_kwargs)
    study = optuna.create_study(direction="minimize" if minimize else "maximize", sampler=sampler)

    records, best, cum_cost, ask_ms, status, error = [], None, 0.0, [], "ok", None
    start = time.perf_counter()
    try:
        while len(records) < budget and (cost_budget is None or cum_cost < cost_budget):
            t0 = time.perf_counter()
            trial = study.ask()
            design = [trial.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(setup.bounds)]
            ms = (time.perf_counter() - t0) * 1000.0
            ask_ms.append(ms)
            x = setup.full_x(design)
            value = problem.objective(x)
            g = problem.constraints(x)
            feasible = all(v <= 0.0 for v in g)
            finite = math.isfinite(value) and all(math.isfinite(v) for v in g)
            if constrained:
                trial.set_user_attr("constraints", g)
            if finite:
                study.tell(trial, value)
            else:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            cum_cost += setup.target_cost
            if finite and feasible and (best is None or (value < best if minimize else value > best)):
                best = value
            regret = None if best is None else (best - problem.optimum if minimize else problem.optimum - best)
            records.append({"i": len(records), "trial": trial.number, "call": len(ask_ms) - 1, "x": design,
                            "fidelity": setup.fidelity["target"] if setup.fidelity else None, "at_target": True,
                            "value": value if finite else None, "target_value": value if finite else None,
                            "constraints": g, "feasible": feasible, "cost": setup.target_cost,
                            "cum_cost": cum_cost, "best": best, "regret": regret, "suggest_ms": ms,
                            "failed": not finite})
    except Exception as exc:  # recorded like bayesd_bench's errors; the other runs continue
        status, error = "error", f"{type(exc).__name__}: {exc}"
    return {
        "format": "bayesd-bench/1", "generator": "optuna_baseline.py", "problem": name,
        "category": problem.spec["category"], "dim": len(setup.bounds), "minimize": minimize,
        "optimum": problem.optimum, "optimum_status": problem.spec["optimum"]["status"],
        "strategy": "optuna_tpe", "options": {"multivariate": multivariate, "constraints_func": constrained,
                                              "optuna": optuna.__version__},
        "label": label, "seed": seed, "batch": 1, "mode": "optuna",
        "budget": {"evaluations": budget, "cost": cost_budget}, "fidelity": setup.fidelity,
        "status": status, "error": error, "evaluations": records,
        "final": {"evaluations": len(records), "cum_cost": cum_cost, "best": best,
                  "regret": records[-1]["regret"] if records else None,
                  "suggest_ms_median": statistics.median(ask_ms) if ask_ms else 0.0,
                  "suggest_ms_total": sum(ask_ms), "wall_s": time.perf_counter() - start},
    }


def safe(label):
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in label) or "_"


def write_run(out_dir, run):
    folder = os.path.join(out_dir, safe(run["problem"]), safe(run["label"]))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"seed_{run['seed']}.json")
    with open(path + ".tmp", "w") as fh:
        json.dump(run, fh)
        fh.write("\n")
    os.replace(path + ".tmp", path)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-p", "--problem", action="append", required=True,
                    help="problem name(s), comma-separated or repeated; 'all' for every problem in problems.json")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("-n", "--budget", type=int, default=50, help="evaluations per run")
    ap.add_argument("--cost-budget", type=float, default=0.0, help="stop once the cumulative cost reaches this")
    ap.add_argument("--label", default="optuna-tpe")
    ap.add_argument("--multivariate", action="store_true", help="TPESampler(multivariate=True)")
    ap.add_argument("-o", "--out", default=os.path.join(REPO, "bench", "out"))
    ap.add_argument("--problems-dir", default=DEFAULT_PROBLEMS, help="folder with problems.py / problems.json")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="runs in parallel (processes)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args()

    names = [n for item in args.problem for n in item.split(",") if n]
    known = load_problems_module(args.problems_dir).load()
    if "all" in names:
        names = list(known)
    for n in names:
        if n not in known and scalable_spec(n) is None:
            ap.error(f"unknown problem '{n}' (problems.json has: {', '.join(known)}; "
                     "also ackley_<d>d, rastrigin_<d>d)")
    cost_budget = args.cost_budget if args.cost_budget > 0 else None
    jobs = [(args.problems_dir, n, args.first_seed + s, args.budget, cost_budget, args.label, args.multivariate)
            for n in names for s in range(args.seeds)]
    failures = 0

    def report(run):
        nonlocal failures
        path = write_run(args.out, run)
        if run["status"] != "ok":
            failures += 1
            print(f"{run['problem']} seed {run['seed']}: {run['error']}", file=sys.stderr)
        if not args.quiet:
            f = run["final"]
            print(f"{run['problem']:22s} {run['label']:14s} seed {run['seed']:<3d} evals {f['evaluations']:<4d} "
                  f"best {f['best']} regret {f['regret']} suggest {f['suggest_ms_median']:.2f} ms  {path}",
                  flush=True)

    if args.jobs > 1:
        import multiprocessing
        with multiprocessing.Pool(args.jobs) as pool:
            for run in pool.starmap(run_one, jobs):
                report(run)
    else:
        for job in jobs:
            report(run_one(*job))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
