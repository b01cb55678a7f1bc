#!/usr/bin/python3
"""Daemon-level restart check for the zo and cbo strategies (issue 7): the same study run twice over HTTP against a
real `bayesd serve` with its SQLite database, once uninterrupted and once with the daemon killed (SIGKILL) and
restarted every few rounds. Every suggestion must be identical (same trial numbers, same parameters).

Usage: /usr/bin/python3 bench/highdim/daemon_restart_check.py build/bayesd
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "clients", "python")))

from bayesd_client.testing import Daemon  # noqa: E402


def rastrigin(x):
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in x)


def run(binary, strategy, kill_every, rounds=24, d=30):
    params = [{"name": f"x{i}", "type": "float", "low": -5.0, "high": 10.0} for i in range(d)]
    asks = [7, 20, 3, 13, 20, 1]
    seen = []
    with Daemon(binary) as daemon:
        client = daemon.client()
        study = client.create_study("r", parameters=params, objective={"name": "f", "goal": "minimize"},
                                    strategy=strategy, seed=5)
        for r in range(rounds):
            if kill_every and r > 0 and r % kill_every == 0:
                daemon.kill()
                daemon.restart()
                client = daemon.client()
                study = client.study("r")
            trials = study.suggest(count=asks[r % len(asks)])
            for t in trials:
                x = [t.params[f"x{i}"] for i in range(d)]
                seen.append((t.number, tuple(x)))
                if t.number % 11 == 5:
                    t.fail("check")
                else:
                    t.complete({"f": rastrigin(x)})
    return seen


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bayesd"
    ok = True
    for strategy in ({"name": "zo"}, {"name": "cbo"}, {"name": "cbo", "dynamics": "standard"},
                     {"name": "zo", "optimizer": "adam", "differences": "central"}):
        a = run(binary, strategy, kill_every=0)
        b = run(binary, strategy, kill_every=3)
        same = a == b
        ok = ok and same
        print(f"{strategy}: {len(a)} suggestions, {'identical' if same else 'DIFFERENT'} with restarts every 3 rounds")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
