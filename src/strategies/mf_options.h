// Options of the gp strategy's multi-fidelity mode: a `gp` study with a `fidelity` (src/strategies/mf_strategy.h).
// Parsed from StudyConfig::strategy.options; unknown keys are rejected with field "strategy.<key>".
//
// Thread safety: plain values.
#ifndef BAYESD_SRC_STRATEGIES_MF_OPTIONS_H_
#define BAYESD_SRC_STRATEGIES_MF_OPTIONS_H_

#include <string>

#include "src/common/status.h"
#include "src/strategies/gp_options.h"
#include "src/study/config.h"

namespace bayesd {

enum class MfAcquisition { kMfMes, kCostEi };
enum class MfModelKind { kAuto, kCoKriging, kFidelityKernel };

struct MfStrategyOptions {
  // mf_mes (default): information about the target optimum per unit cost. cost_ei: EI at the target x correlation
  // x cost ratio (Huang et al. 2006); "log_ei" and "ei" are accepted as names of this EI-based rule.
  MfAcquisition acquisition = MfAcquisition::kMfMes;
  // auto: co-kriging for discrete levels, the fidelity kernel for a continuous fidelity.
  MfModelKind model = MfModelKind::kAuto;
  int initial_trials = -1;         // Sobol design at the lowest fidelity; -1: clamp(2 d, 5, 20)
  int initial_target_trials = -1;  // ... of which this many (the first ones) also at every higher level; -1: auto
  int raw_samples = 512;           // candidates scored per fidelity
  int restarts = 3;                // L-BFGS refinements per fidelity
  int optimizer_evaluations = 100;
  int max_value_samples = 10;      // mf_mes: samples of the target max value
  int fidelity_grid = 5;           // continuous fidelity: candidate fidelities (equally spaced, last = target)
  // Guard: once the cost spent below the target since the last target-fidelity trial reaches this many target
  // evaluations' cost, the next suggestion evaluates the target-fidelity recommendation. 0 disables the guard.
  double target_every_cost = 3.0;
  // mf_mes: when the target fidelity wins, evaluate the maximizer of target log EI (x PoF) there rather than the
  // MES maximizer. Off by default: measured worse on Forrester and Currin (docs/multifidelity.md).
  bool target_point_ei = false;
  // A lower fidelity is a candidate only when it costs at most this fraction of the target (0 < r <= 1). Its
  // information about the target optimum is at most the target's at the same point, so it can win by at most the cost
  // ratio -- and it never yields a target observation. Below a saving of 2x that margin is smaller than the model's
  // error in the correlation between fidelities: augmented Branin (cost 5.01 vs 6) lost 19x with every level open.
  // When no lower fidelity qualifies the study runs single-fidelity at the target (initial design and target log EI,
  // as the single-fidelity gp).
  double max_cost_ratio = 0.5;
  int fit_random_starts = 2;
  int local_fit_evaluations = 60;
  int full_refit_every = 10;
  // Composite objectives: one multi-fidelity surrogate per output, the acquisitions over the composite by Monte
  // Carlo (kOutputs, default; src/strategies/mf_composite.h), or one surrogate of the combined value (kScalar).
  // Ignored without a composite objective.
  CompositeModel composite_model = CompositeModel::kOutputs;
  int composite_samples = 128;  // fixed quasi-MC base samples of the outputs' posteriors

  int InitialTrials(int d) const;
  int InitialTargetTrials(int d) const;
  Status Validate() const;
};

std::string MfAcquisitionName(MfAcquisition a);

// Parses and validates config.strategy.options for a study with a fidelity.
StatusOr<MfStrategyOptions> ParseMfStrategyOptions(const StudyConfig& config);

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_MF_OPTIONS_H_
