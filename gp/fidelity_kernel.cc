#include "gp/fidelity_kernel.h"

#include <algorithm>
#include <cmath>

namespace bayesd::gp {

DownsamplingKernel::DownsamplingKernel(int fidelity_column) : column_(fidelity_column) {
  AddParam("fidelity_offset", 0.0, std::log(1e-4), std::log(1e2), Prior::Gamma(3.0, 3.0));
  AddParam("fidelity_power", 0.0, std::log(1e-3), std::log(1e2), Prior::Gamma(3.0, 3.0));
  params_ = DefaultParams();
}

Eigen::MatrixXd DownsamplingKernel::Product(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const {
  const Eigen::VectorXd a = (1.0 - x1.col(column_).array()).cwiseMax(0.0).cwiseMin(1.0);
  const Eigen::VectorXd b = (1.0 - x2.col(column_).array()).cwiseMax(0.0).cwiseMin(1.0);
  return a * b.transpose();
}

Eigen::MatrixXd DownsamplingKernel::Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const {
  return (Product(x1, x2).array().pow(Power()) + Offset()).matrix();
}

Eigen::VectorXd DownsamplingKernel::Diagonal(const Eigen::MatrixXd& x) const {
  const Eigen::ArrayXd a = (1.0 - x.col(column_).array()).cwiseMax(0.0).cwiseMin(1.0);
  return (a.pow(2.0 * Power()) + Offset()).matrix();
}

Eigen::VectorXd DownsamplingKernel::ContractParamGradient(const Eigen::MatrixXd& x,
                                                          const Eigen::MatrixXd& w) const {
  const Eigen::MatrixXd u = Product(x, x);
  const double p = Power();
  // d/dlog delta of u^p = u^p log(u) delta, with u^p log u -> 0 as u -> 0.
  const Eigen::MatrixXd dpow =
      u.unaryExpr([p](double v) { return v > 0 ? std::pow(v, p) * std::log(v) : 0.0; }) * (p - 1.0);
  Eigen::VectorXd g(2);
  g[0] = w.sum() * Offset();
  g[1] = w.cwiseProduct(dpow).sum();
  return g;
}

Eigen::MatrixXd DownsamplingKernel::InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const {
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(x.size(), x2.rows());
  const double a = std::clamp(1.0 - x[column_], 0.0, 1.0);
  const double p = Power();
  const Eigen::ArrayXd b = (1.0 - x2.col(column_).array()).cwiseMax(0.0).cwiseMin(1.0);
  // d/ds (a^p b^p) = -p a^(p-1) b^p.
  g.row(column_) = (-p * std::pow(a, p - 1.0) * b.pow(p)).matrix().transpose();
  return g;
}

Eigen::VectorXd DownsamplingKernel::DiagonalInputGradient(const Eigen::RowVectorXd& x) const {
  Eigen::VectorXd g = Eigen::VectorXd::Zero(x.size());
  const double a = std::clamp(1.0 - x[column_], 0.0, 1.0);
  const double p = Power();
  g[column_] = -2.0 * p * std::pow(a, 2.0 * p - 1.0);
  return g;
}

}  // namespace bayesd::gp
