"""The experiment side of the crash test: ask/tell rounds against a Sobol study while the daemon gets killed.

Reads the daemon's port from --port-file (re-read after every connection failure: each restart may bind a new
port) and appends one JSON line per event to --log, flushed and fsync'ed before the next request:
  {"ev": "suggested", "number": n, "params": {...}}
  {"ev": "acked", "number": n, "values": {...}}        the daemon answered 200 to the completion
  {"ev": "lost", "number": n, "status": "..."}          the completion's answer was lost (daemon died)
Exits 0 after --rounds acknowledged completions, 2 on an unexpected error answer.
"""

import argparse
import json
import os
import sys
import time

import _common  # noqa: F401  (sys.path)
from _common import branin
import bayesd_client as bc


def read_port(path, deadline):
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except (FileNotFoundError, ValueError):
            pass
        time.sleep(0.01)
    raise SystemExit("port file never (re)appeared")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--study", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--eval-seconds", type=float, default=0.01)
    ap.add_argument("--deadline-seconds", type=float, default=240)
    args = ap.parse_args()
    deadline = time.monotonic() + args.deadline_seconds
    log = open(args.log, "a")

    def record(**ev):
        log.write(json.dumps(ev) + "\n")
        log.flush()
        os.fsync(log.fileno())

    port = None
    client = None

    def reconnect():
        nonlocal port, client
        if client is not None:
            client.close()
        port = read_port(args.port_file, deadline)
        client = bc.Client(f"http://127.0.0.1:{port}", token="", timeout=10, retries=3, backoff=0.05)
        return client.study(args.study)

    study = reconnect()
    acked = 0
    pending = None  # a suggested trial not yet told
    while acked < args.rounds:
        if time.monotonic() > deadline:
            raise SystemExit(f"deadline: only {acked} acknowledged completions")
        try:
            if pending is None:
                pending = study.suggest(worker="crash-exp")
                record(ev="suggested", number=pending.number, params=pending.params)
                time.sleep(args.eval_seconds)  # "evaluating"
            values = {"y": branin(**pending.params)}
            try:
                pending.complete(values)
            except bc.ConnectionFailedError:
                record(ev="lost", number=pending.number)
                raise
            except bc.FailedPreconditionError:
                # The daemon took an earlier attempt whose answer was lost, or abandoned the trial (pending timeout).
                t = study.trial(pending.number)
                record(ev="conflict", number=pending.number, state=t.state, values=t.values)
                pending = None
                continue
            record(ev="acked", number=pending.number, values=values)
            acked += 1
            pending = None
        except bc.ConnectionFailedError:
            time.sleep(0.05)
            study = reconnect()
            if pending is not None:
                pending.study = study  # talk to the restarted daemon (its port may have changed)
        except bc.BayesdError as e:
            record(ev="error", error=str(e))
            print(f"unexpected error: {e}", file=sys.stderr)
            sys.exit(2)
    record(ev="done", acked=acked)


if __name__ == "__main__":
    main()
