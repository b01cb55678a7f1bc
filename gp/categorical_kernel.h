// CategoricalKernel: overlap (Hamming-type) kernel on integer-coded categorical columns.
//
//   k(x, y) = s2 * exp(-(1/k) sum_c [x_c != y_c] / l_c)   over the k active categorical columns
// (the form of BoTorch's CategoricalKernel used in MixedSingleTaskGP, after Ru et al. 2020, CoCaBO). It is PSD:
// each factor exp(-[x != y]/(k l)) is a convex mix of a constant and an indicator kernel.
// Parameters, log space: [log l_1 .. log l_k, log s2] (s2 omitted when has_outputscale is false).
// Input gradients are zero: categories are not differentiable coordinates.
//
// Thread safety: as Kernel.
#ifndef BAYESD_GP_CATEGORICAL_KERNEL_H_
#define BAYESD_GP_CATEGORICAL_KERNEL_H_

#include <memory>
#include <string>
#include <vector>

#include "gp/kernel.h"

namespace bayesd::gp {

struct CategoricalKernelOptions {
  bool has_outputscale = false;  // usually a factor of a product whose continuous part carries the scale
  double min_lengthscale = 1e-3;
  double max_lengthscale = 1e3;
  Prior lengthscale_prior = Prior::LogNormal(0.0, 1.5);  // median l = 1: a mismatch multiplies k by e^(-1/k)
  Prior outputscale_prior = Prior::LogNormal(0.0, 1.0);
};

class CategoricalKernel : public Kernel {
 public:
  CategoricalKernel(std::vector<int> active_columns, const CategoricalKernelOptions& options);

  std::unique_ptr<Kernel> Clone() const override { return std::make_unique<CategoricalKernel>(*this); }
  std::string Name() const override { return "Categorical"; }

  Eigen::MatrixXd Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const override;
  Eigen::VectorXd Diagonal(const Eigen::MatrixXd& x) const override;
  Eigen::VectorXd ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const override;
  Eigen::MatrixXd InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const override;

 private:
  int NumLengthscales() const { return static_cast<int>(active_.size()); }
  double OutputScale() const;
  // Mismatch indicator of column c between rows of x1 and x2: n1 x n2 of 0/1.
  Eigen::MatrixXd Mismatch(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2, int c) const;

  std::vector<int> active_;
  bool has_outputscale_;
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_CATEGORICAL_KERNEL_H_
