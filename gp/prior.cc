#include "gp/prior.h"

#include <cmath>

namespace bayesd::gp {
namespace {
constexpr double kLogSqrt2Pi = 0.91893853320467274178;
}  // namespace

Prior Prior::DimensionScaledLengthscale(int d) {
  return LogNormal(std::sqrt(2.0) + 0.5 * std::log(d > 0 ? d : 1), std::sqrt(3.0));
}

double Prior::LogDensity(double theta, double* dtheta) const {
  switch (kind_) {
    case Kind::kNone:
      if (dtheta) *dtheta = 0;
      return 0;
    case Kind::kLogNormal: {
      // log p(v) = -log v - log(b sqrt(2 pi)) - (log v - a)^2 / (2 b^2), with log v = theta.
      const double z = (theta - a_) / b_;
      if (dtheta) *dtheta = -1.0 - z / b_;
      return -theta - std::log(b_) - kLogSqrt2Pi - 0.5 * z * z;
    }
    case Kind::kNormalOfLog: {
      // log p(theta) = -log(b sqrt(2 pi)) - (theta - a)^2 / (2 b^2).
      const double z = (theta - a_) / b_;
      if (dtheta) *dtheta = -z / b_;
      return -std::log(b_) - kLogSqrt2Pi - 0.5 * z * z;
    }
    case Kind::kGamma: {
      // log p(v) = a log b - lgamma(a) + (a - 1) log v - b v.
      const double v = std::exp(theta);
      if (dtheta) *dtheta = (a_ - 1.0) - b_ * v;
      return a_ * std::log(b_) - std::lgamma(a_) + (a_ - 1.0) * theta - b_ * v;
    }
  }
  return 0;
}

double Prior::LogMode() const {
  switch (kind_) {
    case Kind::kNone:
      return 0;
    case Kind::kLogNormal:
      return a_ - b_ * b_;
    case Kind::kNormalOfLog:
      return a_;
    case Kind::kGamma:
      return a_ > 1 ? std::log((a_ - 1) / b_) : std::log(a_ / b_);
  }
  return 0;
}

double Prior::LogSample(double z, double u) const {
  if (custom_starts_) return start_loc_ + start_scale_ * z;
  switch (kind_) {
    case Kind::kNone:
      return 2.0 * (u - 0.5);
    case Kind::kLogNormal:
    case Kind::kNormalOfLog:
      return a_ + b_ * z;
    case Kind::kGamma: {
      // Log-normal moment match of the gamma: good enough for choosing optimizer restarts.
      const double var_log = std::log1p(1.0 / a_);
      return std::log(a_ / b_) - 0.5 * var_log + std::sqrt(var_log) * z;
    }
  }
  return 0;
}

}  // namespace bayesd::gp
