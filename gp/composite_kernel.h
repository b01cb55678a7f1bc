// Product and sum of two kernels, e.g. continuous x categorical for mixed spaces, or input x fidelity.
// Parameters: the first kernel's, then the second's.
//
// Thread safety: as Kernel.
#ifndef BAYESD_GP_COMPOSITE_KERNEL_H_
#define BAYESD_GP_COMPOSITE_KERNEL_H_

#include <memory>
#include <string>
#include <vector>

#include "gp/kernel.h"

namespace bayesd::gp {

class CompositeKernel : public Kernel {
 public:
  enum class Op { kProduct, kSum };
  CompositeKernel(Op op, std::unique_ptr<Kernel> a, std::unique_ptr<Kernel> b);
  CompositeKernel(const CompositeKernel& other);

  std::unique_ptr<Kernel> Clone() const override { return std::make_unique<CompositeKernel>(*this); }
  std::string Name() const override;

  int NumParams() const override { return a_->NumParams() + b_->NumParams(); }
  Eigen::VectorXd Params() const override;
  void SetParams(const Eigen::VectorXd& p) override;
  Eigen::VectorXd LowerBounds() const override;
  Eigen::VectorXd UpperBounds() const override;
  std::vector<std::string> ParamNames() const override;
  double LogPrior(Eigen::VectorXd* grad) const override;
  Eigen::VectorXd DefaultParams() const override;
  Eigen::VectorXd SampleParams(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const override;

  Eigen::MatrixXd Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const override;
  Eigen::MatrixXd ComputeSymmetric(const Eigen::MatrixXd& x) const override;
  Eigen::VectorXd Diagonal(const Eigen::MatrixXd& x) const override;
  Eigen::VectorXd ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const override;
  Eigen::MatrixXd InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const override;
  Eigen::VectorXd DiagonalInputGradient(const Eigen::RowVectorXd& x) const override;

  const Kernel& first() const { return *a_; }
  const Kernel& second() const { return *b_; }

 private:
  Eigen::VectorXd Concat(const Eigen::VectorXd& pa, const Eigen::VectorXd& pb) const;

  Op op_;
  std::unique_ptr<Kernel> a_;
  std::unique_ptr<Kernel> b_;
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_COMPOSITE_KERNEL_H_
