// DownsamplingKernel on a single fidelity column s in [0, 1] (1 = target fidelity):
//
//   k(s, s') = c + ((1 - s)(1 - s'))^(1 + delta)
//
// from Wu, Toscano-Palmerin, Frazier & Wilson (2019), "Practical multi-fidelity Bayesian optimization for
// hyperparameter tuning" (BoTorch's DownsamplingKernel). Used as a factor of a product with the input kernel, so
// the covariance between fidelities decays as they move away from the target. Parameters, log space:
// [log c, log delta], both with Gamma(3, 3) priors as in BoTorch's SingleTaskMultiFidelityGP.
//
// Thread safety: as Kernel.
#ifndef BAYESD_GP_FIDELITY_KERNEL_H_
#define BAYESD_GP_FIDELITY_KERNEL_H_

#include <memory>
#include <string>

#include "gp/kernel.h"

namespace bayesd::gp {

class DownsamplingKernel : public Kernel {
 public:
  explicit DownsamplingKernel(int fidelity_column);

  std::unique_ptr<Kernel> Clone() const override { return std::make_unique<DownsamplingKernel>(*this); }
  std::string Name() const override { return "Downsampling"; }

  Eigen::MatrixXd Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const override;
  Eigen::VectorXd Diagonal(const Eigen::MatrixXd& x) const override;
  Eigen::VectorXd ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const override;
  Eigen::MatrixXd InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const override;
  Eigen::VectorXd DiagonalInputGradient(const Eigen::RowVectorXd& x) const override;

 private:
  double Offset() const { return std::exp(params_[0]); }
  double Power() const { return 1.0 + std::exp(params_[1]); }
  // u_ij = (1 - s_i)(1 - s'_j), clamped to [0, 1].
  Eigen::MatrixXd Product(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const;

  int column_;
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_FIDELITY_KERNEL_H_
