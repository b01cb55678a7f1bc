#include "gp/stationary_kernel.h"

#include <cmath>

namespace bayesd::gp {
namespace {
constexpr double kSqrt3 = 1.7320508075688772935;
constexpr double kSqrt5 = 2.2360679774997896964;
}  // namespace

Eigen::MatrixXd SquaredDistances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  Eigen::MatrixXd r2 = Eigen::MatrixXd::Zero(a.rows(), b.rows());
  for (Eigen::Index j = 0; j < b.rows(); ++j) {
    for (Eigen::Index c = 0; c < a.cols(); ++c) {
      r2.col(j).array() += (a.col(c).array() - b(j, c)).square();
    }
  }
  return r2;
}

Eigen::MatrixXd SquaredDistancesLower(const Eigen::MatrixXd& a) {
  const Eigen::Index n = a.rows();
  Eigen::MatrixXd r2 = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index c = 0; c < a.cols(); ++c) {
      r2.col(j).tail(n - j).array() += (a.col(c).tail(n - j).array() - a(j, c)).square();
    }
  }
  return r2;
}

StationaryKernel::StationaryKernel(std::vector<int> active_columns, const StationaryKernelOptions& options)
    : active_(std::move(active_columns)), type_(options.type), has_outputscale_(options.has_outputscale) {
  const int prior_dim = options.prior_dim > 0 ? options.prior_dim : static_cast<int>(active_.size());
  const Prior hv = Prior::DimensionScaledLengthscale(prior_dim);
  const double loc = hv.a() + options.lengthscale_prior_shift;
  Prior ls_prior = !options.lengthscale_prior ? Prior::None()
                         : options.lengthscale_prior_log_density
                             ? Prior::NormalOfLog(loc, options.lengthscale_prior_scale)
                             : Prior::LogNormal(loc, options.lengthscale_prior_scale);
  if (options.lengthscale_prior && options.lengthscale_starts_hvarfner) ls_prior = ls_prior.WithStarts(hv.a(), hv.b());
  for (int c : active_) {
    AddParam(options.param_prefix + "lengthscale[" + std::to_string(c) + "]", 0.0, std::log(options.min_lengthscale),
             std::log(options.max_lengthscale), ls_prior);
  }
  if (has_outputscale_) {
    AddParam(options.param_prefix + "outputscale", 0.0, std::log(options.min_outputscale),
             std::log(options.max_outputscale), options.outputscale_prior);
  }
  params_ = DefaultParams();
}

std::string StationaryKernel::Name() const {
  switch (type_) {
    case StationaryType::kMatern52:
      return "Matern52";
    case StationaryType::kMatern32:
      return "Matern32";
    case StationaryType::kRbf:
      return "RBF";
  }
  return "Stationary";
}

double StationaryKernel::OutputScale() const {
  return has_outputscale_ ? std::exp(params_[NumLengthscales()]) : 1.0;
}

Eigen::MatrixXd StationaryKernel::Scaled(const Eigen::MatrixXd& x) const {
  Eigen::MatrixXd a = SelectColumns(x, active_);
  for (int c = 0; c < NumLengthscales(); ++c) a.col(c) *= std::exp(-params_[c]);
  return a;
}

double StationaryKernel::Profile(double r2) const {
  switch (type_) {
    case StationaryType::kMatern52: {
      const double r = std::sqrt(r2);
      return (1.0 + kSqrt5 * r + (5.0 / 3.0) * r2) * std::exp(-kSqrt5 * r);
    }
    case StationaryType::kMatern32: {
      const double r = std::sqrt(r2);
      return (1.0 + kSqrt3 * r) * std::exp(-kSqrt3 * r);
    }
    case StationaryType::kRbf:
      return std::exp(-0.5 * r2);
  }
  return 0;
}

double StationaryKernel::ProfileSlope(double r2) const {
  switch (type_) {
    case StationaryType::kMatern52: {
      const double r = std::sqrt(r2);
      return -(5.0 / 3.0) * (1.0 + kSqrt5 * r) * std::exp(-kSqrt5 * r);
    }
    case StationaryType::kMatern32:
      return -3.0 * std::exp(-kSqrt3 * std::sqrt(r2));
    case StationaryType::kRbf:
      return -std::exp(-0.5 * r2);
  }
  return 0;
}

void StationaryKernel::ProfileAndSlope(double r2, double* f, double* g) const {
  switch (type_) {
    case StationaryType::kMatern52: {
      const double r = std::sqrt(r2), e = std::exp(-kSqrt5 * r);
      *f = (1.0 + kSqrt5 * r + (5.0 / 3.0) * r2) * e;
      *g = -(5.0 / 3.0) * (1.0 + kSqrt5 * r) * e;
      return;
    }
    case StationaryType::kMatern32: {
      const double r = std::sqrt(r2), e = std::exp(-kSqrt3 * r);
      *f = (1.0 + kSqrt3 * r) * e;
      *g = -3.0 * e;
      return;
    }
    case StationaryType::kRbf:
      *f = std::exp(-0.5 * r2);
      *g = -*f;
      return;
  }
}

Eigen::MatrixXd StationaryKernel::ComputeSymmetric(const Eigen::MatrixXd& x) const {
  Eigen::MatrixXd k = SquaredDistancesLower(Scaled(x));
  const double s2 = OutputScale();
  const Eigen::Index n = k.rows();
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j; i < n; ++i) k(i, j) = s2 * Profile(k(i, j));
  }
  k.triangularView<Eigen::StrictlyUpper>() = k.transpose();
  return k;
}

Eigen::MatrixXd StationaryKernel::Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const {
  Eigen::MatrixXd k = SquaredDistances(Scaled(x1), Scaled(x2));
  const double s2 = OutputScale();
  k = k.unaryExpr([this, s2](double r2) { return s2 * Profile(r2); });
  return k;
}

Eigen::VectorXd StationaryKernel::Diagonal(const Eigen::MatrixXd& x) const {
  return Eigen::VectorXd::Constant(x.rows(), OutputScale());
}

Eigen::VectorXd StationaryKernel::ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const {
  const Eigen::MatrixXd a = Scaled(x);
  const Eigen::Index n = a.rows();
  const double s2 = OutputScale();
  // One pass over the lower triangle: H = W o (s2 g(r)) (symmetric, both triangles filled) and sum_ij W_ij K_ij.
  Eigen::MatrixXd h = SquaredDistancesLower(a);
  double wk = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j; i < n; ++i) {
      double f = 0, g = 0;
      ProfileAndSlope(h(i, j), &f, &g);
      const double wij = w(i, j) * s2;
      h(i, j) = wij * g;
      wk += (i == j ? 1.0 : 2.0) * wij * f;
    }
  }
  h.triangularView<Eigen::StrictlyUpper>() = h.transpose();
  Eigen::VectorXd grad(NumParams());
  // dk/dlog l_c = -s2 g(r) (a_ic - a_jc)^2, and for symmetric H:
  // sum_ij H_ij (a_ic - a_jc)^2 = 2 sum_i a_ic^2 rowsum(H)_i - 2 a_c' H a_c.
  const Eigen::VectorXd rowsum = h.rowwise().sum();
  const Eigen::MatrixXd ha = h * a;
  for (int c = 0; c < NumLengthscales(); ++c) {
    const double quad = a.col(c).dot(ha.col(c));
    grad[c] = -(2.0 * a.col(c).array().square().matrix().dot(rowsum) - 2.0 * quad);
  }
  if (has_outputscale_) grad[NumLengthscales()] = wk;
  return grad;
}

Eigen::MatrixXd StationaryKernel::InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const {
  const Eigen::MatrixXd a = Scaled(x);  // 1 x k
  const Eigen::MatrixXd b = Scaled(x2);
  const Eigen::VectorXd r2 = SquaredDistances(b, a).col(0);  // n2
  const double s2 = OutputScale();
  const Eigen::VectorXd slope = r2.unaryExpr([this, s2](double v) { return s2 * ProfileSlope(v); });
  Eigen::MatrixXd grad = Eigen::MatrixXd::Zero(x.size(), x2.rows());
  // dk/dx_c = s2 g(r) (x_c - y_c) / l_c^2 = s2 g(r) (a_c - b_c) / l_c.
  for (int c = 0; c < NumLengthscales(); ++c) {
    grad.row(active_[c]) =
        (slope.array() * (a(0, c) - b.col(c).array()) * std::exp(-params_[c])).matrix().transpose();
  }
  return grad;
}

}  // namespace bayesd::gp
