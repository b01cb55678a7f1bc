#include "src/strategies/cbo_options.h"

#include <cmath>
#include <string>

#include "src/strategies/zo_option_reader.h"

namespace bayesd::cbo {
namespace {

using zo::Bad;
using zo::Num;
using zo::OptionReader;

Status ParseEnums(const OptionReader& r, CboOptions* o) {
  RETURN_IF_ERROR(r.Enum("alpha_schedule",
                         {{"fixed", AlphaSchedule::kFixed},
                          {"multiply", AlphaSchedule::kMultiply},
                          {"ess", AlphaSchedule::kEss}},
                         &o->alpha_schedule));
  RETURN_IF_ERROR(r.Enum("dynamics", {{"hopping", Dynamics::kHopping}, {"standard", Dynamics::kStandard}},
                         &o->dynamics));
  RETURN_IF_ERROR(
      r.Enum("noise", {{"isotropic", Noise::kIsotropic}, {"anisotropic", Noise::kAnisotropic}}, &o->noise));
  return r.Enum("constraints",
                {{"penalty", ConstraintHandling::kPenalty}, {"discard", ConstraintHandling::kDiscard}},
                &o->constraints);
}

Status ParseNumbers(const OptionReader& r, CboOptions* o) {
  RETURN_IF_ERROR(r.Int("particles", &o->particles));
  RETURN_IF_ERROR(r.Number("alpha", &o->alpha));
  RETURN_IF_ERROR(r.Number("alpha_factor", &o->alpha_factor));
  RETURN_IF_ERROR(r.Number("alpha_max", &o->alpha_max));
  RETURN_IF_ERROR(r.Number("ess_eta", &o->ess_eta));
  RETURN_IF_ERROR(r.Number("lambda", &o->lambda));
  RETURN_IF_ERROR(r.Number("sigma", &o->sigma));
  RETURN_IF_ERROR(r.Number("dt", &o->dt));
  RETURN_IF_ERROR(r.Number("sigma_decay", &o->sigma_decay));
  RETURN_IF_ERROR(r.Number("restart_tolerance", &o->restart_tolerance));
  RETURN_IF_ERROR(r.Number("spread", &o->spread));
  RETURN_IF_ERROR(r.Number("path_rate", &o->path_rate));
  RETURN_IF_ERROR(r.Number("restart_growth", &o->restart_growth));
  RETURN_IF_ERROR(r.Number("constraint_penalty", &o->constraint_penalty));
  return r.Int("max_retries", &o->max_retries);
}

}  // namespace

Status CboOptions::Validate() const {
  if (particles < 2) return Bad("particles", std::to_string(particles), "must be >= 2");
  if (particles > 10000) return Bad("particles", std::to_string(particles), "must be <= 10000");
  if (!(alpha > 0.0)) return Bad("alpha", Num(alpha), "must be > 0");
  if (!(alpha_factor >= 1.0)) return Bad("alpha_factor", Num(alpha_factor), "must be >= 1");
  if (!(alpha_max >= alpha)) return Bad("alpha_max", Num(alpha_max), "must be >= alpha (" + Num(alpha) + ")");
  if (!(ess_eta > 0.0 && ess_eta <= 1.0)) return Bad("ess_eta", Num(ess_eta), "must be in (0, 1]");
  if (!(lambda > 0.0)) return Bad("lambda", Num(lambda), "must be > 0");
  if (!(sigma >= 0.0)) return Bad("sigma", Num(sigma), "must be >= 0");
  if (!(dt > 0.0 && dt <= 1.0)) return Bad("dt", Num(dt), "must be in (0, 1]");
  if (!(sigma_decay > 0.0 && sigma_decay <= 1.0)) return Bad("sigma_decay", Num(sigma_decay), "must be in (0, 1]");
  if (!(restart_tolerance >= 0.0)) return Bad("restart_tolerance", Num(restart_tolerance), "must be >= 0");
  if (!(spread > 0.0 && spread <= 1.0)) return Bad("spread", Num(spread), "must be in (0, 1] (unit-cube units)");
  if (!(path_rate >= 0.0 && path_rate <= 1.0)) return Bad("path_rate", Num(path_rate), "must be in [0, 1]");
  if (!(restart_growth >= 1.0 && restart_growth <= 100.0)) {
    return Bad("restart_growth", Num(restart_growth), "must be in [1, 100]");
  }
  if (!(constraint_penalty >= 0.0)) return Bad("constraint_penalty", Num(constraint_penalty), "must be >= 0");
  if (max_retries < 0 || max_retries > 10) return Bad("max_retries", std::to_string(max_retries), "must be in [0, 10]");
  return OkStatus();
}

StatusOr<CboOptions> ParseCboOptions(const StudyConfig& config) {
  ASSIGN_OR_RETURN(const OptionReader r,
                   OptionReader::Create(config.strategy.options, "cbo",
                                        {"particles", "alpha", "alpha_schedule", "alpha_factor", "alpha_max",
                                         "ess_eta", "lambda", "sigma", "noise", "dt", "sigma_decay",
                                         "restart_tolerance", "constraints", "constraint_penalty", "max_retries",
                                         "dynamics", "spread", "path_rate", "restart_growth"}));
  CboOptions o;
  RETURN_IF_ERROR(ParseEnums(r, &o));
  if (o.dynamics == Dynamics::kStandard) o.ess_eta = 0.1;  // the documented per-dynamics defaults
  if (o.dynamics == Dynamics::kHopping) o.restart_tolerance = 1e-3;
  RETURN_IF_ERROR(ParseNumbers(r, &o));
  RETURN_IF_ERROR(o.Validate());
  return o;
}

}  // namespace bayesd::cbo
