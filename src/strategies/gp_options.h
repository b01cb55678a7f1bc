// Options of the `gp` strategy ("strategy": {"name": "gp", ...}), parsed once from StudyConfig::strategy.options
// into this struct and validated. Unknown keys are rejected with field "strategy.<key>".
//
// Thread safety: plain values.
#ifndef BAYESD_SRC_STRATEGIES_GP_OPTIONS_H_
#define BAYESD_SRC_STRATEGIES_GP_OPTIONS_H_

#include <string>

#include "src/common/status.h"
#include "src/study/config.h"

namespace bayesd {

enum class GpAcquisition { kLogEi, kEi, kPi, kUcb, kNei, kKg, kMes, kTs, kConfig };

// How a composite objective (targets / expression over outputs) is modelled: one GP per output with composite EI
// (Astudillo & Frazier 2019), or one GP on the combined scalar.
enum class CompositeModel { kOutputs, kScalar };

std::string GpAcquisitionName(GpAcquisition a);

struct GpStrategyOptions {
  // The acquisition function (see acquisition/). log_ei is the default: best median regret in docs/bo.md.
  GpAcquisition acquisition = GpAcquisition::kLogEi;
  // Size of the initial scrambled-Sobol design; -1 = automatic: clamp(2 d, 5, 20) for d parameters (2d is the usual
  // rule of thumb for the first GP fit to see every dimension move; 5 keeps 1-d/2-d studies from starting on 2
  // points; 20 caps the model-free budget in high dimension).
  int initial_trials = -1;
  int raw_samples = 1024;         // quasi-random candidates scored per suggestion (capped by n, see gp_strategy.cc)
  int restarts = 5;               // best candidates refined by L-BFGS
  int optimizer_evaluations = 150;  // acquisition evaluations per L-BFGS run
  int mc_samples = 64;            // nei: base samples of the baseline; kg: quadrature nodes
  double ucb_beta_scale = 0.2;    // ucb: beta_t = scale * 2 log(d t^2 pi^2 / (6 delta)) (Srinivas et al. 2010)
  double ucb_delta = 0.1;         // ucb: confidence parameter in (0, 1)
  int fit_random_starts = 2;      // hyperparameter fit: random starts of a full fit (besides the warm start)
  int local_fit_evaluations = 60;  // warm-started local refit after new data: L-BFGS evaluations
  int full_refit_every = 10;      // full multi-start fit after this many new observations since the last one
  bool warp_outcomes = false;     // Yeo-Johnson warp of the objective when it is skewed (auto rule)
  // Composite objectives: per-output GPs + composite EI (default) or the scalar model; ignored otherwise.
  CompositeModel composite_model = CompositeModel::kOutputs;
  int composite_samples = 128;    // composite EI: fixed quasi-MC base samples of the outputs' posterior
  // Failed trials: model P(not failed) by a GP classifier and multiply it into the acquisition (log form).
  bool model_failures = true;
  // Failed trials also enter the objective (and constraint) GPs at the worst completed value (and the worst
  // observed constraint values), so EI there decays; composite outputs mode: each output GP at that output's value
  // in the trial with the worst composite value. Only with model_failures.
  bool impute_failures = true;

  // Effective initial design size for d parameters.
  int InitialTrials(int d) const;
  Status Validate() const;
};

// Parses and validates config.strategy.options (kInvalidArgument naming "strategy.<key>").
StatusOr<GpStrategyOptions> ParseGpStrategyOptions(const StudyConfig& config);

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_GP_OPTIONS_H_
