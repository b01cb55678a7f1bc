// Stationary ARD kernels on continuous columns: Matérn-5/2, Matérn-3/2 and squared exponential (RBF).
//
//   k(x, y) = s2 * f(r),  r^2 = sum_c ((x_c - y_c) / l_c)^2 over the active columns c
//   Matérn-5/2: f = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)   Matérn-3/2: f = (1 + sqrt3 r) exp(-sqrt3 r)
//   RBF:        f = exp(-r^2 / 2)
// (the scikit-learn / GPyTorch conventions, Rasmussen & Williams 2006 eq. 4.17). Parameters, log space:
// [log l_1 .. log l_k, log s2] (s2 omitted when has_outputscale is false, e.g. inside a product).
//
// Thread safety: as Kernel.
#ifndef BAYESD_GP_STATIONARY_KERNEL_H_
#define BAYESD_GP_STATIONARY_KERNEL_H_

#include <memory>
#include <string>
#include <vector>

#include "gp/kernel.h"

namespace bayesd::gp {

enum class StationaryType { kMatern52, kMatern32, kRbf };

struct StationaryKernelOptions {
  StationaryType type = StationaryType::kMatern52;
  bool has_outputscale = true;  // learn s2; false inside products where another factor carries the scale
  double min_lengthscale = 0.025;  // BoTorch's GreaterThan(2.5e-2); inputs live in [0, 1]
  double max_lengthscale = 1e4;
  double min_outputscale = 1e-4;   // in standardized output units
  // 1e6, not 1e4: on smooth functions (Branin) the MAP optimum has s2 -> large with long lengthscales (the
  // near-polynomial limit); a 1e4 cap held s2 at the bound and cost 2-5% held-out RMSE against scikit-learn (whose
  // cap is 1e5) at 2-3 nats of log likelihood (docs/gp.md).
  double max_outputscale = 1e6;
  // Priors in natural units. Default lengthscale prior: dimension-scaled log-normal (Hvarfner et al. 2024), with d
  // = number of active columns unless prior_dim > 0 overrides it (e.g. total ARD dims of a product kernel).
  bool lengthscale_prior = true;
  int prior_dim = 0;
  // Form of the lengthscale prior (experimental knobs, defaults = Hvarfner/BoTorch): density of l (false) or of
  // log l (true, Prior::NormalOfLog); loc shift added to sqrt(2) + log(d)/2; scale (sqrt(3)).
  bool lengthscale_prior_log_density = false;
  double lengthscale_prior_shift = 0.0;
  double lengthscale_prior_scale = 1.7320508075688772935;
  bool lengthscale_starts_hvarfner = false;  // restarts drawn from LogNormal(sqrt(2) + log(d)/2, sqrt(3))
  // Flat in log s2 within the bounds (as scikit-learn). A LogNormal(0, 1) here cost 15-25% RMSE on Branin, whose
  // standardized amplitude at long lengthscales is >> 1; BoTorch's vanilla model has no output scale at all.
  Prior outputscale_prior = Prior::None();
  // Prepended to the parameter names (ParamNames), so that several stationary kernels in one sum stay
  // distinguishable in diagnostics (e.g. "additive[3]." for the term of column 3).
  std::string param_prefix;
};

class StationaryKernel : public Kernel {
 public:
  StationaryKernel(std::vector<int> active_columns, const StationaryKernelOptions& options);

  std::unique_ptr<Kernel> Clone() const override { return std::make_unique<StationaryKernel>(*this); }
  std::string Name() const override;

  Eigen::MatrixXd Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const override;
  Eigen::MatrixXd ComputeSymmetric(const Eigen::MatrixXd& x) const override;
  Eigen::VectorXd Diagonal(const Eigen::MatrixXd& x) const override;
  Eigen::VectorXd ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const override;
  Eigen::MatrixXd InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const override;

  const std::vector<int>& active_columns() const { return active_; }

 private:
  int NumLengthscales() const { return static_cast<int>(active_.size()); }
  double OutputScale() const;
  // Active columns of x divided by the lengthscales: n x k.
  Eigen::MatrixXd Scaled(const Eigen::MatrixXd& x) const;
  // f(r) and g(r) = f'(r) / r as functions of r^2 (g is finite at r = 0).
  double Profile(double r2) const;
  double ProfileSlope(double r2) const;
  // Both at once (one exponential).
  void ProfileAndSlope(double r2, double* f, double* g) const;

  std::vector<int> active_;
  StationaryType type_;
  bool has_outputscale_;
};

// Squared distances between rows of a (n1 x k) and b (n2 x k): n1 x n2, computed by differences (no cancellation).
Eigen::MatrixXd SquaredDistances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);
// Lower triangle (diagonal included) of SquaredDistances(a, a); the strict upper triangle is zero.
Eigen::MatrixXd SquaredDistancesLower(const Eigen::MatrixXd& a);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_STATIONARY_KERNEL_H_
