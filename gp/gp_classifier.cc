#include "gp/gp_classifier.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Cholesky>

namespace bayesd::gp {
namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

double Phi(double z) { return 0.5 * std::erfc(-z * kInvSqrt2); }

}  // namespace

double ProbitLogCdf(double z) {
  if (z > -30) return std::log(Phi(z));
  // Phi(z) = phi(z) / -z (1 - 1/z^2 + 3/z^4 - 15/z^6 + 105/z^8 ...) as z -> -inf.
  const double w = 1.0 / (z * z);
  return -0.5 * z * z - std::log(-z) - 0.91893853320467274178 + std::log1p(w * (-1 + w * (3 + w * (-15 + 105 * w))));
}

double ProbitHazard(double z) {
  if (z > -30) return kInvSqrt2Pi * std::exp(-0.5 * z * z) / Phi(z);
  const double w = 1.0 / (z * z);
  return -z / (1 + w * (-1 + w * (3 + w * (-15 + 105 * w))));
}

GpClassifier::GpClassifier(std::unique_ptr<Kernel> kernel, GpClassifierOptions options)
    : kernel_(std::move(kernel)), options_(options) {}

GpClassifier::GpClassifier(const GpClassifier& other) { *this = other; }

GpClassifier& GpClassifier::operator=(const GpClassifier& other) {
  if (this == &other) return *this;
  kernel_ = other.kernel_ ? other.kernel_->Clone() : nullptr;
  options_ = other.options_;
  x_ = other.x_;
  y_ = other.y_;
  f_ = other.f_;
  dlogp_ = other.dlogp_;
  sqrt_w_ = other.sqrt_w_;
  chol_ = other.chol_;
  log_evidence_ = other.log_evidence_;
  iterations_ = other.iterations_;
  fitted_ = other.fitted_;
  return *this;
}

void GpClassifier::SetIsotropic(double lengthscale, double outputscale) {
  Eigen::VectorXd p = kernel_->Params();
  const std::vector<std::string> names = kernel_->ParamNames();
  const Eigen::VectorXd lo = kernel_->LowerBounds(), hi = kernel_->UpperBounds();
  bool first_scale = true;
  for (size_t i = 0; i < names.size(); ++i) {
    double v = p[i];
    if (names[i].find("lengthscale") != std::string::npos) v = std::log(lengthscale);
    if (names[i].find("outputscale") != std::string::npos) {
      v = first_scale ? std::log(outputscale) : 0.0;  // one scale carries the variance of a product kernel
      first_scale = false;
    }
    p[i] = std::clamp(v, lo[i], hi[i]);
  }
  kernel_->SetParams(p);
}

GpStatus GpClassifier::Fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& labels) {
  fitted_ = false;
  const Eigen::Index n = x.rows();
  if (n == 0 || labels.size() != n) return GpInvalid("classifier: x and labels must be non-empty and agree");
  for (Eigen::Index i = 0; i < n; ++i) {
    if (labels[i] != 1.0 && labels[i] != -1.0) return GpInvalid("classifier: labels must be +1 or -1");
  }
  x_ = x;
  y_ = labels;
  Eigen::MatrixXd k = kernel_->ComputeSymmetric(x);
  k.diagonal().array() += options_.jitter * std::max(1e-12, k.diagonal().mean());
  const Eigen::MatrixXd eye = Eigen::MatrixXd::Identity(n, n);

  Eigen::VectorXd f = Eigen::VectorXd::Zero(n), a = Eigen::VectorXd::Zero(n);
  double objective = -std::numeric_limits<double>::infinity();  // Psi(f) = -a'f/2 + log p(y | f)
  auto state_at = [&](const Eigen::VectorXd& ff) {
    double logp = 0;
    dlogp_.resize(n);
    sqrt_w_.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double z = y_[i] * ff[i], r = ProbitHazard(z);
      logp += ProbitLogCdf(z);
      dlogp_[i] = y_[i] * r;
      sqrt_w_[i] = std::sqrt(std::max(0.0, r * (r + z)));
    }
    return logp;
  };
  iterations_ = 0;
  for (int it = 0; it < options_.max_newton_iterations; ++it) {
    ++iterations_;
    state_at(f);
    const Eigen::MatrixXd b_mat = eye + sqrt_w_.asDiagonal() * k * sqrt_w_.asDiagonal();
    Eigen::LLT<Eigen::MatrixXd> llt(b_mat);
    if (llt.info() != Eigen::Success) return GpNumerical("classifier: Cholesky of B failed");
    const Eigen::VectorXd b = sqrt_w_.cwiseProduct(sqrt_w_).cwiseProduct(f) + dlogp_;
    const Eigen::VectorXd c = llt.solve(sqrt_w_.cwiseProduct(k * b));
    Eigen::VectorXd a_new = b - sqrt_w_.cwiseProduct(c);
    // Newton step with halving when the objective does not increase (Psi is concave for the probit).
    double obj_new = -std::numeric_limits<double>::infinity();
    Eigen::VectorXd f_new;
    for (int half = 0; half < 30; ++half) {
      f_new = k * a_new;
      double logp = 0;
      for (Eigen::Index i = 0; i < n; ++i) logp += ProbitLogCdf(y_[i] * f_new[i]);
      obj_new = -0.5 * a_new.dot(f_new) + logp;
      if (std::isfinite(obj_new) && obj_new >= objective - 1e-12 * std::abs(objective)) break;
      a_new = 0.5 * (a + a_new);
    }
    const double gain = obj_new - objective;
    a = a_new;
    f = f_new;
    const bool done = std::isfinite(objective) && gain < options_.tolerance * (1.0 + std::abs(obj_new));
    objective = obj_new;
    if (done) break;
  }
  if (!std::isfinite(objective)) return GpNumerical("classifier: Laplace objective is not finite");
  f_ = f;
  const double logp = state_at(f_);
  const Eigen::MatrixXd b_mat = eye + sqrt_w_.asDiagonal() * k * sqrt_w_.asDiagonal();
  Eigen::LLT<Eigen::MatrixXd> llt(b_mat);
  if (llt.info() != Eigen::Success) return GpNumerical("classifier: Cholesky of B failed");
  chol_ = llt.matrixL();
  // At the mode a = grad log p; use the iterate's a for the evidence as Alg. 3.1 does.
  log_evidence_ = -0.5 * a.dot(f_) + logp - chol_.diagonal().array().log().sum();
  fitted_ = std::isfinite(log_evidence_) && f_.allFinite();
  return fitted_ ? GpOk() : GpNumerical("classifier: evidence is not finite");
}

GpStatus GpClassifier::SelectHyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& labels,
                                             const std::vector<double>& lengthscales,
                                             const std::vector<double>& outputscales) {
  double best = -std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_params;
  GpStatus last = GpInvalid("classifier: empty hyperparameter grid");
  for (double l : lengthscales) {
    for (double s : outputscales) {
      SetIsotropic(l, s);
      last = Fit(x, labels);
      if (last.ok() && log_evidence_ > best) {
        best = log_evidence_;
        best_params = kernel_->Params();
      }
    }
  }
  if (best_params.size() == 0) return last;
  kernel_->SetParams(best_params);
  return Fit(x, labels);
}

bool GpClassifier::PredictAt(const Eigen::VectorXd& x, bool gradients, ClassifierPrediction* out) const {
  if (!fitted_) return false;
  const Eigen::RowVectorXd xr = x.transpose();
  const Eigen::VectorXd k = kernel_->Compute(xr, x_).row(0).transpose();
  const double kxx = kernel_->Diagonal(xr)[0];
  const double m = k.dot(dlogp_);
  const Eigen::VectorXd v = chol_.triangularView<Eigen::Lower>().solve(sqrt_w_.cwiseProduct(k));
  const double var = std::max(kxx - v.squaredNorm(), 1e-12);
  const double s = std::sqrt(1.0 + var), t = m / s;
  out->mean = m;
  out->variance = var;
  out->probability = Phi(t);
  out->log_probability = ProbitLogCdf(t);
  if (gradients) {
    const Eigen::MatrixXd g = kernel_->InputGradient(xr, x_);  // d x n
    out->mean_gradient = g * dlogp_;
    const Eigen::VectorXd u = chol_.transpose().triangularView<Eigen::Upper>().solve(v);
    out->variance_gradient = kernel_->DiagonalInputGradient(xr) - 2.0 * g * sqrt_w_.cwiseProduct(u);
    if (kxx - v.squaredNorm() <= 1e-12) out->variance_gradient.setZero();
    const Eigen::VectorXd dt = out->mean_gradient / s - (m / (2.0 * s * s * s)) * out->variance_gradient;
    out->log_probability_gradient = ProbitHazard(t) * dt;
  }
  return std::isfinite(out->log_probability) && std::isfinite(m);
}

Eigen::VectorXd GpClassifier::Probability(const Eigen::MatrixXd& xq) const {
  Eigen::VectorXd p = Eigen::VectorXd::Constant(xq.rows(), std::numeric_limits<double>::quiet_NaN());
  ClassifierPrediction c;
  for (Eigen::Index i = 0; i < xq.rows(); ++i) {
    if (PredictAt(xq.row(i).transpose(), false, &c)) p[i] = c.probability;
  }
  return p;
}

bool GpClassifier::LatentPosterior(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean,
                                   Eigen::MatrixXd* covariance) const {
  if (!fitted_) return false;
  const Eigen::MatrixXd k = kernel_->Compute(x_, xq);  // n x m
  *mean = k.transpose() * dlogp_;
  const Eigen::MatrixXd v = chol_.triangularView<Eigen::Lower>().solve(sqrt_w_.asDiagonal() * k);
  *covariance = kernel_->Compute(xq, xq) - v.transpose() * v;
  return mean->allFinite() && covariance->allFinite();
}

}  // namespace bayesd::gp
