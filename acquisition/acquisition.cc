#include "acquisition/acquisition.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "acquisition/normal.h"

namespace bayesd::acquisition {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// log Phi(t), t = +-(bound - mu) / sigma: constraint c's log probability of holding given its posterior (mean, var);
// with d_mean non-null also d/dmean and d/dvar (the latter 0 where the variance is clamped).
double LogPofTerm(const ConstraintModel& c, double mean, double variance, double* d_mean, double* d_var) {
  const double var = std::max(variance, kMinVariance), s = std::sqrt(var);
  const double sign = c.less_equal ? -1.0 : 1.0;
  const double t = sign * (mean - c.bound) / s;
  if (d_mean) {
    const double r = NormalHazard(t);
    *d_mean = r * (sign / s);
    *d_var = variance > kMinVariance ? r * (-t / (2.0 * var)) : 0.0;
  }
  return LogNormalCdf(t);
}

}  // namespace

double ApplyLogFactor(bool log_scale, double base, double floor, double log_factor,
                      const Eigen::VectorXd* log_factor_grad, Eigen::VectorXd* grad) {
  if (log_scale) {
    if (!std::isfinite(log_factor)) {
      if (grad) grad->setZero();
      return -std::numeric_limits<double>::infinity();
    }
    if (grad && log_factor_grad) {
      *grad += *log_factor_grad;
      if (!grad->allFinite()) grad->setZero();
    }
    return base + log_factor;
  }
  const double excess = base - floor;
  if (!(excess > 0) || !std::isfinite(log_factor)) {  // at or below the floor, or factored out entirely
    if (grad) grad->setZero();
    return 0.0;
  }
  const double factor = std::exp(log_factor);
  if (grad && log_factor_grad) {
    // d/dx (a - floor) f = f (a' + (a - floor) (log f)')
    *grad = factor * (*grad + excess * *log_factor_grad);
    if (!grad->allFinite()) grad->setZero();
  }
  return excess * factor;
}

Eigen::VectorXd Acquisition::EvaluateMany(const Eigen::MatrixXd& x) const {
  Eigen::VectorXd out(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) out[i] = Evaluate(x.row(i).transpose(), nullptr);
  return out;
}

double MarginalAcquisition::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  PointPosterior p;
  if (!PosteriorAtPoint(*model_, x, grad != nullptr, &p)) {
    if (grad) grad->setZero(x.size());
    return kNegInf;
  }
  const double var = std::max(p.variance, kMinVariance);
  double d_mu = 0, d_var = 0;
  const double value = FromMoments(p.mean, var, grad ? &d_mu : nullptr, grad ? &d_var : nullptr);
  if (grad) {
    *grad = d_mu * p.mean_gradient;
    if (p.variance > kMinVariance) *grad += d_var * p.variance_gradient;
    if (!grad->allFinite()) grad->setZero();
  }
  return value;
}

Eigen::VectorXd MarginalAcquisition::EvaluateMany(const Eigen::MatrixXd& x) const {
  const gp::Posterior post = model_->PosteriorAt(x, gp::PosteriorOptions());
  if (!post.status.ok() || post.mean.size() != x.rows() || post.variance.size() != x.rows()) {
    return Acquisition::EvaluateMany(x);  // the status covers every row: row by row, a bad row fails alone
  }
  Eigen::VectorXd out(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    out[i] = FromMoments(post.mean[i], std::max(post.variance[i], kMinVariance), nullptr, nullptr);
  }
  return out;
}

double LogExpectedImprovement::FromMoments(double mu, double var, double* d_mu, double* d_var) const {
  return LogEiOfNormal(mu, var, best_, d_mu, d_var);
}

double ExpectedImprovement::FromMoments(double mu, double var, double* d_mu, double* d_var) const {
  const double s = std::sqrt(var), z = (mu - best_) / s;
  if (d_mu) {
    *d_mu = NormalCdf(z);
    *d_var = NormalPdf(z) / (2.0 * s);
  }
  return s * (NormalPdf(z) + z * NormalCdf(z));
}

double LogProbabilityOfImprovement::FromMoments(double mu, double var, double* d_mu, double* d_var) const {
  const double s = std::sqrt(var), z = (mu - best_) / s;
  if (d_mu) {
    const double r = NormalHazard(z);
    *d_mu = r / s;
    *d_var = -r * z / (2.0 * var);
  }
  return LogNormalCdf(z);
}

double UpperConfidenceBound::FromMoments(double mu, double var, double* d_mu, double* d_var) const {
  const double s = std::sqrt(var), w = std::sqrt(beta_);
  if (d_mu) {
    *d_mu = 1.0;
    *d_var = w / (2.0 * s);
  }
  return mu + w * s;
}

double GpUcbBeta(int t, int d, double delta, double scale) {
  const double tt = std::max(1, t);
  return scale * 2.0 * std::log(std::max(1, d) * tt * tt * M_PI * M_PI / (6.0 * delta));
}

double LogProbabilityOfFeasibility::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  double value = 0;
  if (grad) grad->setZero(x.size());
  for (const ConstraintModel& c : constraints_) {
    PointPosterior p;
    if (!PosteriorAtPoint(*c.model, x, grad != nullptr, &p)) {
      if (grad) grad->setZero(x.size());
      return kNegInf;
    }
    double d_mean = 0, d_var = 0;
    value += LogPofTerm(c, p.mean, p.variance, grad ? &d_mean : nullptr, grad ? &d_var : nullptr);
    if (grad) *grad += d_mean * p.mean_gradient + d_var * p.variance_gradient;
  }
  if (grad && !grad->allFinite()) grad->setZero();
  return value;
}

Eigen::VectorXd LogProbabilityOfFeasibility::EvaluateMany(const Eigen::MatrixXd& x) const {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(x.rows());
  for (const ConstraintModel& c : constraints_) {
    const gp::Posterior post = c.model->PosteriorAt(x, gp::PosteriorOptions());
    if (!post.status.ok() || post.mean.size() != x.rows() || post.variance.size() != x.rows()) {
      return Acquisition::EvaluateMany(x);  // row by row: the failing rows alone get -inf
    }
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      out[i] += std::isfinite(post.mean[i]) && std::isfinite(post.variance[i])
                    ? LogPofTerm(c, post.mean[i], post.variance[i], nullptr, nullptr)
                    : kNegInf;
    }
  }
  return out;
}

double ConstrainedAcquisition::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  Eigen::VectorXd g_pof;
  const double pof = pof_.Evaluate(x, grad ? &g_pof : nullptr);
  const double base = base_->Evaluate(x, grad);
  if (grad) *grad += g_pof;
  return base + pof;
}

Eigen::VectorXd ConstrainedAcquisition::EvaluateMany(const Eigen::MatrixXd& x) const {
  return base_->EvaluateMany(x) + pof_.EvaluateMany(x);
}

}  // namespace bayesd::acquisition
