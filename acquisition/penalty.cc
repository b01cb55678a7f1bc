#include "acquisition/penalty.h"

#include <cmath>
#include <limits>

namespace bayesd::acquisition {

RegionPenalty::RegionPenalty(std::shared_ptr<const Acquisition> base, Eigen::MatrixXd centres, Eigen::VectorXd radii,
                             double floor)
    : base_(std::move(base)), centres_(std::move(centres)), inv_r2_(radii.size()), floor_(floor) {
  for (Eigen::Index j = 0; j < radii.size(); ++j) {
    inv_r2_[j] = std::isfinite(radii[j]) && radii[j] > 0 ? 1.0 / (radii[j] * radii[j]) : 0.0;
  }
}

double RegionPenalty::LogPenalty(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  if (grad) grad->setZero(x.size());
  double total = 0;
  for (Eigen::Index k = 0; k < centres_.rows(); ++k) {
    const Eigen::VectorXd diff = x - centres_.row(k).transpose();
    const double half_q = 0.5 * diff.cwiseProduct(diff).dot(inv_r2_);
    if (!(half_q > 0)) {  // at a centre: excluded
      if (grad) grad->setZero(x.size());
      return -std::numeric_limits<double>::infinity();
    }
    total += std::log(-std::expm1(-half_q));  // log(1 - e^-q/2)
    // d/dx log(1 - e^-h) = h' / (e^h - 1), h' = diff / r^2.
    if (grad) *grad += diff.cwiseProduct(inv_r2_) / std::expm1(half_q);
  }
  return total;
}

double RegionPenalty::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  Eigen::VectorXd g;
  const double penalty = LogPenalty(x, grad ? &g : nullptr);
  if (!std::isfinite(penalty)) {  // at a centre: excluded, without evaluating the base
    if (grad) grad->setZero(x.size());
    return base_->log_scale() ? penalty : 0.0;
  }
  const double base = base_->Evaluate(x, grad);
  return ApplyLogFactor(base_->log_scale(), base, floor_, penalty, &g, grad);
}

Eigen::VectorXd RegionPenalty::EvaluateMany(const Eigen::MatrixXd& x) const {
  Eigen::VectorXd v = base_->EvaluateMany(x);
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const double penalty = LogPenalty(x.row(i).transpose(), nullptr);
    v[i] = ApplyLogFactor(base_->log_scale(), v[i], floor_, penalty, nullptr, nullptr);
  }
  return v;
}

}  // namespace bayesd::acquisition
