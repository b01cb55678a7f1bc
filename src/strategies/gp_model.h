// OutcomeModel: one modelled outcome of the gp strategy -- outcome transform + exact GP with MAP hyperparameters,
// rebuilt from (data, hyperparameters) deterministically.
//
// Why not gp::GpRegressor directly: the strategy must reproduce the model after a restart from the persisted
// hyperparameters alone (StrategyState), and GpRegressor has no way to install given hyperparameters without
// refitting, while its incremental path keeps the transform of the last full fit (so a rebuilt model would differ).
// This adapter always fits the transform on all current outcomes, then either fits the hyperparameters (full
// multi-start L-BFGS, gp::FitHyperparameters; or a warm local refit: projected Newton steps from the stored
// curvature of the MAP objective, gp::NewtonRefit, falling back to a warm local L-BFGS run) or installs given ones;
// Factorize with the jitter ladder. So Fit(x, y, theta, kNone) after a restart equals the live model that produced
// theta. The curvature (p x p, p = number of hyperparameters) is part of the persisted state like theta: the next
// Newton refit after a restart starts from the same (theta, curvature) and gives the same hyperparameters.
//
// Inputs: n x d rows per the gp::InputSpec (continuous columns in [0, 1], categorical columns as indices).
// Outputs: n values in the outcome's own units, already oriented so that larger is better for the objective (the
// strategy negates minimized objectives); constraint outcomes are modelled as measured.
//
// Thread safety: const methods are safe to call concurrently; Fit / Build need exclusive access.
#ifndef BAYESD_SRC_STRATEGIES_GP_MODEL_H_
#define BAYESD_SRC_STRATEGIES_GP_MODEL_H_

#include <memory>
#include <string>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "acquisition/model.h"
#include "gp/exact_gp.h"
#include "gp/fit.h"
#include "gp/input_spec.h"
#include "gp/kernel_factory.h"
#include "gp/outcome_transform.h"

namespace bayesd {

enum class FitMode { kFull, kLocal, kNone };

struct OutcomeModelOptions {
  gp::FitOptions fit;                    // full fits; local fits use num_random_starts = 0 and local_evaluations
  int local_evaluations = 60;            // L-BFGS evaluations of a warm local refit (the Newton fallback)
  // Warm local refits by gp::NewtonRefit from the stored curvature (1-3 O(n^3) evaluations instead of up to
  // local_evaluations); the curvature costs p + 1 evaluations after each full fit (and after an L-BFGS fallback).
  // Off by default: a caller that turns it on must persist curvature() next to the hyperparameters (gp strategy).
  bool newton = false;
  gp::NewtonRefitOptions newton_options;
  // The curvature is (re)computed after a full or L-BFGS fit only up to this many observations (p + 1 O(n^3)
  // evaluations); above it the previous curvature is kept (none after a first fit: local refits then use L-BFGS).
  int max_curvature_n = 300;
  // Newton refits only with at most this many hyperparameters: the curvature costs p + 1 evaluations and p^2 numbers
  // in the state, which stops paying off against a warm L-BFGS run (typically 10-30 evaluations) for large p.
  int max_newton_params = 32;
  gp::OutcomeTransformOptions transform;  // standardize (+ optional warp)
  // The covariance (gp::MakeKernel): the defaults for the global models; a local model (gp_local_model.h) shifts the
  // lengthscale prior and floor to its neighbourhood's scale.
  gp::KernelOptions kernel;
};

class OutcomeModel {
 public:
  OutcomeModel(gp::InputSpec spec, OutcomeModelOptions options);

  // Fits the transform and (per mode) the hyperparameters, starting from warm (empty: prior modes). kNone with a
  // warm vector installs it as is. curvature: the stored curvature at warm (p x p, or empty: none); kLocal uses it
  // for Newton steps, kNone keeps it. Returns the fit's diagnostics (success false: the model is unusable).
  gp::FitDiagnostics Fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& warm,
                         FitMode mode, const Eigen::MatrixXd& curvature = Eigen::MatrixXd());

  bool ok() const { return ok_; }
  int num_observations() const { return ok_ ? gp_->num_observations() : 0; }
  Eigen::VectorXd hyperparameters() const { return gp_->Hyperparameters(); }
  // Curvature of the MAP objective at hyperparameters() (p x p, BFGS-updated along Newton steps); empty when none.
  const Eigen::MatrixXd& curvature() const { return curvature_; }
  const gp::OutcomeTransform& transform() const { return transform_; }
  std::shared_ptr<const gp::ExactGp> gp() const { return gp_; }
  // The seam the acquisitions see (model space).
  std::shared_ptr<const acquisition::Model> AsModel() const;
  // Marginal mean and sd in outcome units at xq (m x d); false when the model fails.
  bool PredictOutcome(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean, Eigen::VectorXd* sd) const;
  // {"log_likelihood", "hyperparameters": {name: exp(value)}, "noise_variance", ...} for suggestion diagnostics.
  nlohmann::json Describe(const gp::FitDiagnostics& fit) const;

 private:
  gp::InputSpec spec_;
  OutcomeModelOptions options_;
  gp::OutcomeTransform transform_;
  std::shared_ptr<gp::ExactGp> gp_;
  Eigen::MatrixXd curvature_;
  bool ok_ = false;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_GP_MODEL_H_
