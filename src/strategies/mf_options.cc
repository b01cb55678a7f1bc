#include "src/strategies/mf_options.h"

#include <algorithm>
#include <cmath>

#include "src/strategies/model_fit_options.h"
#include "src/strategies/zo_option_reader.h"

namespace bayesd {

std::string MfAcquisitionName(MfAcquisition a) { return a == MfAcquisition::kMfMes ? "mf_mes" : "cost_ei"; }

int MfStrategyOptions::InitialTrials(int d) const {
  return initial_trials >= 0 ? initial_trials : std::clamp(2 * d, 5, 20);
}

int MfStrategyOptions::InitialTargetTrials(int d) const {
  if (initial_target_trials >= 0) return std::min(initial_target_trials, std::max(InitialTrials(d), 1));
  return std::max(2, (InitialTrials(d) + 2) / 3);
}

Status MfStrategyOptions::Validate() const {
  using zo::Bad;
  using zo::Num;
  if (initial_trials < -1 || initial_trials == 0 || initial_trials == 1) {
    return Bad("initial_trials", Num(initial_trials), "must be >= 2 with a fidelity (or -1 for automatic)");
  }
  if (initial_target_trials < -1 || initial_target_trials == 0 || initial_target_trials == 1) {
    return Bad("initial_target_trials", Num(initial_target_trials), "must be >= 2 (or -1 for automatic)");
  }
  if (raw_samples < 1 || raw_samples > 100000) return Bad("raw_samples", Num(raw_samples), "must be in [1, 100000]");
  if (restarts < 1 || restarts > 100) return Bad("restarts", Num(restarts), "must be in [1, 100]");
  if (optimizer_evaluations < 1 || optimizer_evaluations > 10000) {
    return Bad("optimizer_evaluations", Num(optimizer_evaluations), "must be in [1, 10000]");
  }
  if (max_value_samples < 1 || max_value_samples > 256) {
    return Bad("max_value_samples", Num(max_value_samples), "must be in [1, 256]");
  }
  if (fidelity_grid < 2 || fidelity_grid > 50) return Bad("fidelity_grid", Num(fidelity_grid), "must be in [2, 50]");
  if (!(target_every_cost >= 0) || !std::isfinite(target_every_cost)) {
    return Bad("target_every_cost", Num(target_every_cost), "must be >= 0 (0 disables the guard)");
  }
  if (!(max_cost_ratio > 0 && max_cost_ratio <= 1)) {
    return Bad("max_cost_ratio", Num(max_cost_ratio), "must be in (0, 1]");
  }
  return ValidateModelFitOptions(*this);
}

StatusOr<MfStrategyOptions> ParseMfStrategyOptions(const StudyConfig& config) {
  ASSIGN_OR_RETURN(zo::OptionReader r,
                   zo::OptionReader::Create(config.strategy.options, "gp (multi-fidelity)",
                                            {"acquisition", "model", "initial_trials", "initial_target_trials",
                                             "raw_samples", "restarts", "optimizer_evaluations",
                                             "max_value_samples", "fidelity_grid", "target_every_cost", "target_point_ei",
                                             "max_cost_ratio",
                                             "fit_random_starts", "local_fit_evaluations", "full_refit_every",
                                             "composite_model", "composite_samples"}));
  MfStrategyOptions o;
  RETURN_IF_ERROR(r.Enum<MfAcquisition>("acquisition",
                                        {{"mf_mes", MfAcquisition::kMfMes},
                                         {"cost_ei", MfAcquisition::kCostEi},
                                         {"log_ei", MfAcquisition::kCostEi},
                                         {"ei", MfAcquisition::kCostEi}},
                                        &o.acquisition));
  RETURN_IF_ERROR(r.Enum<MfModelKind>("model",
                                      {{"auto", MfModelKind::kAuto},
                                       {"cokriging", MfModelKind::kCoKriging},
                                       {"fidelity_kernel", MfModelKind::kFidelityKernel}},
                                      &o.model));
  RETURN_IF_ERROR(r.Int("initial_trials", &o.initial_trials));
  RETURN_IF_ERROR(r.Int("initial_target_trials", &o.initial_target_trials));
  RETURN_IF_ERROR(r.Int("raw_samples", &o.raw_samples));
  RETURN_IF_ERROR(r.Int("restarts", &o.restarts));
  RETURN_IF_ERROR(r.Int("optimizer_evaluations", &o.optimizer_evaluations));
  RETURN_IF_ERROR(r.Int("max_value_samples", &o.max_value_samples));
  RETURN_IF_ERROR(r.Int("fidelity_grid", &o.fidelity_grid));
  RETURN_IF_ERROR(r.Number("target_every_cost", &o.target_every_cost));
  RETURN_IF_ERROR(r.Bool("target_point_ei", &o.target_point_ei));
  RETURN_IF_ERROR(r.Number("max_cost_ratio", &o.max_cost_ratio));
  RETURN_IF_ERROR(ReadModelFitOptions(r, &o));
  RETURN_IF_ERROR(o.Validate());
  if (o.model == MfModelKind::kCoKriging && config.fidelity && !config.fidelity->discrete) {
    return zo::Bad("model", "\"cokriging\"", "needs discrete fidelity levels; use fidelity_kernel or auto");
  }
  return o;
}

}  // namespace bayesd
