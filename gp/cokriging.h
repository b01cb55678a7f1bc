// Multi-fidelity Gaussian processes.
//
// Ar1CoKriging: the autoregressive model of Kennedy & O'Hagan (2000, Biometrika 87(1)) in the recursive
// formulation of Le Gratiet (2013, "Bayesian analysis of hierarchical multifidelity codes", SIAM/ASA JUQ 1):
//
//   f_0(x) = b_0 + delta_0(x),    f_t(x) = rho_t f_{t-1}(x) + b_t + delta_t(x),   t = 1 .. T-1
//
// with independent GPs delta_t. Level t is an ExactGp on (X_t, y_t) whose mean basis is h(x) = [m_{t-1}(x), 1];
// rho_t and b_t are profiled out by generalized least squares inside the marginal likelihood, so each level is fitted
// like an ordinary GP (MAP L-BFGS). Designs need not be nested: m_{t-1} at X_t is the level t-1 posterior mean
// (Le Gratiet's plug-in for non-nested designs). Fantasize conditions a copy on pending points at any level.
// Prediction at level t (plug-in, ignoring the uncertainty of rho):
//   mean_t = rho_t mean_{t-1} + b_t + k_t' alpha_t,   var_t = rho_t^2 var_{t-1} + var_delta_t.
// Outputs of all levels share one affine standardization (pooled mean / sd), so rho is unit-free and unchanged.
//
// Continuous fidelity: use GpRegressor with an InputSpec holding a ColumnType::kFidelity column (product of the
// input kernel with the downsampling kernel, or an extra ARD dimension); AtFidelity() sets that column for queries.
//
// Thread safety: const methods are safe to call concurrently; Fit needs exclusive access.
#ifndef BAYESD_GP_COKRIGING_H_
#define BAYESD_GP_COKRIGING_H_

#include <vector>

#include <Eigen/Core>

#include "gp/exact_gp.h"
#include "gp/fit.h"
#include "gp/input_spec.h"
#include "gp/kernel_factory.h"

namespace bayesd::gp {

struct CoKrigingOptions {
  KernelOptions kernel;  // kernel of every delta_t
  ExactGpOptions gp;     // noise model of every level
  FitOptions fit;        // MAP fit of every level

  GpStatus Validate() const;
};

// Marginal posterior of f_t at m query points, outcome units.
struct LevelPosterior {
  GpStatus status;
  Eigen::VectorXd mean;               // m
  Eigen::VectorXd variance;           // m
  Eigen::MatrixXd mean_gradient;      // m x d, when requested
  Eigen::MatrixXd variance_gradient;  // m x d, when requested
};

class Ar1CoKriging {
 public:
  Ar1CoKriging(InputSpec spec, CoKrigingOptions options = {});

  // x[t] (n_t x d) and y[t] (n_t) for levels t = 0 (cheapest) .. T-1 (target). One FitDiagnostics per level.
  std::vector<FitDiagnostics> Fit(const std::vector<Eigen::MatrixXd>& x, const std::vector<Eigen::VectorXd>& y);
  // As above, level t warm-started from warm[t] when that has the level's hyperparameter count (else from the prior
  // modes). With `install`, a usable warm[t] is installed as is and only factorized (termination "restored"), so a
  // model is rebuilt exactly from saved hyperparameters; levels without one are fitted.
  std::vector<FitDiagnostics> Fit(const std::vector<Eigen::MatrixXd>& x, const std::vector<Eigen::VectorXd>& y,
                                  const std::vector<Eigen::VectorXd>& warm, bool install);

  // Posterior of f_level at xq; level -1 means the target (highest) level.
  LevelPosterior Predict(const Eigen::MatrixXd& xq, int level = -1, bool gradients = false) const;

  // A copy conditioned on pending points x_pending at `level` (-1: target) with values y (outcome units), e.g. the
  // predicted mean or a posterior sample there -- the multi-fidelity counterpart of ExactGp::Fantasize: kernel
  // hyperparameters, noise and the standardization unchanged; that level's factor is block-extended (O(n_t^2 p)) and
  // its GLS coefficients (rho_t, b_t) re-solved with the new rows (the posterior under their flat prior, as in
  // Predict); every level above keeps its factor and re-solves its coefficients with the updated mean of the level
  // below in its basis (O(n_u^2)). Fantasizing at the predicted mean leaves every level's predicted mean unchanged.
  GpStatus Fantasize(const Eigen::MatrixXd& x_pending, const Eigen::VectorXd& y, int level,
                     Ar1CoKriging* out) const;

  int num_levels() const { return static_cast<int>(levels_.size()); }
  // rho_t for t >= 1 (scale factor of level t on level t - 1).
  double rho(int t) const;
  const ExactGp& level_model(int t) const { return levels_[t]; }
  // Outputs of all levels are standardized as y = mu + scale z; noise variances of the level models are in z units.
  double output_scale() const { return s_; }
  // Hyperparameters of level t's delta_t GP (log space, ExactGp layout).
  Eigen::VectorXd hyperparameters(int t) const { return levels_[t].Hyperparameters(); }

 private:
  LevelPosterior PredictStandardized(const Eigen::MatrixXd& xq, int level, bool gradients) const;

  InputSpec spec_;
  CoKrigingOptions options_;
  std::vector<ExactGp> levels_;
  double mu_ = 0, s_ = 1;  // pooled standardization: y = mu + s z
  bool fitted_ = false;
};

// xq with its fidelity column (per spec) set to `fidelity`; xq unchanged when the spec has no fidelity column.
Eigen::MatrixXd AtFidelity(const Eigen::MatrixXd& xq, const InputSpec& spec, double fidelity);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_COKRIGING_H_
