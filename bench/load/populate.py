#!/usr/bin/env python3
"""Fills a daemon with STUDIES Sobol studies of TRIALS completed trials each (suggest in batches, then complete),
using WORKERS threads, each owning a share of the studies. Prints the elapsed time."""

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))
from bayesd_client import Client  # noqa: E402

PARAMS = [{"name": f"x{i}", "type": "float", "low": 0.0, "high": 1.0} for i in range(4)] + [
    {"name": "n", "type": "int", "low": 1, "high": 100},
    {"name": "k", "type": "categorical", "choices": ["a", "b", "c"]}]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--studies", type=int, default=100)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--touch", action="store_true", help="only read every study (after a restart)")
    args = ap.parse_args()
    client = Client(args.url, timeout=120)
    errors = []

    def fill(indices):
        try:
            for i in indices:
                name = f"mem-{i:03d}"
                if args.touch:
                    s = client.get_study(name)
                    assert len(s.trials()) >= args.trials, name
                    s.best()
                    s.suggest().complete({"y": 0.5})
                    continue
                s = client.create_study(name, parameters=PARAMS, objective={"name": "y", "goal": "minimize"},
                                        strategy={"name": "sobol"}, seed=i, if_exists="return")
                done = 0
                while done < args.trials:
                    for t in s.suggest(count=min(args.batch, args.trials - done), worker=f"pop-{i}"):
                        t.complete({"y": sum(v for k, v in t.params.items() if k.startswith("x"))})
                        done += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    t0 = time.monotonic()
    threads = [threading.Thread(target=fill, args=(range(w, args.studies, args.workers),))
               for w in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit(f"populate failed: {errors[0]}")
    print(f"{'touched' if args.touch else 'populated'} {args.studies} studies x {args.trials} trials "
          f"in {time.monotonic() - t0:.1f}s")


if __name__ == "__main__":
    main()
