#!/usr/bin/env bash
# Failed-trial benchmark (issue 5): the crash problems of bench/failures/crash_problems.json, 10 seeds each, through
# bayesd_bench (a crash is reported with the API's fail call) and Optuna TPE (a crash is TrialState.FAIL):
#   gp_impute       gp defaults: failure classifier (model_failures) + imputation (impute_failures)
#   gp_classifier   model_failures only (impute_failures: false)
#   gp_ignore       model_failures: false (failed points are only never proposed again)
#   random, sobol, optuna-tpe (a crash is TrialState.FAIL)
#   optuna-tpe-worst (the usual TPE workaround: a crash is told as the worst value so far; optuna_fail_as_worst.py)
# Then bench/failures/summary.py: table (failed evaluations, regret at the budget) and plots.
#   bench/failures/run.sh [BUILD_DIR] [OUT_DIR]     (defaults build/ and bench/out-failures; ~20 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
B="${1:-build}/bench/harness/bayesd_bench"
O="${2:-bench/out-failures}"
PY=/usr/bin/python3
SEEDS=${SEEDS:-10}
PROBLEMS=$($PY -c 'import json; print(" ".join(p["name"] + ":" + str(p["budget"]) for p in json.load(open("bench/failures/crash_problems.json"))["problems"]))')
for pb in $PROBLEMS; do p=${pb%%:*}; n=${pb##*:}
  nice -n 5 $PY bench/optuna_baseline.py --problems-dir bench/failures --problem "$p" --budget "$n" --seeds $SEEDS \
    --out "$O" --quiet
  nice -n 5 $PY bench/failures/optuna_fail_as_worst.py --problems-dir bench/failures --problem "$p" --budget "$n" \
    --seeds $SEEDS --out "$O" --quiet
  for s in random sobol; do
    nice -n 5 "$B" --problem "$p" --budget "$n" --strategy $s --seeds $SEEDS --out "$O" --quiet
  done
  nice -n 5 "$B" --problem "$p" --budget "$n" --strategy gp --label gp_impute --seeds $SEEDS --out "$O" --jobs 2 --quiet
  nice -n 5 "$B" --problem "$p" --budget "$n" --strategy gp --label gp_classifier \
    --options '{"impute_failures":false}' --seeds $SEEDS --out "$O" --jobs 2 --quiet
  nice -n 5 "$B" --problem "$p" --budget "$n" --strategy gp --label gp_ignore \
    --options '{"model_failures":false}' --seeds $SEEDS --out "$O" --jobs 2 --quiet
done
$PY bench/failures/summary.py "$O" --img docs/img
