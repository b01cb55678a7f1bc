#!/usr/bin/env bash
# Issue 5 benchmark: constrained problems (gp log_ei + PoF, gp CONFIG, Optuna TPE with constraints_func) and
# composite problems (gp composite EI vs the same gp on the combined scalar), 10 seeds each, written to
# bench/out-constrained; then the plots, the report.py table and the target summary (bench/constrained_summary.py).
# CPU-heavy (~45 min on 2 shared cores): run it in the background with nice.
#   bench/run_constrained.sh [BUILD_DIR]      (default build/, which must hold a built bayesd_bench)
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}/bench/harness/bayesd_bench"
O=bench/out-constrained
PY=/usr/bin/python3
CONSTRAINED=("gkxwc1 50" "gkxwc2 50" "jlh1 50" "three_bar_truss 50" "ackley2d_constrained 60" "pressure_vessel 100"
             "compression_spring 100")
for p in "${CONSTRAINED[@]}"; do set -- $p
  nice -n 5 $PY bench/optuna_baseline.py --problem "$1" --budget "$2" --seeds 10 --out $O --quiet
done
for p in "langermann_composite 60" "rosenbrock_composite 100"; do set -- $p
  nice -n 5 "$B" --problem "$1" --budget "$2" --strategy gp --label gp_composite_ei --seeds 10 --out $O --jobs 2 --quiet
  nice -n 5 "$B" --problem "$1" --budget "$2" --strategy gp --label gp_scalar --options '{"composite_model":"scalar"}' \
    --seeds 10 --out $O --jobs 2 --quiet
done
for p in "${CONSTRAINED[@]}"; do set -- $p
  nice -n 5 "$B" --problem "$1" --budget "$2" --strategy gp --label gp_log_ei --seeds 10 --out $O --jobs 2 --quiet
done
for p in "${CONSTRAINED[@]}"; do set -- $p
  nice -n 5 "$B" --problem "$1" --budget "$2" --strategy gp --label gp_config --options '{"acquisition":"config"}' \
    --seeds 10 --out $O --jobs 2 --quiet
done
$PY bench/report.py $O --img docs/img --prefix constrained_ --floor 1e-9 --table /tmp/constrained_table.md
$PY bench/constrained_summary.py $O
$PY bench/constrained_summary.py $O --baseline gp_scalar
