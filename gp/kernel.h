// Kernel: covariance functions on rows of an input matrix, with hyperparameters in log space.
//
// Shapes: x, x1, x2 are n x d matrices whose rows are points laid out as described by an InputSpec (d = full input
// width; each kernel reads only its active columns). Hyperparameters are log-space (log lengthscale, log output
// variance, ...); bounds and priors refer to the same log-space vector.
//
// Thread safety: const methods are safe to call concurrently; SetParams is not (clone per thread).
#ifndef BAYESD_GP_KERNEL_H_
#define BAYESD_GP_KERNEL_H_

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gp/prior.h"

namespace bayesd::gp {

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual std::unique_ptr<Kernel> Clone() const = 0;
  virtual std::string Name() const = 0;

  // Log-space hyperparameters. Composite kernels concatenate their children's vectors in order.
  virtual int NumParams() const { return static_cast<int>(params_.size()); }
  virtual Eigen::VectorXd Params() const { return params_; }
  virtual void SetParams(const Eigen::VectorXd& p) { params_ = p; }
  virtual Eigen::VectorXd LowerBounds() const { return lower_; }
  virtual Eigen::VectorXd UpperBounds() const { return upper_; }
  virtual std::vector<std::string> ParamNames() const { return names_; }
  // Sum of log priors at the current parameters; adds d/dtheta into grad (size NumParams) when non-null.
  virtual double LogPrior(Eigen::VectorXd* grad) const;
  // A starting point for the optimizer: prior modes clamped to the bounds.
  virtual Eigen::VectorXd DefaultParams() const;
  // A random starting point: prior draws clamped to the bounds. z: standard normals, u: uniforms, NumParams each.
  virtual Eigen::VectorXd SampleParams(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const;

  // Cross-covariance k(x1_i, x2_j): n1 x n2.
  virtual Eigen::MatrixXd Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const = 0;
  // Compute(x, x), exploiting symmetry where the kernel can: n x n.
  virtual Eigen::MatrixXd ComputeSymmetric(const Eigen::MatrixXd& x) const { return Compute(x, x); }
  // k(x_i, x_i): n.
  virtual Eigen::VectorXd Diagonal(const Eigen::MatrixXd& x) const = 0;
  // For a symmetric n x n weight matrix W, returns g_p = sum_ij W_ij dK(x, x)_ij / dtheta_p (NumParams). This is
  // all the log-marginal-likelihood gradient needs, and avoids materialising NumParams n x n matrices.
  virtual Eigen::VectorXd ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const = 0;
  // d k(x, x2_j) / d x_c for a single point x (1 x d): d x n2, row c = derivative w.r.t. column c of x.
  // Categorical columns have zero gradient.
  virtual Eigen::MatrixXd InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const = 0;
  // d k(x, x) / d x: d-vector. Zero for stationary kernels.
  virtual Eigen::VectorXd DiagonalInputGradient(const Eigen::RowVectorXd& x) const {
    return Eigen::VectorXd::Zero(x.size());
  }

 protected:
  // Registers one parameter in the flat storage used by leaf kernels.
  void AddParam(std::string name, double value, double lower, double upper, Prior prior);

  Eigen::VectorXd params_;
  Eigen::VectorXd lower_;
  Eigen::VectorXd upper_;
  std::vector<Prior> priors_;
  std::vector<std::string> names_;
};

// Gathers the given columns of x: n x cols.size().
Eigen::MatrixXd SelectColumns(const Eigen::MatrixXd& x, const std::vector<int>& cols);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_KERNEL_H_
