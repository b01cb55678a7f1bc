#include "gp/categorical_kernel.h"

#include <cmath>

namespace bayesd::gp {

CategoricalKernel::CategoricalKernel(std::vector<int> active_columns, const CategoricalKernelOptions& options)
    : active_(std::move(active_columns)), has_outputscale_(options.has_outputscale) {
  for (int c : active_) {
    AddParam("cat_lengthscale[" + std::to_string(c) + "]", 0.0, std::log(options.min_lengthscale),
             std::log(options.max_lengthscale), options.lengthscale_prior);
  }
  if (has_outputscale_) {
    AddParam("cat_outputscale", 0.0, std::log(1e-4), std::log(1e4), options.outputscale_prior);
  }
  params_ = DefaultParams();
}

double CategoricalKernel::OutputScale() const {
  return has_outputscale_ ? std::exp(params_[NumLengthscales()]) : 1.0;
}

Eigen::MatrixXd CategoricalKernel::Mismatch(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2, int c) const {
  const int col = active_[c];
  Eigen::MatrixXd m(x1.rows(), x2.rows());
  for (Eigen::Index j = 0; j < x2.rows(); ++j) {
    m.col(j) = (x1.col(col).array().round() != std::round(x2(j, col))).cast<double>();
  }
  return m;
}

Eigen::MatrixXd CategoricalKernel::Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const {
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(x1.rows(), x2.rows());
  const double inv_k = 1.0 / std::max(1, NumLengthscales());
  for (int c = 0; c < NumLengthscales(); ++c) e += Mismatch(x1, x2, c) * (std::exp(-params_[c]) * inv_k);
  return OutputScale() * (-e.array()).exp().matrix();
}

Eigen::VectorXd CategoricalKernel::Diagonal(const Eigen::MatrixXd& x) const {
  return Eigen::VectorXd::Constant(x.rows(), OutputScale());
}

Eigen::VectorXd CategoricalKernel::ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const {
  const Eigen::MatrixXd wk = w.cwiseProduct(Compute(x, x));
  const double inv_k = 1.0 / std::max(1, NumLengthscales());
  Eigen::VectorXd grad(NumParams());
  // dk/dlog l_c = k * [x_c != y_c] / (k_cols l_c).
  for (int c = 0; c < NumLengthscales(); ++c) {
    grad[c] = wk.cwiseProduct(Mismatch(x, x, c)).sum() * std::exp(-params_[c]) * inv_k;
  }
  if (has_outputscale_) grad[NumLengthscales()] = wk.sum();
  return grad;
}

Eigen::MatrixXd CategoricalKernel::InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const {
  return Eigen::MatrixXd::Zero(x.size(), x2.rows());
}

}  // namespace bayesd::gp
