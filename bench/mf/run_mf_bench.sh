#!/bin/sh
# Multi-fidelity benchmark of issue 6 (docs/multifidelity.md): the gp strategy's multi-fidelity mode (mf_mes, and the
# cost_ei rule) against the single-fidelity gp run only at the target fidelity (--target-only), 10 seeds, a fixed total
# cost budget per problem. Usage: bench/mf/run_mf_bench.sh [build dir] [out dir] [series...]
set -e
B=${1:-build}/bench/harness/bayesd_bench
OUT=${2:-bench/out-mf}
shift 2 2>/dev/null || true
SERIES=${*:-"mf_mes target_only cost_ei"}
# problem:cost budget (target evaluation costs: forrester 10, currin 10, branin 6, hartmann 6)
PROBLEMS="forrester_mf:100 currin_mf:200 augmented_branin:150 augmented_hartmann:240"
for s in $SERIES; do
  for pb in $PROBLEMS; do
    p=${pb%%:*}; c=${pb##*:}
    case $s in
      mf_mes) nice -n 5 "$B" --problem "$p" --cost-budget "$c" --budget 1000 --strategy gp --label gp_mf_mes \
                --seeds 10 --out "$OUT" --jobs 2 --quiet ;;
      cost_ei) nice -n 5 "$B" --problem "$p" --cost-budget "$c" --budget 1000 --strategy gp --label gp_cost_ei \
                --options '{"acquisition":"cost_ei"}' --seeds 10 --out "$OUT" --jobs 2 --quiet ;;
      target_only) nice -n 5 "$B" --problem "$p" --cost-budget "$c" --budget 1000 --strategy gp \
                --label gp_target_only --target-only --seeds 10 --out "$OUT" --jobs 2 --quiet ;;
    esac
  done
done
/usr/bin/python3 bench/mf/mf_table.py "$OUT" --baseline gp_target_only
