"""Crash test: SIGKILL the daemon at random moments during 200 ask/tell rounds; nothing acknowledged is lost.

An experiment process (crash_experiment.py) runs ask/tell rounds through the Python client against a Sobol study
and logs every acknowledged completion (fsync'ed). Meanwhile this test kills the daemon with SIGKILL several times
at random moments and restarts it on the same database file. Afterwards:
  * every completion the client got a 200 for is stored, completed, with exactly the values it sent;
  * trial numbers were never handed out twice, and the stored params are the ones suggested;
  * the study continues after the last restart (new numbers above every earlier one).

Run: /usr/bin/python3 tests/integration/crash_test.py --bayesd build/src/bayesd
Env: BAYESD_CRASH_SEED (reproduce the kill schedule), BAYESD_CRASH_KILLS (max kills, default 10).
"""

import json
import os
import random
import subprocess
import sys
import time
import unittest

import _common
from _common import BRANIN_PARAMS, Daemon, find_bayesd

HERE = os.path.dirname(os.path.abspath(__file__))


class CrashTest(unittest.TestCase):
    def test_sigkill_during_ask_tell_loses_nothing_acknowledged(self):
        seed = int(os.environ.get("BAYESD_CRASH_SEED") or time.time_ns() % 1_000_000)
        max_kills = int(os.environ.get("BAYESD_CRASH_KILLS") or 10)
        rng = random.Random(seed)
        print(f"crash test: seed={seed} max_kills={max_kills}", file=sys.stderr)

        d = Daemon(find_bayesd())
        self.addCleanup(d.cleanup)
        d.start()
        c = d.client()
        c.create_study("crash", parameters=BRANIN_PARAMS, objective={"name": "y", "goal": "minimize"},
                       strategy={"name": "sobol"}, seed=11)
        c.close()

        log_path = os.path.join(d.tmpdir, "experiment.jsonl")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_common._CLIENT,
                                                                         os.environ.get("PYTHONPATH")])))
        exp = subprocess.Popen([sys.executable, os.path.join(HERE, "crash_experiment.py"), "--port-file",
                                d.port_file, "--study", "crash", "--log", log_path, "--rounds", "200",
                                "--eval-seconds", "0.01", "--deadline-seconds", "200"], env=env)
        self.addCleanup(lambda: exp.poll() is None and exp.kill())

        kills = 0
        deadline = time.monotonic() + 240
        while exp.poll() is None and kills < max_kills and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.05, 0.6))
            if exp.poll() is not None:
                break
            d.kill()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.2))  # the client sees connection refused for a while
            d.start()
        try:
            rc = exp.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            exp.kill()
            tail = open(log_path).read().splitlines()[-5:]
            self.fail(f"experiment did not finish in time ({kills} kills); its last events: {tail}\n"
                      f"{d.log_tail()}")
        print(f"crash test: {kills} SIGKILLs, {d.starts} daemon starts", file=sys.stderr)

        events = [json.loads(line) for line in open(log_path)]
        self.assertEqual(rc, 0, f"experiment failed: {events[-3:]}\n{d.log_tail()}")
        self.assertGreaterEqual(kills, 2, "the run ended before the daemon could be killed twice")

        suggested = [e for e in events if e["ev"] == "suggested"]
        acked = [e for e in events if e["ev"] == "acked"]
        self.assertEqual(len(acked), 200)
        numbers = [e["number"] for e in suggested]
        lost = [e for e in events if e["ev"] == "lost"]
        conflicts = [e for e in events if e["ev"] == "conflict"]
        print(f"crash test: {len(suggested)} suggestions, {len(acked)} acknowledged completions, {len(lost)} "
              f"completions without answer (daemon killed), {len(conflicts)} found done on retry", file=sys.stderr)
        for e in conflicts:  # a completion whose answer was lost but which did land: stored with our values
            self.assertEqual(e["state"], "completed", e)
        self.assertEqual(len(numbers), len(set(numbers)), "a trial number was handed out twice")

        c = d.client()
        stored = {t.number: t for t in c.study("crash").trials()}
        self.assertEqual(len(stored), len(set(stored)))
        params_of = {e["number"]: e["params"] for e in suggested}
        for e in acked:
            t = stored.get(e["number"])
            self.assertIsNotNone(t, f"acknowledged trial {e['number']} is missing")
            self.assertEqual(t.state, "completed", f"acknowledged trial {e['number']}: {t.data}")
            self.assertEqual(t.values, e["values"], f"trial {e['number']} values changed")
            self.assertEqual(t.params, params_of[e["number"]], f"trial {e['number']} params changed")
        for n in numbers:
            self.assertIn(n, stored, f"suggested trial {n} (answered 200) is missing")

        # The study continues: new numbers above everything seen, and ask/tell still works.
        d.kill()
        d.start()
        c = d.client()
        s = c.study("crash")
        t = s.suggest()
        self.assertGreater(t.number, max(stored))
        t.complete({"y": 1.0})
        self.assertEqual(s.trial(t.number).state, "completed")
        self.assertEqual(len(s.trials(state="completed")), len([x for x in stored.values()
                                                                if x.state == "completed"]) + 1)
        c.close()
        # Last, so a strategy handing out equal points does not hide a durability failure above.
        points = [tuple(sorted(t.params.items())) for t in stored.values()]
        self.assertEqual(len(points), len(set(points)), "a Sobol point was suggested twice")

    def test_sigterm_is_clean_and_keeps_data(self):
        d = Daemon(find_bayesd())
        self.addCleanup(d.cleanup)
        d.start()
        c = d.client()
        s = c.create_study("term", parameters=BRANIN_PARAMS, objective={"name": "y", "goal": "minimize"},
                           strategy={"name": "sobol"})
        for _ in range(5):
            s.suggest().complete({"y": 2.0})
        c.close()
        self.assertEqual(d.stop(), 0, d.log_tail())
        d.start()
        c = d.client()
        self.assertEqual(len(c.study("term").trials(state="completed")), 5)
        c.close()


if __name__ == "__main__":
    unittest.main()
