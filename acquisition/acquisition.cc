#include "acquisition/acquisition.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "acquisition/normal.h"

namespace bayesd::acquisition {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

}  // namespace

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
  Eigen::VectorXd out = Eigen::VectorXd::Constant(x.rows(), kNegInf);
  if (!post.status.ok()) return out;
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
    const double var = std::max(p.variance, kMinVariance), s = std::sqrt(var);
    const double sign = c.less_equal ? -1.0 : 1.0;
    const double t = sign * (p.mean - c.bound) / s;
    value += LogNormalCdf(t);
    if (grad) {
      const double r = NormalHazard(t);
      *grad += r * (sign / s) * p.mean_gradient;
      if (p.variance > kMinVariance) *grad += r * (-t / (2.0 * var)) * p.variance_gradient;
    }
  }
  if (grad && !grad->allFinite()) grad->setZero();
  return value;
}

double ConstrainedAcquisition::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  Eigen::VectorXd g_pof;
  const double pof = pof_.Evaluate(x, grad ? &g_pof : nullptr);
  const double base = base_->Evaluate(x, grad);
  if (grad) *grad += g_pof;
  return base + pof;
}

}  // namespace bayesd::acquisition
