#include "gp/outcome_transform.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bayesd::gp {
namespace {

constexpr double kZ95 = 1.959963984540054;

// A usable scale: the sample sd unless it is zero or lost in rounding of the mean.
double SafeScale(double mean, double sd) {
  if (!(sd > 1e-13 * std::abs(mean)) || !std::isfinite(sd)) return std::max(std::abs(mean), 1.0);
  return sd;
}

double Skewness(const Eigen::VectorXd& v) {
  const double m = v.mean();
  const double m2 = (v.array() - m).square().mean();
  const double m3 = (v.array() - m).cube().mean();
  return m2 > 0 ? m3 / std::pow(m2, 1.5) : 0.0;
}

// Yeo-Johnson profile log-likelihood of lambda for standardized data u.
double YjLogLikelihood(const Eigen::VectorXd& u, double lambda) {
  Eigen::VectorXd w(u.size());
  double jac = 0;
  for (int i = 0; i < u.size(); ++i) {
    w[i] = YeoJohnson(u[i], lambda);
    jac += std::copysign(1.0, u[i]) * std::log1p(std::abs(u[i]));
  }
  const double mean = w.mean();
  const double var = (w.array() - mean).square().mean();
  if (!(var > 0) || !std::isfinite(var)) return -std::numeric_limits<double>::infinity();
  return -0.5 * static_cast<double>(u.size()) * std::log(var) + (lambda - 1.0) * jac;
}

double GoldenSectionMax(const Eigen::VectorXd& u, double lo, double hi) {
  const double r = 0.6180339887498949;
  double a = lo, b = hi;
  double c = b - r * (b - a), d = a + r * (b - a);
  double fc = YjLogLikelihood(u, c), fd = YjLogLikelihood(u, d);
  for (int it = 0; it < 60; ++it) {
    if (fc > fd) {
      b = d; d = c; fd = fc;
      c = b - r * (b - a);
      fc = YjLogLikelihood(u, c);
    } else {
      a = c; c = d; fc = fd;
      d = a + r * (b - a);
      fd = YjLogLikelihood(u, d);
    }
  }
  return 0.5 * (a + b);
}

}  // namespace

double YeoJohnson(double u, double lambda) {
  if (u >= 0) return std::abs(lambda) < 1e-12 ? std::log1p(u) : (std::pow(u + 1.0, lambda) - 1.0) / lambda;
  const double l2 = 2.0 - lambda;
  return std::abs(l2) < 1e-12 ? -std::log1p(-u) : -(std::pow(1.0 - u, l2) - 1.0) / l2;
}

double YeoJohnsonInverse(double w, double lambda) {
  constexpr double kEdge = 1.0 - 1e-12;
  if (w >= 0) {
    if (std::abs(lambda) < 1e-12) return std::expm1(w);
    double base = w * lambda + 1.0;  // > 0 required; for lambda < 0, w < -1/lambda
    if (lambda < 0) base = std::max(base, 1.0 - kEdge);
    return std::pow(base, 1.0 / lambda) - 1.0;
  }
  const double l2 = 2.0 - lambda;
  if (std::abs(l2) < 1e-12) return -std::expm1(-w);
  double base = 1.0 - l2 * w;  // for lambda > 2, w > 1/l2 ... clamp
  if (l2 < 0) base = std::max(base, 1.0 - kEdge);
  return 1.0 - std::pow(base, 1.0 / l2);
}

GpStatus OutcomeTransformOptions::Validate() const {
  if (!(auto_skew_threshold >= 0)) {
    return GpInvalid("OutcomeTransformOptions.auto_skew_threshold = " + std::to_string(auto_skew_threshold) +
                     " must be >= 0");
  }
  if (min_points_for_warp < 3) {
    return GpInvalid("OutcomeTransformOptions.min_points_for_warp = " + std::to_string(min_points_for_warp) +
                     " must be >= 3");
  }
  return GpOk();
}

void SampleMeanSd(const Eigen::VectorXd& v, double* mean, double* sd) {
  const double n = static_cast<double>(v.size());
  if (v.size() == 0) {
    *mean = *sd = 0;
    return;
  }
  const double top = v.cwiseAbs().maxCoeff();
  const int e = top > 0 && std::isfinite(top) ? std::clamp(std::ilogb(top), -1021, 1021) : 0;
  const Eigen::ArrayXd u = v.array() * std::ldexp(1.0, -e);
  const double mu = u.mean();
  *mean = std::ldexp(mu, e);
  *sd = n > 1 ? std::ldexp(std::sqrt((u - mu).square().sum() / (n - 1)), e) : 0.0;
}

GpStatus OutcomeTransform::Fit(const Eigen::VectorXd& y) {
  if (y.size() == 0) return GpInvalid("OutcomeTransform::Fit needs at least one outcome");
  if (!y.allFinite()) return GpInvalid("outcomes must be finite");
  double sd = 0;
  SampleMeanSd(y, &mu_, &sd);
  s_ = SafeScale(mu_, sd);
  warped_ = false;
  lambda_ = 1;
  mu2_ = 0;
  s2_ = 1;
  const Eigen::VectorXd u = (y.array() - mu_) / s_;
  const bool want = options_.warp == OutcomeTransformOptions::Warp::kYeoJohnson ||
                    (options_.warp == OutcomeTransformOptions::Warp::kAuto &&
                     std::abs(Skewness(u)) > options_.auto_skew_threshold);
  if (!want || y.size() < options_.min_points_for_warp || sd == 0) return GpOk();
  lambda_ = GoldenSectionMax(u, -3.0, 3.0);
  Eigen::VectorXd w = u.unaryExpr([this](double v) { return YeoJohnson(v, lambda_); });
  double sd2 = 0;
  SampleMeanSd(w, &mu2_, &sd2);
  s2_ = SafeScale(mu2_, sd2);
  warped_ = w.allFinite();
  if (!warped_) { lambda_ = 1; mu2_ = 0; s2_ = 1; }
  return GpOk();
}

double OutcomeTransform::ToModel(double y) const {
  const double u = (y - mu_) / s_;
  return warped_ ? (YeoJohnson(u, lambda_) - mu2_) / s2_ : u;
}

Eigen::VectorXd OutcomeTransform::ToModel(const Eigen::VectorXd& y) const {
  return y.unaryExpr([this](double v) { return ToModel(v); });
}

double OutcomeTransform::ToOutcome(double z) const {
  const double u = warped_ ? YeoJohnsonInverse(mu2_ + s2_ * z, lambda_) : z;
  return mu_ + s_ * u;
}

double OutcomeTransform::WarpSlope(double u) const {
  return u >= 0 ? std::pow(u + 1.0, lambda_ - 1.0) : std::pow(1.0 - u, 1.0 - lambda_);
}

double OutcomeTransform::ModelSlope(double y) const {
  const double u = (y - mu_) / s_;
  return warped_ ? WarpSlope(u) / (s_ * s2_) : 1.0 / s_;
}

Eigen::VectorXd OutcomeTransform::NoiseToModel(const Eigen::VectorXd& y, const Eigen::VectorXd& noise_var) const {
  Eigen::VectorXd out(noise_var.size());
  for (int i = 0; i < noise_var.size(); ++i) {
    const double slope = ModelSlope(y[i]);
    out[i] = noise_var[i] * slope * slope;
  }
  return out;
}

void OutcomeTransform::ToOutcomeGaussian(const Eigen::VectorXd& mean_z, const Eigen::VectorXd& var_z,
                                         Eigen::VectorXd* mean, Eigen::VectorXd* sd, Eigen::VectorXd* lower,
                                         Eigen::VectorXd* upper) const {
  const Eigen::Index m = mean_z.size();
  mean->resize(m);
  sd->resize(m);
  lower->resize(m);
  upper->resize(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    const double sz = std::sqrt(std::max(var_z[i], 0.0));
    (*mean)[i] = ToOutcome(mean_z[i]);
    (*lower)[i] = ToOutcome(mean_z[i] - kZ95 * sz);
    (*upper)[i] = ToOutcome(mean_z[i] + kZ95 * sz);
    (*sd)[i] = sz / ModelSlope((*mean)[i]);
  }
}

}  // namespace bayesd::gp
