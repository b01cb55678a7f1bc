// The model-fit and composite-objective options that the gp strategy (gp_options.h) and its multi-fidelity mode
// (mf_options.h) share under the same names: fit_random_starts, local_fit_evaluations, full_refit_every,
// composite_model and composite_samples. One range check and one reader for both, so the two modes cannot drift
// apart; each mode's own options stay in its file.
#ifndef BAYESD_SRC_STRATEGIES_MODEL_FIT_OPTIONS_H_
#define BAYESD_SRC_STRATEGIES_MODEL_FIT_OPTIONS_H_

#include "src/common/status.h"
#include "src/strategies/gp_options.h"  // CompositeModel
#include "src/strategies/zo_option_reader.h"

namespace bayesd {

template <typename Options>
Status ValidateModelFitOptions(const Options& o) {
  using zo::Bad;
  using zo::Num;
  if (o.fit_random_starts < 0 || o.fit_random_starts > 50) {
    return Bad("fit_random_starts", Num(o.fit_random_starts), "must be in [0, 50]");
  }
  if (o.local_fit_evaluations < 0 || o.local_fit_evaluations > 10000) {
    return Bad("local_fit_evaluations", Num(o.local_fit_evaluations), "must be in [0, 10000]");
  }
  if (o.full_refit_every < 1) return Bad("full_refit_every", Num(o.full_refit_every), "must be >= 1");
  if (o.composite_samples < 8 || o.composite_samples > 4096) {
    return Bad("composite_samples", Num(o.composite_samples), "must be in [8, 4096]");
  }
  return OkStatus();
}

template <typename Options>
Status ReadModelFitOptions(const zo::OptionReader& r, Options* o) {
  RETURN_IF_ERROR(r.Int("fit_random_starts", &o->fit_random_starts));
  RETURN_IF_ERROR(r.Int("local_fit_evaluations", &o->local_fit_evaluations));
  RETURN_IF_ERROR(r.Int("full_refit_every", &o->full_refit_every));
  RETURN_IF_ERROR(r.Enum<CompositeModel>(
      "composite_model", {{"outputs", CompositeModel::kOutputs}, {"scalar", CompositeModel::kScalar}},
      &o->composite_model));
  return r.Int("composite_samples", &o->composite_samples);
}

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_MODEL_FIT_OPTIONS_H_
