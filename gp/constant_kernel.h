// The constant kernel k(x, x') = s2: one log-space parameter, the variance s2. As a factor of a product it gives a
// sum of unscaled kernels one shared output scale (the tied additive structure of gp/kernel_factory.h).
//
// Thread safety: as Kernel.
#ifndef BAYESD_GP_CONSTANT_KERNEL_H_
#define BAYESD_GP_CONSTANT_KERNEL_H_

#include <memory>
#include <string>

#include "gp/kernel.h"
#include "gp/prior.h"

namespace bayesd::gp {

class ConstantKernel : public Kernel {
 public:
  // The parameter "<name>" = log s2, bounded to [log min_variance, log max_variance], starting at log 1.
  ConstantKernel(std::string name, double min_variance, double max_variance, Prior prior = Prior::None());

  std::unique_ptr<Kernel> Clone() const override { return std::make_unique<ConstantKernel>(*this); }
  std::string Name() const override { return "Constant"; }
  double variance() const;

  Eigen::MatrixXd Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const override;
  Eigen::VectorXd Diagonal(const Eigen::MatrixXd& x) const override;
  Eigen::VectorXd ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const override;
  Eigen::MatrixXd InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const override;
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_CONSTANT_KERNEL_H_
