#include "acquisition/composite.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "gp/outcome_transform.h"

namespace bayesd::acquisition {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// Samples whose share of the smoothed-EI sum is below this get no outer gradient (see Evaluate).
constexpr double kGradientWeightFloor = 1e-18;

// log(softplus(a)) = log(log1p(exp(a))) and its derivative sigmoid(a) / softplus(a), stable for all a.
double LogSoftplus(double a, double* d) {
  if (a < -30) {  // softplus(a) = e^a (1 - e^a / 2 + ...): log = a - e^a / 2, derivative 1 - e^a / 2
    const double e = std::exp(a);
    *d = 1.0 - 0.5 * e;
    return a - 0.5 * e;
  }
  const double sp = a > 30 ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a));
  const double sig = a >= 0 ? 1.0 / (1.0 + std::exp(-a)) : std::exp(a) / (1.0 + std::exp(a));
  *d = sig / sp;
  return std::log(sp);
}

}  // namespace

CompositeExpectedImprovement::CompositeExpectedImprovement(std::vector<OutputModel> outputs, OuterFunction outer,
                                                           double sign, double best, Eigen::MatrixXd base_samples,
                                                           double tau)
    : outputs_(std::move(outputs)), outer_(std::move(outer)), sign_(sign), best_(best), z_(std::move(base_samples)),
      tau_(tau > 0 ? tau : 1e-6) {}

bool CompositeExpectedImprovement::Samples(const Eigen::VectorXd& x, bool gradients,
                                           std::vector<PointPosterior>* post, Eigen::MatrixXd* y) const {
  const Eigen::Index k = static_cast<Eigen::Index>(outputs_.size());
  if (k == 0 || z_.cols() != k || z_.rows() == 0) return false;
  post->resize(k);
  y->resize(z_.rows(), k);
  for (Eigen::Index j = 0; j < k; ++j) {
    PointPosterior& p = (*post)[j];
    if (!PosteriorAtPoint(*outputs_[j].model, x, gradients, &p)) return false;
    const double s = std::sqrt(std::max(p.variance, kMinVariance));
    y->col(j) = ((z_.col(j) * s).array() + p.mean) * outputs_[j].scale + outputs_[j].offset;
  }
  return true;
}

double CompositeExpectedImprovement::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  if (grad) grad->setZero(x.size());
  std::vector<PointPosterior> post;
  Eigen::MatrixXd y;
  if (!Samples(x, grad != nullptr, &post, &y)) return kNegInf;
  const Eigen::Index num = z_.rows(), k = z_.cols();
  Eigen::VectorXd log_term = Eigen::VectorXd::Constant(num, kNegInf), d_term = Eigen::VectorXd::Zero(num);
  Eigen::MatrixXd g_out = Eigen::MatrixXd::Zero(num, k);  // dg/dy per sample
  for (Eigen::Index s = 0; s < num; ++s) {
    const double g = outer_(y.row(s).transpose(), nullptr);
    if (!std::isfinite(g)) continue;
    const double a = (sign_ * g - best_) / tau_;
    log_term[s] = std::log(tau_) + LogSoftplus(a, &d_term[s]);
  }
  const double top = log_term.maxCoeff();
  if (!std::isfinite(top)) return kNegInf;
  const Eigen::VectorXd w = (log_term.array() - top).exp();  // exp(-inf) = 0 for skipped samples
  const double total = w.sum();
  const double value = top + std::log(total / static_cast<double>(num));
  if (grad) {
    // dg/dy (the costly part for an expression: muParser's derivative is 4 evaluations per output) only where the
    // sample's weight w_s / total is above kGradientWeightFloor: the softplus temperature is tiny, so all but a few
    // samples have weights that underflow to 0 or sit below double precision relative to the total, and their
    // gradient terms cannot change the sum. A sample with a non-finite dg/dy contributes no gradient.
    Eigen::VectorXd gy(k);
    for (Eigen::Index s = 0; s < num; ++s) {
      if (!(w[s] > kGradientWeightFloor * total)) continue;
      outer_(y.row(s).transpose(), &gy);
      if (gy.allFinite()) g_out.row(s) = gy.transpose();
    }
    // d value / d u_s = (w_s / total) * d log softplus / da * (1 / tau);  d u_s / d y_k = sign dg/dy_k.
    const Eigen::VectorXd coef = (w.array() * d_term.array()).matrix() * (sign_ / (total * tau_));
    for (Eigen::Index j = 0; j < k; ++j) {
      const PointPosterior& p = post[j];
      const double c_mu = coef.dot(g_out.col(j));
      const double c_z = coef.dot(g_out.col(j).cwiseProduct(z_.col(j)));
      *grad += outputs_[j].scale * c_mu * p.mean_gradient;
      if (p.variance > kMinVariance) {
        *grad += outputs_[j].scale * c_z / (2.0 * std::sqrt(p.variance)) * p.variance_gradient;
      }
    }
    if (!grad->allFinite()) grad->setZero();
  }
  return value;
}

bool CompositeExpectedImprovement::EstimateAt(const Eigen::VectorXd& x, Estimate* out) const {
  std::vector<PointPosterior> post;
  Eigen::MatrixXd y;
  if (!Samples(x, false, &post, &y)) return false;
  double ei = 0;
  std::vector<double> finite;
  out->nonfinite = 0;
  for (Eigen::Index s = 0; s < y.rows(); ++s) {
    const double u = sign_ * outer_(y.row(s).transpose(), nullptr);
    if (!std::isfinite(u)) {
      ++out->nonfinite;
      continue;
    }
    finite.push_back(u);
    ei += std::max(u - best_, 0.0);
  }
  const double num = static_cast<double>(y.rows());
  out->ei = ei / num;
  // Two-pass and scaled (gp::SampleMeanSd): a composite with a large offset (1e6 +- 1e-3) cancelled in a one-pass
  // sum of squares.
  gp::SampleMeanSd(Eigen::Map<const Eigen::VectorXd>(finite.data(), static_cast<Eigen::Index>(finite.size())),
                   &out->mean, &out->sd);
  if (finite.empty()) out->mean = std::numeric_limits<double>::quiet_NaN();
  return true;
}

ConfigAcquisition::ConfigAcquisition(std::shared_ptr<const Model> objective, std::vector<ConstraintModel> constraints,
                                     double beta, double penalty)
    : objective_(std::move(objective)), constraints_(std::move(constraints)), beta_(beta), penalty_(penalty) {}

double ConfigAcquisition::Penalized(const Eigen::VectorXd& x, Eigen::VectorXd* grad, double* violation) const {
  const double w = std::sqrt(beta_);
  if (grad) grad->setZero(x.size());
  *violation = 0;
  PointPosterior p;
  if (!PosteriorAtPoint(*objective_, x, grad != nullptr, &p)) {
    *violation = std::numeric_limits<double>::infinity();
    return kNegInf;
  }
  double s = std::sqrt(std::max(p.variance, kMinVariance));
  double value = p.mean + w * s;
  if (grad) {
    *grad += p.mean_gradient;
    if (p.variance > kMinVariance) *grad += (w / (2.0 * s)) * p.variance_gradient;
  }
  for (const ConstraintModel& c : constraints_) {
    PointPosterior q;
    if (!PosteriorAtPoint(*c.model, x, grad != nullptr, &q)) {
      *violation = std::numeric_limits<double>::infinity();
      if (grad) grad->setZero(x.size());
      return kNegInf;
    }
    s = std::sqrt(std::max(q.variance, kMinVariance));
    // Optimistic violation: c <= b -> (mu - w s) - b;  c >= b -> b - (mu + w s).
    const double v = c.less_equal ? q.mean - w * s - c.bound : c.bound - q.mean - w * s;
    if (v <= 0) continue;
    *violation += v;
    value -= penalty_ * v;
    if (grad) {
      const double sign = c.less_equal ? 1.0 : -1.0;
      *grad -= penalty_ * sign * q.mean_gradient;
      if (q.variance > kMinVariance) *grad += penalty_ * (w / (2.0 * s)) * q.variance_gradient;
    }
  }
  if (grad && !grad->allFinite()) grad->setZero();
  return value;
}

double ConfigAcquisition::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  double violation;
  return Penalized(x, grad, &violation);
}

double ConfigAcquisition::Violation(const Eigen::VectorXd& x) const {
  double violation;
  Penalized(x, nullptr, &violation);
  return violation;
}

}  // namespace bayesd::acquisition
