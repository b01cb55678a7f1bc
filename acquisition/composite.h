// Acquisitions for composite objectives and for CONFIG.
//
//   CompositeExpectedImprovement  (Astudillo & Frazier 2019, "Bayesian optimization of composite functions", ICML):
//       the objective is u(x) = sign * g(h(x)) for a known outer function g of K outputs h_k, each modelled by its
//       own GP (independent, so at one x the joint posterior of the outputs is diagonal). EI of u is estimated by
//       Monte Carlo with FIXED base samples Z (S x K, e.g. quasi-MC normals) -- common random numbers, so the
//       estimate is a deterministic, smooth function of x that L-BFGS can refine:
//           y_k^s(x) = offset_k + scale_k (mu_k(x) + sigma_k(x) Z_sk)          (outcome units)
//           EI(x)    = (1/S) sum_s max(sign g(y^s(x)) - best, 0).
//       The value handed to the optimizer is the log of a smoothed EI,
//           log (1/S) sum_s tau softplus((u_s - best) / tau),
//       as a log-sum-exp (as BoTorch's qLogEI, Ament et al. 2023): for tau << the scale of u it equals log EI
//       (softplus(a) tau - max(a tau, 0) <= tau log 2 per sample), and where every sample improves by nothing it
//       stays finite with a gradient towards the best sample instead of a flat -inf. Its input gradient is the chain
//       rule through g:  d u_s / dx = sign sum_k dg/dy_k(y^s) scale_k (dmu_k + Z_sk / (2 sigma_k) dvar_k), with
//       dg/dy supplied by the outer function (analytic for targets, numerical for expressions: see the caller).
//       Samples where g is not finite (division by zero, log of a negative) count as no improvement.
//   ConfigAcquisition  (Xu, Jiang, Wang, Marais & Xie 2023, "Constrained efficient global optimization of
//       expensive black-box functions", ICML -- CONFIG): maximize the objective's optimistic bound
//       mu_f + sqrt(beta) sigma_f (the model maximizes) subject to every constraint's optimistic bound
//       (c <= b: mu_c - sqrt(beta) sigma_c <= b; c >= b: mu_c + sqrt(beta) sigma_c >= b). The box-constrained
//       optimizer sees the exact-penalty form  UCB_f(x) - rho sum_k max(0, v_k(x)),  v_k the optimistic violation
//       in the constraint's model units; for rho above the Lagrange multipliers its maximizers are those of the
//       constrained problem when that is feasible, and otherwise it minimizes the total optimistic violation (the
//       fallback CONFIG prescribes when the auxiliary problem is infeasible). Violation(x) exposes sum_k v_k(x):
//       when it is > 0 everywhere the optimizer looked, the optimistic problem is infeasible and -- the bounds
//       being high-probability bounds -- the problem appears infeasible.
//
// Thread safety: immutable after construction; Evaluate is const. CompositeExpectedImprovement calls the outer
// function, which must itself be safe to call concurrently (the gp strategy's muParser wrapper locks).
#ifndef BAYESD_ACQUISITION_COMPOSITE_H_
#define BAYESD_ACQUISITION_COMPOSITE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "acquisition/acquisition.h"

namespace bayesd::acquisition {

// g(y) and, when grad is non-null, dg/dy (K). May return a non-finite value (the gradient is then ignored).
using OuterFunction = std::function<double(const Eigen::VectorXd& y, Eigen::VectorXd* grad)>;

// One output's model (model space) and the affine map back to outcome units: y = offset + scale * z.
struct OutputModel {
  std::shared_ptr<const Model> model;
  double offset = 0;
  double scale = 1;
};

class CompositeExpectedImprovement : public Acquisition {
 public:
  // base_samples: S x K standard normals; sign: +1 to maximize g, -1 to minimize; best: incumbent of sign * g
  // (finite); tau > 0: smoothing temperature in units of g.
  CompositeExpectedImprovement(std::vector<OutputModel> outputs, OuterFunction outer, double sign, double best,
                               Eigen::MatrixXd base_samples, double tau);
  std::string name() const override { return "composite_log_ei"; }
  bool log_scale() const override { return true; }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;

  // Plain Monte Carlo summaries over the base samples at x: EI with the hard max, mean and sd of sign * g, and the
  // number of samples where g was not finite. false when a model fails.
  struct Estimate {
    double ei = 0;
    double mean = 0;
    double sd = 0;
    int nonfinite = 0;
  };
  bool EstimateAt(const Eigen::VectorXd& x, Estimate* out) const;

 private:
  // Output samples at x (S x K, outcome units) and the posteriors behind them.
  bool Samples(const Eigen::VectorXd& x, bool gradients, std::vector<PointPosterior>* post,
               Eigen::MatrixXd* y) const;

  std::vector<OutputModel> outputs_;
  OuterFunction outer_;
  double sign_;
  double best_;
  Eigen::MatrixXd z_;  // S x K
  double tau_;
};

class ConfigAcquisition : public Acquisition {
 public:
  ConfigAcquisition(std::shared_ptr<const Model> objective, std::vector<ConstraintModel> constraints, double beta,
                    double penalty = 1e3);
  std::string name() const override { return "config"; }
  bool log_scale() const override { return false; }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  // Total optimistic violation sum_k max(0, v_k(x)) (model units of each constraint); +inf when a model fails.
  double Violation(const Eigen::VectorXd& x) const;
  double beta() const { return beta_; }

 private:
  double Penalized(const Eigen::VectorXd& x, Eigen::VectorXd* grad, double* violation) const;

  std::shared_ptr<const Model> objective_;
  std::vector<ConstraintModel> constraints_;
  double beta_;
  double penalty_;
};

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_COMPOSITE_H_
