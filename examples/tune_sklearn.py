#!/usr/bin/env python3
"""Hyperparameter tuning through bayesd: a scikit-learn gradient-boosting classifier on the digits data set.

The search space mixes log-scaled floats (learning_rate, l2_regularization), integers (max_depth, and max_iter on
a log scale) and a categorical (early_stopping). The objective is the 3-fold cross-validated accuracy, maximized; the fit time is reported as a constraint outcome (must stay under a budget),
so the study shows constrained BO on a real model.

Needs Debian's python3-sklearn (`apt-get install python3-sklearn`) and a running daemon:

    bayesd serve --db /tmp/bayesd.db --port 8080 &
    PYTHONPATH=clients/python /usr/bin/python3 examples/tune_sklearn.py --trials 30
"""
import argparse
import time

from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_score

from bayesd_client import Client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--study", default="digits-hgb")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--fit-budget-s", type=float, default=5.0, help="constraint: seconds per CV fit")
    args = parser.parse_args()

    X, y = load_digits(return_X_y=True)
    client = Client(args.url)
    study = client.create_study(
        args.study,
        parameters=[
            {"name": "learning_rate", "type": "float", "low": 1e-3, "high": 0.5, "log": True},
            {"name": "max_depth", "type": "int", "low": 2, "high": 12},
            {"name": "max_iter", "type": "int", "low": 10, "high": 300, "log": True},
            {"name": "l2_regularization", "type": "float", "low": 1e-6, "high": 10.0, "log": True},
            {"name": "early_stopping", "type": "categorical", "choices": ["on", "off"]},
        ],
        objective={"name": "accuracy", "goal": "maximize"},
        constraints=[{"name": "fit_seconds", "op": "<=", "bound": args.fit_budget_s}],
        strategy={"name": "gp", "acquisition": "log_ei"},
        seed=1,
        if_exists="return",
    )
    for _ in range(args.trials):
        trial = study.suggest()
        p = trial.params
        model = HistGradientBoostingClassifier(
            learning_rate=p["learning_rate"], max_depth=p["max_depth"], max_iter=p["max_iter"],
            l2_regularization=p["l2_regularization"], early_stopping=(p["early_stopping"] == "on"),
            random_state=0)
        start = time.perf_counter()
        try:
            accuracy = cross_val_score(model, X, y, cv=3).mean()
        except Exception as e:  # a configuration that cannot be fitted is a failed trial, not a crash
            trial.fail(str(e)[:500])
            continue
        elapsed = time.perf_counter() - start
        trial.complete({"accuracy": float(accuracy), "fit_seconds": elapsed})
        print(f"trial {trial.number:3d}  accuracy {accuracy:.4f}  fit {elapsed:5.2f}s  {p}")
    best = study.best()
    print("best trial:", best.trial)
    print("model recommendation:", best.recommendation)


if __name__ == "__main__":
    main()
