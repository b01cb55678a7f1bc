// Cost-aware multi-fidelity acquisitions of the gp strategy's multi-fidelity mode (src/strategies/mf_strategy.h).
//
// The seam: MultiFidelityModel gives, for a design point x (d columns per the encoding's InputSpec) and a candidate
// fidelity m (0 .. F-1, F-1 = the target), the joint posterior of (f_m(x), f_T(x)) -- both marginals and their
// covariance -- with input gradients, in model space (larger is better), plus an acquisition::Model of the target
// marginal.
//
// MultiFidelityMes: multi-fidelity max-value entropy search (Takeno, Fukuoka, Tsukada, Koyama, Shiga, Takeuchi &
// Karasuyama 2020, "Multi-fidelity Bayesian optimization with max-value entropy search and its parallelization",
// ICML, eqs. 5-6): the mutual information between an evaluation f_m(x) and the target optimum value f*,
//     I(x, m) = H[f_m(x)] - E_{f*} H[f_m(x) | f_T(x) <= f*],
// averaged over K max values f* drawn from the Gumbel approximation at the target (acquisition/monte_carlo.h), then
// divided by the cost of fidelity m. The observation y_m(x) = f_m(x) + noise is what is learned (so a point that is
// already known up to the noise carries no information, and repeated evaluations do not look free): with U the
// standardized y_m(x), r = |corr(y_m(x), f_T(x))| (< 1 also at the target when the noise is not zero), gamma =
// (f* - mu_T) / sigma_T, s = sqrt(1 - r^2) and lambda = phi(gamma) / Phi(gamma), U | f_T <= f* has density
// p(u) = phi(u) Phi(w(u)) / Phi(gamma), w(u) = (gamma - r u) / s, and (derivation in docs/multifidelity.md)
//     I(r, gamma) = r^2 gamma lambda / 2 - log Phi(gamma) + E_p[log Phi(w(U))].
// At r = 1 (noiseless target) the last term vanishes and I is the single-fidelity MES of Wang & Jegelka (2017);
// at r = 0, I = 0.
// The expectation is a one-dimensional integral computed on a fixed midpoint grid -- in u for r < 0.7, in w (the
// variable in which the integrand's sharp feature sits when r -> 1) otherwise -- so the value is a smooth
// function of (r, gamma) with exact partial derivatives of the quadrature (MfMesInformation). gamma is clamped at
// -5 (mu_T five sd above the sampled max: the point is a near-certain improvement anyway).
// With constraints the information is multiplied by the probability of feasibility at the target fidelity.
//
// CostWeightedEi: the augmented-EI rule of Huang, Allen, Notz & Miller (2006, "Sequential kriging optimization
// using multiple-fidelity evaluations", Struct. Multidisc. Optim. 32): EI at the target fidelity times the
// correlation between y_m(x) and f_T(x) (Huang's alpha_1 with the noise in, which plays the part of their alpha_2)
// times cost_T / cost_m, in log form
//     log EI_T(x) + log r_m(x) + log(cost_T / cost_m)  (+ log PoF_T(x) with constraints).
//
// Thread safety: immutable after construction; Evaluate is const.
#ifndef BAYESD_SRC_STRATEGIES_MF_ACQUISITION_H_
#define BAYESD_SRC_STRATEGIES_MF_ACQUISITION_H_

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "acquisition/acquisition.h"
#include "acquisition/model.h"

namespace bayesd {

struct JointFidelityPosterior {
  double mean_m = 0, var_m = 0;  // f_m(x)
  double mean_t = 0, var_t = 0;  // f_T(x)
  double cov = 0;                // cov(f_m(x), f_T(x))
  double noise_m = 0;            // observation noise variance of an evaluation at fidelity m
  Eigen::VectorXd g_mean_m, g_var_m, g_mean_t, g_var_t, g_cov;  // d each, when gradients were asked for
};

class MultiFidelityModel {
 public:
  virtual ~MultiFidelityModel() = default;
  virtual int dim() const = 0;
  virtual int num_fidelities() const = 0;  // candidate fidelities; the last one is the target
  virtual bool Joint(const Eigen::VectorXd& x, int fidelity, bool gradients, JointFidelityPosterior* out) const = 0;
  virtual std::shared_ptr<const acquisition::Model> TargetModel() const = 0;
};

// I(r, gamma) above, with dI/dr and dI/dgamma (when non-null). r in [0, 1].
double MfMesInformation(double r, double gamma, double* d_r, double* d_gamma);

// |corr(y_m(x), f_T(x))| at x, y_m = f_m + noise the observation at fidelity m, with its gradient (r in
// [0, 1 - 1e-12]); false when the posterior is degenerate.
bool FidelityCorrelation(const JointFidelityPosterior& p, bool gradients, double* r, Eigen::VectorXd* g_r);

class MultiFidelityMes : public acquisition::Acquisition {
 public:
  // max_values: K samples of f* (model space). constraints: target-fidelity constraint models (may be empty).
  MultiFidelityMes(std::shared_ptr<const MultiFidelityModel> model, int fidelity, Eigen::VectorXd max_values,
                   double cost, std::vector<acquisition::ConstraintModel> constraints);
  std::string name() const override { return "mf_mes"; }
  bool log_scale() const override { return false; }
  // Information about f* per unit cost (times PoF with constraints).
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;

 private:
  std::shared_ptr<const MultiFidelityModel> model_;
  int fidelity_;
  Eigen::VectorXd max_values_;
  double cost_;
  std::vector<acquisition::ConstraintModel> constraints_;
};

class CostWeightedEi : public acquisition::Acquisition {
 public:
  // best: the incumbent at the target fidelity (model space); cost_ratio = cost_T / cost_m. target_log_ei: a
  // log-scale acquisition that replaces log EI of the target marginal (a composite objective's Monte Carlo EI,
  // mf_composite.h); null: log EI of model->TargetModel().
  CostWeightedEi(std::shared_ptr<const MultiFidelityModel> model, int fidelity, double best, double cost_ratio,
                 std::vector<acquisition::ConstraintModel> constraints,
                 std::shared_ptr<const acquisition::Acquisition> target_log_ei = nullptr);
  std::string name() const override { return "cost_ei"; }
  bool log_scale() const override { return true; }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;

 private:
  std::shared_ptr<const MultiFidelityModel> model_;
  int fidelity_;
  bool target_;
  double log_cost_ratio_;
  std::shared_ptr<const acquisition::Acquisition> ei_;
  std::vector<acquisition::ConstraintModel> constraints_;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_MF_ACQUISITION_H_
