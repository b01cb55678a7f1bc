#!/usr/bin/env bash
# Runs the benchmark suite: every registered bayesd strategy (and the Optuna TPE baseline) on the problems, over
# seeds, then writes plots and the table with bench/report.py. See bench/README.md.
#
#   bench/run_all.sh [--quick] [--seeds N] [--strategies "random sobol ..."] [--problems "branin gkxwc1 ..."]
#                    [--out DIR] [--img DIR] [--table FILE] [--build DIR] [--jobs N] [--no-optuna] [--no-build]
#
# --quick: 2 seeds, short budgets, four problems (one per kind) -- a smoke test of the whole pipeline (~1 min
# without gp). Full mode: 10 seeds and the per-problem budgets below; run it in the background with nice.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3  # Debian's python with numpy, matplotlib, optuna
QUICK=0
SEEDS=""
STRATEGIES=""
PROBLEMS=""
OUT="$REPO/bench/out"
IMG=""
TABLE=""
BUILD="$REPO/build-bench"
JOBS=1
OPTUNA=1
DO_BUILD=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --seeds) SEEDS="$2"; shift ;;
    --strategies) STRATEGIES="$2"; shift ;;
    --problems) PROBLEMS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --img) IMG="$2"; shift ;;
    --table) TABLE="$2"; shift ;;
    --build) BUILD="$2"; shift ;;
    --jobs) JOBS="$2"; shift ;;
    --no-optuna) OPTUNA=0 ;;
    --no-build) DO_BUILD=0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# Budgets per problem: evaluations, or "cost:<C>" for multi-fidelity problems (cumulative cost, costs as in
# bench/harness/bench_study.h: the file's, else 10^level or 5 + s).
declare -A BUDGET=(
  [branin]=50 [hartmann6]=100
  [ackley2d_constrained]=60 [gkxwc1]=50 [gkxwc2]=50 [jlh1]=50 [three_bar_truss]=50
  [pressure_vessel]=100 [compression_spring]=100
  [forrester_mf]=cost:200 [currin_mf]=cost:300 [augmented_branin]=cost:300 [augmented_hartmann]=cost:600
  [langermann_composite]=60 [rosenbrock_composite]=100
  [rastrigin_20d]=200
)
ALL_PROBLEMS="branin hartmann6 ackley2d_constrained gkxwc1 gkxwc2 jlh1 three_bar_truss pressure_vessel
  compression_spring forrester_mf currin_mf augmented_branin augmented_hartmann langermann_composite
  rastrigin_20d rosenbrock_composite"

if [[ $QUICK == 1 ]]; then
  SEEDS="${SEEDS:-2}"
  PROBLEMS="${PROBLEMS:-branin gkxwc1 currin_mf langermann_composite}"
  OUT="${OUT%/}/quick"
else
  SEEDS="${SEEDS:-10}"
  PROBLEMS="${PROBLEMS:-$ALL_PROBLEMS}"
fi

if [[ $DO_BUILD == 1 ]]; then
  cmake -S "$REPO" -B "$BUILD" >/dev/null
  cmake --build "$BUILD" -j2 --target bayesd_bench >/dev/null
fi
BENCH="$BUILD/bench/harness/bayesd_bench"
REGISTERED="$("$BENCH" --list | sed -n 's/^strategies (in-process)://p')"
if [[ -z "$STRATEGIES" ]]; then
  STRATEGIES=""
  for s in random sobol zo cbo gp; do
    [[ " $REGISTERED " == *" $s "* ]] && STRATEGIES+="$s "
  done
fi
echo "strategies: $STRATEGIES| problems: $(echo $PROBLEMS) | seeds: $SEEDS | out: $OUT"

# Prints the budget arguments for one problem (shortened in quick mode).
budget_args() {
  local b="${BUDGET[$1]:-50}"
  if [[ $b == cost:* ]]; then
    local c="${b#cost:}"
    [[ $QUICK == 1 ]] && c=$((c / 5))
    echo "--budget 100000 --cost-budget $c"
  else
    [[ $QUICK == 1 ]] && b=15
    echo "--budget $b"
  fi
}

mkdir -p "$OUT"
status=0
for p in $PROBLEMS; do
  args="$(budget_args "$p")"
  for s in $STRATEGIES; do
    # shellcheck disable=SC2086
    nice "$BENCH" --problem "$p" --strategy "$s" --seeds "$SEEDS" $args --out "$OUT" --jobs "$JOBS" --quiet \
      || { echo "bayesd_bench failed: $p $s" >&2; status=1; }
  done
  if [[ $OPTUNA == 1 ]]; then
    # shellcheck disable=SC2086
    nice "$PY" "$REPO/bench/optuna_baseline.py" --problem "$p" --seeds "$SEEDS" $args --out "$OUT" --jobs "$JOBS" \
      --quiet || { echo "optuna baseline failed: $p" >&2; status=1; }
  fi
  echo "done: $p"
done

report=("$PY" "$REPO/bench/report.py" "$OUT")
[[ -n "$IMG" ]] && report+=(--img "$IMG")
[[ -n "$TABLE" ]] && report+=(--table "$TABLE")
"${report[@]}"
exit $status
