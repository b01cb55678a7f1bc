// A composite objective u(x) = sign g(h_1(x), ..., h_K(x)) in the gp strategy's multi-fidelity mode with one
// multi-fidelity surrogate per output h_k (option composite_model "outputs", src/strategies/mf_strategy.h).
//
// CompositeFidelityModel presents the K output surrogates (independent posteriors) and the known outer function g as
// one MultiFidelityModel of u, so MF-MES and cost_ei (mf_acquisition.h) run on it unchanged. Everything is Monte
// Carlo over FIXED base samples (common random numbers: a deterministic, smooth function of x with exact input
// gradients by the chain rule through dg/dy):
//
//  - target marginal: y_k^s = mu_k + sd_k Z_sk (outcome units, the output's target-fidelity posterior), u_s =
//    sign g(y^s); mean_t and var_t are the sample mean and variance of u_s (the moments of u; MF-MES's
//    Gaussian approximation of u at the target).
//  - the correlation of an evaluation at fidelity m with u_T: an evaluation observes every output at fidelity m;
//    with r_k = |corr(y_{m,k}, f_{T,k})| (FidelityCorrelation: observation noise in), f_{T,k} = mu_k + sd_k (r_k U_k
//    + s_k E_k), s_k = sqrt(1 - r_k^2), U_k the standardized observation. The share of var(u_T) the observation
//    explains is the first-order Sobol index of U, eta^2 = var(E[u_T | U]) / var(u_T), estimated by Jansen's
//    pick-freeze estimator: a second sample that shares U, Z'_k = r_k U_k + s_k W'_k with U_k = r_k Z_k + s_k W_k,
//        eta^2 = 1 - (1 / 2S) sum_s (u(Z_s) - u(Z'_s))^2 / var_t       (clamped to [0, 1)).
//    For a linear g it is the multiple correlation sum_k a_k^2 var_k r_k^2 / sum_k a_k^2 var_k (a = dg/dy); for a
//    target-hitting g = (y - t)^2 of one output with mean at the target it is r^4 -- the linear correlation (Stein:
//    cov(u_T, y_{m,k}) = E[dg/dy_k] cov_k) would be 0 there, although the observation still tells |y - t|.
//    eta is reported as the correlation (Joint: var_m = 1, noise_m = 0, cov = eta sd_t, so FidelityCorrelation
//    returns eta and its gradient).
//
// Base samples: S x 3K standard normals, columns [0, K) = Z, [K, 2K) = W, [2K, 3K) = W' (scrambled Sobol through
// Phi^-1). Samples where g is not finite are skipped (u = NaN for the moments; pairs with a NaN for eta); fewer than
// two finite samples make the point fail (-inf acquisition).
//
// Thread safety: immutable after construction (the outer function locks itself: gp_composite.h).
#ifndef BAYESD_SRC_STRATEGIES_MF_COMPOSITE_H_
#define BAYESD_SRC_STRATEGIES_MF_COMPOSITE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include <Eigen/Core>

#include "acquisition/composite.h"
#include "acquisition/model.h"
#include "src/strategies/mf_acquisition.h"
#include "src/strategies/mf_model.h"

namespace bayesd {

// S x 3K base samples as above, from scrambled Sobol points of `seed`.
Eigen::MatrixXd CompositeBaseSamples(int num_outputs, int num_samples, uint64_t seed);

class CompositeFidelityModel : public MultiFidelityModel {
 public:
  // outputs: one surrogate per output (same candidate fidelities); sign: +1 to maximize g, -1 to minimize;
  // base: CompositeBaseSamples(K, S, seed).
  CompositeFidelityModel(std::vector<std::shared_ptr<const MfSurrogate>> outputs, acquisition::OuterFunction outer,
                         double sign, Eigen::MatrixXd base);

  int dim() const override;
  int num_fidelities() const override;
  bool Joint(const Eigen::VectorXd& x, int fidelity, bool gradients, JointFidelityPosterior* out) const override;
  // The moments of u at the target fidelity (marginals only, with input gradients).
  std::shared_ptr<const acquisition::Model> TargetModel() const override;

  // Composite EI at the target fidelity over the outputs' target posteriors (acquisition/composite.h) with the same
  // base samples Z; best: incumbent of u (finite), tau: smoothing temperature in units of g.
  std::shared_ptr<const acquisition::CompositeExpectedImprovement> TargetCompositeEi(double best, double tau) const;

  // K samples of the target optimum value u* for MF-MES: each the maximum over the candidates (rows) of one draw of
  // u from the outputs' independent target marginals at every candidate (independent across candidates, as the
  // Gumbel approximation of max-value entropy search, but with u's own distribution: a target-hitting g >= 0 gives
  // u* <= 0, which Gaussian moments of u would not). Raised to incumbent + 1e-6 (the max is at least what was seen);
  // incumbent + 1e-3 when the posterior fails.
  Eigen::VectorXd MaxValueSamples(const Eigen::MatrixXd& candidates, double incumbent, int k, uint64_t seed) const;

  // Moments of u at the target (mean, var) and eta of fidelity m, with input gradients when g_* are non-null.
  struct Moments {
    double mean = 0, var = 0, eta = 0;
    Eigen::VectorXd g_mean, g_var, g_eta;
  };
  // fidelity < 0: the target moments only (eta = 0).
  bool MomentsAt(const Eigen::VectorXd& x, int fidelity, bool gradients, Moments* out) const;

 private:
  std::vector<std::shared_ptr<const MfSurrogate>> outputs_;
  acquisition::OuterFunction outer_;
  double sign_;
  Eigen::MatrixXd base_;  // S x 3K
  std::vector<double> offset_, scale_;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_MF_COMPOSITE_H_
