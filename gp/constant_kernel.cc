#include "gp/constant_kernel.h"

#include <cmath>
#include <utility>

namespace bayesd::gp {

ConstantKernel::ConstantKernel(std::string name, double min_variance, double max_variance, Prior prior) {
  AddParam(std::move(name), 0.0, std::log(min_variance), std::log(max_variance), std::move(prior));
  params_ = DefaultParams();
}

double ConstantKernel::variance() const { return std::exp(params_[0]); }

Eigen::MatrixXd ConstantKernel::Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const {
  return Eigen::MatrixXd::Constant(x1.rows(), x2.rows(), variance());
}

Eigen::VectorXd ConstantKernel::Diagonal(const Eigen::MatrixXd& x) const {
  return Eigen::VectorXd::Constant(x.rows(), variance());
}

Eigen::VectorXd ConstantKernel::ContractParamGradient(const Eigen::MatrixXd& /*x*/, const Eigen::MatrixXd& w) const {
  return Eigen::VectorXd::Constant(1, variance() * w.sum());  // d s2 / d log s2 = s2
}

Eigen::MatrixXd ConstantKernel::InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const {
  return Eigen::MatrixXd::Zero(x.size(), x2.rows());
}

}  // namespace bayesd::gp
