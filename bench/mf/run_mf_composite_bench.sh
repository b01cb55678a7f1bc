#!/bin/sh
# Composite multi-fidelity benchmark (docs/multifidelity.md, "Composite objectives"): composite_mf -- two two-level
# outputs (currin_mf, Branin / augmented Branin) whose target-fidelity values must hit targets -- at a total cost budget
# of 200 (target evaluation 10, low 1), 10 seeds. Series: the multi-fidelity gp with one surrogate per output
# (composite_model "outputs", the default; mf_mes and cost_ei), with one surrogate of the combined value ("scalar"),
# and the single-fidelity gp (composite outputs mode) at the target only.
# Usage: [FIRST_SEED=n] bench/mf/run_mf_composite_bench.sh [build dir] [out dir] [series...]
set -e
B=${1:-build}/bench/harness/bayesd_bench
OUT=${2:-bench/out-mf-composite}
shift 2 2>/dev/null || true
SERIES=${*:-"outputs scalar target_only cost_ei_outputs cost_ei_scalar"}
P=composite_mf
FIRST=${FIRST_SEED:-0}
C=200
for s in $SERIES; do
  case $s in
    outputs) nice -n 5 "$B" --problem $P --cost-budget $C --budget 1000 --strategy gp --label gp_mf_outputs \
               --seeds 10 --first-seed $FIRST --out "$OUT" --jobs 2 --quiet ;;
    scalar) nice -n 5 "$B" --problem $P --cost-budget $C --budget 1000 --strategy gp --label gp_mf_scalar \
               --options '{"composite_model":"scalar"}' --seeds 10 --first-seed $FIRST --out "$OUT" --jobs 2 --quiet ;;
    cost_ei_outputs) nice -n 5 "$B" --problem $P --cost-budget $C --budget 1000 --strategy gp \
               --label gp_mf_cost_ei_outputs --options '{"acquisition":"cost_ei"}' --seeds 10 --first-seed $FIRST --out "$OUT" --jobs 2 \
               --quiet ;;
    cost_ei_scalar) nice -n 5 "$B" --problem $P --cost-budget $C --budget 1000 --strategy gp \
               --label gp_mf_cost_ei_scalar --options '{"acquisition":"cost_ei","composite_model":"scalar"}' \
               --seeds 10 --first-seed $FIRST --out "$OUT" --jobs 2 --quiet ;;
    target_only) nice -n 5 "$B" --problem $P --cost-budget $C --budget 1000 --strategy gp \
               --label gp_target_only --target-only --seeds 10 --first-seed $FIRST --out "$OUT" --jobs 2 --quiet ;;
  esac
done
/usr/bin/python3 bench/mf/mf_table.py "$OUT" --baseline gp_target_only --floor 1e-9
