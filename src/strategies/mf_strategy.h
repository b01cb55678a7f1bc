// The gp strategy's multi-fidelity mode: selected for a `gp` study that declares a `fidelity` (registry.cc).
//
// Lifecycle: a nested scrambled-Sobol design -- initial_trials points at the lowest fidelity, the first
// initial_target_trials of them also at every higher level (continuous: at the target) --, then model-based
// suggestions that pick both the point and the fidelity:
//  - model: one multi-fidelity surrogate per modelled outcome (objective -- a composite objective one per output
//    (composite_model "outputs", default; src/strategies/mf_composite.h) or as its combined value ("scalar") --,
//    then each constraint): AR(1) co-kriging for discrete levels, the downsampling fidelity kernel for a
//    continuous fidelity (src/strategies/mf_model.h; option `model`). Co-kriging needs two observations per level;
//    until then the fidelity kernel stands in (diagnostics say which model was used).
//  - candidate fidelities: the levels, or `fidelity_grid` equally spaced values of a continuous range.
//  - acquisition per candidate fidelity (src/strategies/mf_acquisition.h): mf_mes (information about the target
//    optimum per unit cost) or cost_ei (Huang et al.'s augmented EI), times the target-fidelity probability of
//    feasibility with constraints; each maximized over x by the acquisition optimizer; the fidelity with the best
//    value wins. Costs from src/strategies/mf_cost.h.
//  - guard: once the cost spent below the target since the last target-fidelity trial reaches
//    `target_every_cost` target evaluations, the suggestion is the target-fidelity recommendation (the maximizer
//    of the target posterior mean -- or of target log EI (x PoF) when that is an already evaluated point), so the
//    strategy cannot stay at cheap fidelities and the target always gets evaluated where the model believes the
//    optimum is.
//  - pending trials and batch picks are conditioned in at their posterior mean at their fidelity.
// Every model suggestion's diagnostics list each candidate fidelity's cost, acquisition value and value per unit
// cost, the chosen one and why.
//
// `best` (the service) and Recommend/Predict are about the target fidelity only: Recommend picks, among the points
// observed at the target (feasible ones when any), the best target posterior mean (composite outputs mode: Monte
// Carlo mean of the composite); Predict reports every modelled outcome (composite outputs mode: every output and the
// composite).
//
// State: {"asks", "design_index", "models": [{"theta", "n", "n_full", "kind"}], "models_layout" (composite outputs
// mode: "outputs:<names>")} -- restarts rebuild the surrogates
// from it exactly (no refit), so Predict / Recommend / the next suggestions are the same after a restart.
//
// Thread safety: none of its own; the service calls it under the study's lock.
#ifndef BAYESD_SRC_STRATEGIES_MF_STRATEGY_H_
#define BAYESD_SRC_STRATEGIES_MF_STRATEGY_H_

#include "src/strategies/strategy.h"

namespace bayesd {

// Validate / create for gp studies with a fidelity.
StrategyFactory MfStrategyFactory();

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_MF_STRATEGY_H_
