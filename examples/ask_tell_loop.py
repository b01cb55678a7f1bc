#!/usr/bin/env python3
"""Ask/tell loop: minimize the Branin function with a Sobol study through the bayesd Python client.

Start a daemon first, e.g.  bayesd serve --db /tmp/bayesd.db --port 8080
then:  PYTHONPATH=clients/python python3 examples/ask_tell_loop.py --rounds 64

The token, if the daemon has one, comes from --token or BAYESD_TOKEN.
"""

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))

from bayesd_client import Client  # noqa: E402


def branin(x1, x2):
    """Branin-Hoo; global minimum 0.397887 at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475)."""
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--token", default=None)
    ap.add_argument("--study", default="branin-sobol")
    ap.add_argument("--rounds", type=int, default=64)
    args = ap.parse_args()

    with Client(args.url, token=args.token) as client:
        study = client.create_study(
            args.study,
            parameters=[{"name": "x1", "type": "float", "low": -5.0, "high": 10.0},
                        {"name": "x2", "type": "float", "low": 0.0, "high": 15.0}],
            objective={"name": "y", "goal": "minimize"},
            strategy={"name": "sobol"},
            seed=1,
            if_exists="return")  # re-running the script continues the same study

        for _ in range(args.rounds):
            trial = study.suggest()                   # ask
            y = branin(**trial.params)                # evaluate
            trial.complete({"y": y})                  # tell
            print(f"trial {trial.number:4d}  x1={trial.params['x1']:8.4f}  x2={trial.params['x2']:8.4f}  y={y:9.4f}")

        best = study.best().trial
        print(f"\nbest of {len(study.trials(state='completed'))} trials: #{best.number} "
              f"x1={best.params['x1']:.4f} x2={best.params['x2']:.4f} y={best.values['y']:.4f} (optimum 0.3979)")


if __name__ == "__main__":
    main()
