// Acquisition functions: a scalar utility of one candidate point, maximized by the acquisition optimizer.
//
// Conventions: x is a d-vector laid out per the model's InputSpec; models are in model space with larger = better
// (the strategy negates minimized objectives). Evaluate returns the value and, when grad is non-null and
// has_gradient(), its input gradient (d). Values may be -inf (log acquisitions where the model gives zero
// probability); never NaN for a valid model. A model failure (non-finite posterior) yields -inf.
//
// Analytic acquisitions here (all in closed form, Jones et al. 1998; Srinivas et al. 2010; Ament et al. 2023):
//   LogExpectedImprovement   log E[max(f(x) - best, 0)] via log h (robust far into the tail)
//   ExpectedImprovement      E[max(f(x) - best, 0)] (plain; underflows to 0 for z < -38)
//   LogProbabilityOfImprovement  log Phi((mu - best) / sigma)
//   UpperConfidenceBound     mu + sqrt(beta) sigma, beta from GpUcbBeta
//   LogProbabilityOfFeasibility  sum_k log P(c_k(x) feasible) for independent constraint models
//   ConstrainedAcquisition   log-scale base + log PoF (Gardner et al. 2014; Gelbart et al. 2014)
//
// Thread safety: immutable after construction; Evaluate is const and safe to call concurrently.
#ifndef BAYESD_ACQUISITION_ACQUISITION_H_
#define BAYESD_ACQUISITION_ACQUISITION_H_

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "acquisition/model.h"

namespace bayesd::acquisition {

class Acquisition {
 public:
  virtual ~Acquisition() = default;
  virtual std::string name() const = 0;
  // True when values are logs of a positive utility (they can be summed with log PoF terms).
  virtual bool log_scale() const = 0;
  // Linear-scale acquisitions only: true when values are never negative (EI, KG, MES), so a probability can be
  // multiplied into them as they are (ApplyLogFactor); UCB and CONFIG are signed.
  virtual bool nonnegative() const { return false; }
  virtual bool has_gradient() const { return true; }
  virtual double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const = 0;
  // Values at the rows of x (m x d), no gradients. The default loops over Evaluate.
  virtual Eigen::VectorXd EvaluateMany(const Eigen::MatrixXd& x) const;
};

// A factor f(x) = exp(log_factor) in (0, 1] (a probability, a penalty) applied to a base acquisition's value: added
// on the log scale (log a + log f); on the linear scale multiplied into the base's excess over `floor`,
// max(0, a - floor) f -- the expected utility when the factored-out outcome scores `floor` (0 for a nonnegative
// acquisition such as EI; for UCB the caller's worst value). grad (in/out): the base's gradient in, the result's
// out; log_factor_grad: the factor's log-gradient (ignored when grad is null). A -inf log factor gives -inf (log
// scale) or 0 (linear scale) with a zero gradient.
double ApplyLogFactor(bool log_scale, double base, double floor, double log_factor,
                      const Eigen::VectorXd* log_factor_grad, Eigen::VectorXd* grad);

// Marginal-posterior acquisitions share the chain rule from (mu, var) to x.
class MarginalAcquisition : public Acquisition {
 public:
  explicit MarginalAcquisition(std::shared_ptr<const Model> model) : model_(std::move(model)) {}
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  // One marginal posterior for all rows (row by row when it fails, so that a bad row fails alone).
  Eigen::VectorXd EvaluateMany(const Eigen::MatrixXd& x) const override;

 protected:
  // Utility of N(mu, var) with its partial derivatives d/dmu and d/dvar (when non-null).
  virtual double FromMoments(double mu, double var, double* d_mu, double* d_var) const = 0;

 private:
  std::shared_ptr<const Model> model_;
};

// Minimum variance used in the moment-based formulas (model units; avoids division by zero at observed points of a
// noiseless model).
inline constexpr double kMinVariance = 1e-12;

class LogExpectedImprovement : public MarginalAcquisition {
 public:
  LogExpectedImprovement(std::shared_ptr<const Model> model, double best) : MarginalAcquisition(model), best_(best) {}
  std::string name() const override { return "log_ei"; }
  bool log_scale() const override { return true; }

 protected:
  double FromMoments(double mu, double var, double* d_mu, double* d_var) const override;

 private:
  double best_;  // incumbent in model space
};

class ExpectedImprovement : public MarginalAcquisition {
 public:
  ExpectedImprovement(std::shared_ptr<const Model> model, double best) : MarginalAcquisition(model), best_(best) {}
  std::string name() const override { return "ei"; }
  bool log_scale() const override { return false; }
  bool nonnegative() const override { return true; }

 protected:
  double FromMoments(double mu, double var, double* d_mu, double* d_var) const override;

 private:
  double best_;
};

class LogProbabilityOfImprovement : public MarginalAcquisition {
 public:
  LogProbabilityOfImprovement(std::shared_ptr<const Model> model, double best)
      : MarginalAcquisition(model), best_(best) {}
  std::string name() const override { return "pi"; }
  bool log_scale() const override { return true; }

 protected:
  double FromMoments(double mu, double var, double* d_mu, double* d_var) const override;

 private:
  double best_;
};

class UpperConfidenceBound : public MarginalAcquisition {
 public:
  UpperConfidenceBound(std::shared_ptr<const Model> model, double beta) : MarginalAcquisition(model), beta_(beta) {}
  std::string name() const override { return "ucb"; }
  bool log_scale() const override { return false; }
  double beta() const { return beta_; }

 protected:
  double FromMoments(double mu, double var, double* d_mu, double* d_var) const override;

 private:
  double beta_;
};

// GP-UCB exploration weight (Srinivas, Krause, Kakade & Seeger 2010, Theorem 1, finite-domain form):
//   beta_t = 2 log(d t^2 pi^2 / (6 delta)),
// with t the number of observations + 1 (>= 1) and d the input dimension. The theoretical value is known to
// over-explore (Srinivas et al. scale it by 1/5 in their experiments); the caller passes `scale` (default 0.2 in the
// gp strategy).
double GpUcbBeta(int t, int d, double delta, double scale);

// One constraint outcome: feasible when c(x) <= bound (or >= bound when `upper` is false), c modelled by `model`
// in its own model space (the bound already mapped there).
struct ConstraintModel {
  std::shared_ptr<const Model> model;
  double bound = 0;
  bool less_equal = true;
};

// log P(all constraints hold at x) = sum_k log Phi(+-(bound_k - mu_k) / sigma_k).
class LogProbabilityOfFeasibility : public Acquisition {
 public:
  explicit LogProbabilityOfFeasibility(std::vector<ConstraintModel> constraints)
      : constraints_(std::move(constraints)) {}
  std::string name() const override { return "log_pof"; }
  bool log_scale() const override { return true; }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  // One marginal posterior per constraint for all rows; when a constraint's call fails, its rows are scored one by
  // one so that a bad row fails alone, as in Evaluate.
  Eigen::VectorXd EvaluateMany(const Eigen::MatrixXd& x) const override;

 private:
  std::vector<ConstraintModel> constraints_;
};

// log-scale base acquisition + log PoF; the base must be log_scale().
class ConstrainedAcquisition : public Acquisition {
 public:
  ConstrainedAcquisition(std::shared_ptr<const Acquisition> base, std::vector<ConstraintModel> constraints)
      : base_(std::move(base)), pof_(std::move(constraints)) {}
  std::string name() const override { return base_->name() + "+log_pof"; }
  bool log_scale() const override { return true; }
  bool has_gradient() const override { return base_->has_gradient(); }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  Eigen::VectorXd EvaluateMany(const Eigen::MatrixXd& x) const override;  // the base's and the PoF's, batched

 private:
  std::shared_ptr<const Acquisition> base_;
  LogProbabilityOfFeasibility pof_;
};

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_ACQUISITION_H_
