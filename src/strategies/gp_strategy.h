// The `gp` strategy: Bayesian optimization with a Gaussian-process surrogate (the default strategy).
//
// Lifecycle per study: a scrambled-Sobol initial design (GpStrategyOptions::InitialTrials), then model-based
// suggestions: fit one GP to the objective (a composite objective is modelled as the combined scalar) and one per
// constraint outcome, condition on pending trials (kriging believer), maximize the acquisition (acquisition/), and
// for count > 1 condition on each pick before the next. Failed trials are not modelled, but neither they, nor
// observed, nor pending points are ever proposed again. Multi-fidelity studies are rejected (a later issue).
//
// State (StrategyState::json): {"asks": k, "sobol_index": i, "models": [{"theta": [...], "n": n, "n_full": m}]}
// -- the hyperparameters per modelled outcome (objective first, then constraints in config order) and how many
// observations they were fitted on. Predict / Recommend rebuild the models from the current data and these
// hyperparameters (no refit), so a restarted daemon answers exactly as the live one. The fitted models are cached
// on the strategy object between asks (warm starts).
//
// Thread safety: none of its own; the service calls it under the study's lock.
#ifndef BAYESD_SRC_STRATEGIES_GP_STRATEGY_H_
#define BAYESD_SRC_STRATEGIES_GP_STRATEGY_H_

#include "src/strategies/strategy.h"

namespace bayesd {

StrategyFactory GpStrategyFactory();

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_GP_STRATEGY_H_
