#include "src/strategies/zo_options.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "src/strategies/zo_option_reader.h"

namespace bayesd::zo {
namespace {

Status ParseEnums(const OptionReader& r, ZoOptions* o) {
  RETURN_IF_ERROR(r.Enum("directions",
                         {{"gaussian", Directions::kGaussian},
                          {"sphere", Directions::kSphere},
                          {"coordinate", Directions::kCoordinate}},
                         &o->directions));
  RETURN_IF_ERROR(r.Enum("differences", {{"forward", Differences::kForward},
                          {"central", Differences::kCentral},
                          {"mean", Differences::kMean}},
                         &o->differences));
  RETURN_IF_ERROR(r.Enum("optimizer",
                         {{"normalized", Optimizer::kNormalized},
                          {"adam", Optimizer::kAdam},
                          {"sgd", Optimizer::kSgd},
                          {"sign_sgd", Optimizer::kSignSgd}},
                         &o->optimizer));
  RETURN_IF_ERROR(r.Enum("feedback", {{"values", Feedback::kValues}, {"rank", Feedback::kRank}}, &o->feedback));
  RETURN_IF_ERROR(r.Enum("surrogate", {{"none", Surrogate::kNone}, {"linear", Surrogate::kLinear}}, &o->surrogate));
  return r.Enum("start", {{"auto", Start::kAuto}, {"center", Start::kCenter}, {"random", Start::kRandom}},
                &o->start);
}

Status ParseNumbers(const OptionReader& r, ZoOptions* o) {
  RETURN_IF_ERROR(r.Int("q", &o->q));
  RETURN_IF_ERROR(r.Int("coordinates", &o->coordinates));
  RETURN_IF_ERROR(r.Number("mu", &o->mu));
  RETURN_IF_ERROR(r.Number("learning_rate", &o->learning_rate));
  RETURN_IF_ERROR(r.Number("beta1", &o->beta1));
  RETURN_IF_ERROR(r.Number("beta2", &o->beta2));
  RETURN_IF_ERROR(r.Number("epsilon", &o->epsilon));
  RETURN_IF_ERROR(r.Number("lr_decay", &o->lr_decay));
  RETURN_IF_ERROR(r.Number("mu_decay", &o->mu_decay));
  RETURN_IF_ERROR(r.Number("surrogate_radius", &o->surrogate_radius));
  RETURN_IF_ERROR(r.Number("surrogate_tolerance", &o->surrogate_tolerance));
  RETURN_IF_ERROR(r.Int("surrogate_history", &o->surrogate_history));
  RETURN_IF_ERROR(r.Int("max_retries", &o->max_retries));
  RETURN_IF_ERROR(r.Number("path_rate", &o->path_rate));
  RETURN_IF_ERROR(r.Number("restart_tolerance", &o->restart_tolerance));
  RETURN_IF_ERROR(r.Number("restart_growth", &o->restart_growth));
  return r.Number("constraint_penalty", &o->constraint_penalty);
}

Status ValidateCombinations(const ZoOptions& o, const OptionReader& r) {
  if (o.feedback == Feedback::kRank) {
    if (r.Has("differences") && o.differences != Differences::kForward) {
      return Bad("differences", o.differences == Differences::kCentral ? "\"central\"" : "\"mean\"",
                 "must be \"forward\" with feedback \"rank\" (ranked probes need no base point; omit the key)");
    }
    if (o.surrogate != Surrogate::kNone) {
      return Bad("surrogate", "\"linear\"", "needs feedback \"values\" (a ranking gives no values to fit)");
    }
    if (o.directions != Directions::kCoordinate && o.q < 2) {
      return Bad("q", std::to_string(o.q), "must be >= 2 with feedback \"rank\" (a ranking needs two probes)");
    }
  }
  if (o.optimizer == Optimizer::kNormalized && o.restart_tolerance >= o.learning_rate) {
    return Bad("restart_tolerance", Num(o.restart_tolerance),
               "must be below learning_rate (" + Num(o.learning_rate) + ", the initial step) with optimizer "
               "\"normalized\"");
  }
  if (o.differences == Differences::kMean) {
    if (o.directions == Directions::kCoordinate) {
      return Bad("differences", "\"mean\"",
                 "needs random directions (\"gaussian\" or \"sphere\"), not \"coordinate\"");
    }
    if (o.q < 2) return Bad("q", std::to_string(o.q), "must be >= 2 with differences \"mean\"");
  }
  return OkStatus();
}

}  // namespace

Status ZoOptions::Validate(int dim) const {
  if (q < 1) return Bad("q", std::to_string(q), "must be >= 1");
  if (q > 10000) return Bad("q", std::to_string(q), "must be <= 10000");
  if (coordinates < 0 || coordinates > dim) {
    return Bad("coordinates", std::to_string(coordinates),
               "must be in [0, " + std::to_string(dim) + "] (0 = all parameters)");
  }
  if (!(mu > 0.0) || mu > 0.25) return Bad("mu", Num(mu), "must be in (0, 0.25] (unit-cube units)");
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate)) {
    return Bad("learning_rate", Num(learning_rate), "must be > 0");
  }
  if (!(beta1 >= 0.0 && beta1 < 1.0)) return Bad("beta1", Num(beta1), "must be in [0, 1)");
  if (!(beta2 >= 0.0 && beta2 < 1.0)) return Bad("beta2", Num(beta2), "must be in [0, 1)");
  if (!(epsilon > 0.0)) return Bad("epsilon", Num(epsilon), "must be > 0");
  if (!(lr_decay >= 0.0)) return Bad("lr_decay", Num(lr_decay), "must be >= 0");
  if (!(mu_decay >= 0.0)) return Bad("mu_decay", Num(mu_decay), "must be >= 0");
  if (!(surrogate_radius >= 0.0)) return Bad("surrogate_radius", Num(surrogate_radius), "must be >= 0");
  if (!(surrogate_tolerance > 0.0)) return Bad("surrogate_tolerance", Num(surrogate_tolerance), "must be > 0");
  if (surrogate_history < 0) return Bad("surrogate_history", std::to_string(surrogate_history), "must be >= 0");
  if (max_retries < 0 || max_retries > 10) return Bad("max_retries", std::to_string(max_retries), "must be in [0, 10]");
  if (!(path_rate > 0.0 && path_rate <= 1.0)) return Bad("path_rate", Num(path_rate), "must be in (0, 1]");
  if (!(restart_tolerance >= 0.0)) return Bad("restart_tolerance", Num(restart_tolerance), "must be >= 0");
  if (!(restart_growth >= 1.0 && restart_growth <= 100.0)) {
    return Bad("restart_growth", Num(restart_growth), "must be in [1, 100]");
  }
  if (!(constraint_penalty >= 0.0)) return Bad("constraint_penalty", Num(constraint_penalty), "must be >= 0");
  return OkStatus();
}

StatusOr<ZoOptions> ParseZoOptions(const StudyConfig& config) {
  ASSIGN_OR_RETURN(const OptionReader r, OptionReader::Create(config.strategy.options, "zo",
                                                              {"directions", "differences", "q", "coordinates", "mu",
                                                               "optimizer", "learning_rate", "beta1", "beta2",
                                                               "epsilon", "lr_decay", "mu_decay", "feedback",
                                                               "surrogate", "surrogate_radius",
                                                               "surrogate_tolerance", "surrogate_history",
                                                               "max_retries", "start", "constraint_penalty",
                                                               "path_rate", "restart_tolerance", "restart_growth"}));
  ZoOptions o;
  RETURN_IF_ERROR(ParseEnums(r, &o));
  // The documented per-mode defaults: "mean" differences, except "forward" with rankings (no values to average),
  // with coordinate directions (where "mean" is not an estimate) and with q < 2 (below).
  if (!r.Has("differences") && (o.feedback == Feedback::kRank || o.directions == Directions::kCoordinate)) {
    o.differences = Differences::kForward;
  }
  if (o.optimizer == Optimizer::kNormalized) {  // initial step and radius of the path-controlled steps
    if (!r.Has("learning_rate")) o.learning_rate = 0.05;
    if (!r.Has("mu")) o.mu = 0.1;
  }
  RETURN_IF_ERROR(ParseNumbers(r, &o));
  if (!r.Has("differences") && o.q < 2) o.differences = Differences::kForward;  // "mean" needs two probes
  RETURN_IF_ERROR(o.Validate(static_cast<int>(config.parameters.size())));
  RETURN_IF_ERROR(ValidateCombinations(o, r));
  return o;
}

}  // namespace bayesd::zo
