#include "src/strategies/gp_options.h"

#include <algorithm>

#include "src/strategies/model_fit_options.h"
#include "src/strategies/zo_option_reader.h"

namespace bayesd {

std::string GpAcquisitionName(GpAcquisition a) {
  switch (a) {
    case GpAcquisition::kAuto: return "auto";
    case GpAcquisition::kLogEi: return "log_ei";
    case GpAcquisition::kEi: return "ei";
    case GpAcquisition::kPi: return "pi";
    case GpAcquisition::kUcb: return "ucb";
    case GpAcquisition::kNei: return "nei";
    case GpAcquisition::kKg: return "kg";
    case GpAcquisition::kMes: return "mes";
    case GpAcquisition::kTs: return "ts";
    case GpAcquisition::kConfig: return "config";
  }
  return "?";
}

int GpStrategyOptions::InitialTrials(int d) const {
  return initial_trials >= 0 ? initial_trials : std::clamp(2 * d, 5, 20);
}

Status GpStrategyOptions::Validate() const {
  using zo::Bad;
  using zo::Num;
  if (initial_trials < -1) return Bad("initial_trials", Num(initial_trials), "must be >= 0 (or -1 for automatic)");
  if (raw_samples < 1 || raw_samples > 100000) return Bad("raw_samples", Num(raw_samples), "must be in [1, 100000]");
  if (restarts < 0 || restarts > 100) return Bad("restarts", Num(restarts), "must be in [1, 100] (0: auto)");
  if (optimizer_evaluations < 1 || optimizer_evaluations > 10000) {
    return Bad("optimizer_evaluations", Num(optimizer_evaluations), "must be in [1, 10000]");
  }
  if (!(local_fraction >= 0 && local_fraction <= 0.9)) {
    return Bad("local_fraction", Num(local_fraction), "must be in [0, 0.9]");
  }
  if (!(trust_region_length > 0 && trust_region_length <= 1.6)) {
    return Bad("trust_region_length", Num(trust_region_length), "must be in (0, 1.6]");
  }
  if (!(trust_region_max_length == 0 ||
        (trust_region_max_length >= trust_region_length && trust_region_max_length <= 1.6))) {
    return Bad("trust_region_max_length", Num(trust_region_max_length),
               "must be 0 (auto) or in [trust_region_length, 1.6]");
  }
  if (trust_region_failure_tolerance < 0 || trust_region_failure_tolerance > 1000) {
    return Bad("trust_region_failure_tolerance", Num(trust_region_failure_tolerance), "must be in [0, 1000]");
  }
  if (!(trust_region_restart_length == -1 ||
        (trust_region_restart_length >= 0 && trust_region_restart_length < trust_region_length))) {
    return Bad("trust_region_restart_length", Num(trust_region_restart_length),
               "must be -1 (auto) or in [0, trust_region_length) (0: no restarts)");
  }
  if (!(trust_region_restart_side > TrustRegionRestartLength() && trust_region_restart_side <= 1.6)) {
    return Bad("trust_region_restart_side", Num(trust_region_restart_side),
               "must be in (trust_region_restart_length, 1.6]");
  }
  if (!(trust_region_exclusion >= 0 && trust_region_exclusion <= 10)) {
    return Bad("trust_region_exclusion", Num(trust_region_exclusion), "must be in [0, 10] (lengthscales; 0: none)");
  }
  if (!(trust_region_resume_side == -1 || trust_region_resume_side == 0 ||
        (trust_region_resume_side > 0 && trust_region_resume_side <= trust_region_restart_side))) {
    return Bad("trust_region_resume_side", Num(trust_region_resume_side),
               "must be -1 (auto), 0 (no resuming) or in (0, trust_region_restart_side]");
  }
  if (!(trust_region_behind_progress >= 0 && trust_region_behind_progress < 1)) {
    return Bad("trust_region_behind_progress", Num(trust_region_behind_progress), "must be in [0, 1) (0: off)");
  }
  if (!(auto_noise_ratio > 0 && auto_noise_ratio < 1)) {
    return Bad("auto_noise_ratio", Num(auto_noise_ratio), "must be in (0, 1) (noise variance of the standardized outcome)");
  }
  if (!(local_model_neighbourhood >= 1 && local_model_neighbourhood <= 10)) {
    return Bad("local_model_neighbourhood", Num(local_model_neighbourhood), "must be in [1, 10] (trust-region sides)");
  }
  if (!(local_model_max_length > 0 && local_model_max_length <= 1.6)) {
    return Bad("local_model_max_length", Num(local_model_max_length), "must be in (0, 1.6]");
  }
  if (mc_samples < 2 || mc_samples > 4096) return Bad("mc_samples", Num(mc_samples), "must be in [2, 4096]");
  if (!(ucb_beta_scale > 0)) return Bad("ucb_beta_scale", Num(ucb_beta_scale), "must be > 0");
  if (!(ucb_delta > 0 && ucb_delta < 1)) return Bad("ucb_delta", Num(ucb_delta), "must be in (0, 1)");
  return ValidateModelFitOptions(*this);
}

StatusOr<GpStrategyOptions> ParseGpStrategyOptions(const StudyConfig& config) {
  ASSIGN_OR_RETURN(zo::OptionReader r,
                   zo::OptionReader::Create(config.strategy.options, "gp",
                                            {"acquisition", "initial_trials", "raw_samples", "restarts",
                                             "optimizer_evaluations", "mc_samples", "ucb_beta_scale", "ucb_delta",
                                             "fit_random_starts", "local_fit_evaluations", "full_refit_every",
                                             "warp_outcomes", "composite_model", "composite_samples", "model_failures",
                                             "impute_failures", "restart_selection", "local_fraction",
                                             "local_candidates", "trust_region", "trust_region_length",
                                             "trust_region_failure_tolerance", "trust_region_max_length",
                                             "trust_region_restart_length",
                                             "trust_region_restart_side", "trust_region_exclusion",
                                             "trust_region_segment_penalty",
                                             "trust_region_resume_side", "trust_region_behind_progress", "kernel",
                                             "kernel_structure", "local_model", "local_model_kernel",
                                             "local_model_structure",
                                             "local_model_neighbourhood", "local_model_max_length",
                                             "auto_noise_ratio"}));
  GpStrategyOptions o;
  RETURN_IF_ERROR(r.Enum<GpAcquisition>("acquisition",
                                        {{"auto", GpAcquisition::kAuto},
                                         {"log_ei", GpAcquisition::kLogEi},
                                         {"ei", GpAcquisition::kEi},
                                         {"pi", GpAcquisition::kPi},
                                         {"ucb", GpAcquisition::kUcb},
                                         {"nei", GpAcquisition::kNei},
                                         {"kg", GpAcquisition::kKg},
                                         {"mes", GpAcquisition::kMes},
                                         {"ts", GpAcquisition::kTs},
                                         {"config", GpAcquisition::kConfig}},
                                        &o.acquisition));
  RETURN_IF_ERROR(r.Int("initial_trials", &o.initial_trials));
  RETURN_IF_ERROR(r.Int("raw_samples", &o.raw_samples));
  RETURN_IF_ERROR(r.Int("restarts", &o.restarts));
  RETURN_IF_ERROR(r.Int("optimizer_evaluations", &o.optimizer_evaluations));
  RETURN_IF_ERROR(r.Enum<RestartSelection>(
      "restart_selection", {{"auto", RestartSelection::kAuto}, {"diverse", RestartSelection::kDiverse}, {"boltzmann", RestartSelection::kBoltzmann}},
      &o.restart_selection));
  RETURN_IF_ERROR(r.Number("local_fraction", &o.local_fraction));
  RETURN_IF_ERROR(r.Enum<LocalCandidates>(
      "local_candidates", {{"auto", LocalCandidates::kAuto}, {"gaussian", LocalCandidates::kGaussian}, {"multiscale", LocalCandidates::kMultiscale}},
      &o.local_candidates));
  if (config.strategy.options.is_object() && config.strategy.options.contains("trust_region") &&
      config.strategy.options["trust_region"].is_boolean()) {
    bool on = false;
    RETURN_IF_ERROR(r.Bool("trust_region", &on));
    o.trust_region = on ? TrustRegionMode::kOn : TrustRegionMode::kOff;
  } else {
    RETURN_IF_ERROR(r.Enum<TrustRegionMode>("trust_region", {{"auto", TrustRegionMode::kAuto}, {"on", TrustRegionMode::kOn}, {"off", TrustRegionMode::kOff}}, &o.trust_region));
  }
  RETURN_IF_ERROR(r.Number("trust_region_length", &o.trust_region_length));
  RETURN_IF_ERROR(r.Int("trust_region_failure_tolerance", &o.trust_region_failure_tolerance));
  RETURN_IF_ERROR(r.Number("trust_region_max_length", &o.trust_region_max_length));
  RETURN_IF_ERROR(r.Number("trust_region_restart_length", &o.trust_region_restart_length));
  RETURN_IF_ERROR(r.Number("trust_region_restart_side", &o.trust_region_restart_side));
  RETURN_IF_ERROR(r.Number("trust_region_exclusion", &o.trust_region_exclusion));
  RETURN_IF_ERROR(r.Bool("trust_region_segment_penalty", &o.trust_region_segment_penalty));
  RETURN_IF_ERROR(r.Number("trust_region_resume_side", &o.trust_region_resume_side));
  RETURN_IF_ERROR(r.Number("trust_region_behind_progress", &o.trust_region_behind_progress));
  RETURN_IF_ERROR(r.Number("auto_noise_ratio", &o.auto_noise_ratio));
  RETURN_IF_ERROR(r.Enum<gp::StationaryType>("kernel",
                                             {{"matern52", gp::StationaryType::kMatern52},
                                              {"matern32", gp::StationaryType::kMatern32},
                                              {"rbf", gp::StationaryType::kRbf}},
                                             &o.kernel));
  RETURN_IF_ERROR(r.Enum<gp::StationaryType>("local_model_kernel",
                                             {{"matern52", gp::StationaryType::kMatern52},
                                              {"matern32", gp::StationaryType::kMatern32},
                                              {"rbf", gp::StationaryType::kRbf}},
                                             &o.local_model_kernel));
  using Structure = gp::KernelOptions::Structure;
  auto structure = [&r](const char* key, Structure* out) {
    return r.Enum<Structure>(key,
                             {{"ard", Structure::kArd},
                              {"additive", Structure::kAdditive},
                              {"ard+additive", Structure::kArdPlusAdditive},
                              {"additive_shared", Structure::kAdditiveShared},
                              {"ard+additive_shared", Structure::kArdPlusAdditiveShared}},
                             out);
  };
  RETURN_IF_ERROR(structure("kernel_structure", &o.kernel_structure));
  RETURN_IF_ERROR(structure("local_model_structure", &o.local_model_structure));
  if (config.strategy.options.is_object() && config.strategy.options.contains("local_model") &&
      config.strategy.options["local_model"].is_boolean()) {
    bool on = false;
    RETURN_IF_ERROR(r.Bool("local_model", &on));
    o.local_model = on ? LocalModelMode::kOn : LocalModelMode::kOff;
  } else {
    RETURN_IF_ERROR(r.Enum<LocalModelMode>(
        "local_model", {{"auto", LocalModelMode::kAuto},
                        {"off", LocalModelMode::kOff},
                        {"on", LocalModelMode::kOn},
                        {"loo", LocalModelMode::kLoo}},
        &o.local_model));
  }
  RETURN_IF_ERROR(r.Number("local_model_neighbourhood", &o.local_model_neighbourhood));
  RETURN_IF_ERROR(r.Number("local_model_max_length", &o.local_model_max_length));
  RETURN_IF_ERROR(r.Int("mc_samples", &o.mc_samples));
  RETURN_IF_ERROR(r.Number("ucb_beta_scale", &o.ucb_beta_scale));
  RETURN_IF_ERROR(r.Number("ucb_delta", &o.ucb_delta));
  RETURN_IF_ERROR(ReadModelFitOptions(r, &o));
  RETURN_IF_ERROR(r.Bool("warp_outcomes", &o.warp_outcomes));
  RETURN_IF_ERROR(r.Bool("model_failures", &o.model_failures));
  RETURN_IF_ERROR(r.Bool("impute_failures", &o.impute_failures));
  RETURN_IF_ERROR(o.Validate());
  return o;
}

}  // namespace bayesd
