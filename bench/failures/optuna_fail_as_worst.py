#!/usr/bin/python3
"""Optuna TPE with the common workaround for crashes: a failed evaluation is told as the worst value seen so far.

bench/optuna_baseline.py tells a crashed evaluation as TrialState.FAIL, which Optuna 3.1's TPE ignores (it models
only COMPLETE and PRUNED trials). This runs the same baseline (same problems, seeds, budgets, run-file format; the
records still say "failed": true) with study.tell patched: a FAIL becomes tell(worst completed value so far), the
TPE counterpart of bayesd's impute_failures; while nothing has completed it stays a FAIL.

Usage: /usr/bin/python3 bench/failures/optuna_fail_as_worst.py --problems-dir bench/failures -p branin_crash \
           --budget 50 --seeds 10 --out bench/out-failures --label optuna-tpe-worst
(all options of bench/optuna_baseline.py; with --jobs the forked workers inherit the patch)
"""
import os
import sys

import optuna
from optuna.trial import TrialState

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import optuna_baseline  # noqa: E402

_tell = optuna.study.Study.tell


def tell_fail_as_worst(self, trial, values=None, state=None, skip_if_finished=False):
    if state == TrialState.FAIL:
        done = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if done:
            vals = [t.value for t in done]
            worst = max(vals) if self.direction == optuna.study.StudyDirection.MINIMIZE else min(vals)
            if "constraints" in trial.user_attrs:  # constrained: the worst observed value of each constraint
                gs = [t.user_attrs["constraints"] for t in done]
                trial.set_user_attr("constraints", [max(g[k] for g in gs) for k in range(len(gs[0]))])
            return _tell(self, trial, worst, skip_if_finished=skip_if_finished)
    return _tell(self, trial, values, state=state, skip_if_finished=skip_if_finished)


if __name__ == "__main__":
    optuna.study.Study.tell = tell_fail_as_worst
    if "--label" not in sys.argv:
        sys.argv += ["--label", "optuna-tpe-worst"]
    sys.exit(optuna_baseline.main())
