#include "acquisition/monte_carlo.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <Eigen/Cholesky>

#include "acquisition/normal.h"

namespace bayesd::acquisition {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Cholesky of a covariance with a growing diagonal jitter; false when even the largest jitter fails.
bool JitteredCholesky(const Eigen::MatrixXd& cov, Eigen::MatrixXd* chol) {
  const double scale = std::max(1e-12, cov.diagonal().mean());
  for (double jitter : {1e-10, 1e-8, 1e-6, 1e-4, 1e-2}) {
    Eigen::MatrixXd a = cov;
    a.diagonal().array() += jitter * scale;
    Eigen::LLT<Eigen::MatrixXd> llt(a);
    if (llt.info() == Eigen::Success) {
      *chol = llt.matrixL();
      return chol->allFinite();
    }
  }
  return false;
}

Eigen::MatrixXd StandardNormals(Eigen::Index rows, Eigen::Index cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd z(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) z(i, j) = normal(rng);
  }
  return z;
}

}  // namespace

bool CrossPosteriorRow(const gp::CrossMoments& moments, Eigen::Index a, bool gradients, CrossPosterior* out) {
  if (!moments.status.ok() || a < 0 || a >= moments.mean.size() || moments.variance.size() != moments.mean.size() ||
      moments.cross.rows() != moments.mean.size() ||
      (gradients && (static_cast<Eigen::Index>(moments.cross_gradient.size()) <= a ||
                     moments.mean_gradient.rows() <= a || moments.variance_gradient.rows() <= a))) {
    return false;
  }
  out->mean = moments.mean[a];
  out->variance = moments.variance[a];
  out->cross = moments.cross.row(a).transpose();
  if (gradients) {
    out->mean_gradient = moments.mean_gradient.row(a).transpose();
    out->variance_gradient = moments.variance_gradient.row(a).transpose();
    out->cross_gradient = moments.cross_gradient[a];
  }
  return std::isfinite(out->mean) && std::isfinite(out->variance) && out->cross.allFinite();
}

NoisyExpectedImprovement::NoisyExpectedImprovement(std::shared_ptr<const Model> model, Eigen::MatrixXd baseline,
                                                   int num_samples, uint64_t seed)
    : model_(std::move(model)), baseline_(std::move(baseline)) {
  gp::PosteriorOptions options;
  options.full_covariance = true;
  const gp::Posterior post = model_->PosteriorAt(baseline_, options);
  if (!post.status.ok() || baseline_.rows() == 0 || post.covariance.rows() != baseline_.rows() ||
      post.covariance.cols() != baseline_.rows() || !JitteredCholesky(post.covariance, &chol_)) {
    return;  // ok_ stays false: a model without the baseline's joint covariance cannot drive noisy EI
  }
  const Eigen::MatrixXd z = StandardNormals(baseline_.rows(), std::max(1, num_samples), seed);
  const Eigen::MatrixXd samples = (chol_ * z).colwise() + post.mean;  // b x S: f_B^s
  best_ = samples.colwise().maxCoeff().transpose();
  shift_ = chol_.transpose().triangularView<Eigen::Upper>().solve(z);  // L_B^-T z_s
  cross_ = model_->WithFixedSet(baseline_);
  ok_ = true;
}

double NoisyExpectedImprovement::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  if (grad) grad->setZero(x.size());
  CrossPosterior p;
  if (!ok_ || !CrossPosteriorRow(cross_->At(x.transpose(), grad != nullptr), 0, grad != nullptr, &p)) return kNegInf;
  return FromCrossPosterior(p, grad);
}

Eigen::VectorXd NoisyExpectedImprovement::EvaluateMany(const Eigen::MatrixXd& x) const {
  Eigen::VectorXd out = Eigen::VectorXd::Constant(x.rows(), kNegInf);
  if (!ok_) return out;
  CrossPosterior p;
  for (Eigen::Index start = 0; start < x.rows(); start += kChunkRows) {
    const Eigen::Index c = std::min(kChunkRows, x.rows() - start);
    const gp::CrossMoments moments = cross_->At(x.middleRows(start, c), false);
    if (!moments.status.ok() || moments.mean.size() != c) {
      // The chunk's status covers every row; score its rows one by one so a bad row fails alone, as in Evaluate.
      for (Eigen::Index i = 0; i < c; ++i) out[start + i] = Evaluate(x.row(start + i).transpose(), nullptr);
      continue;
    }
    for (Eigen::Index i = 0; i < c; ++i) {
      if (CrossPosteriorRow(moments, i, false, &p)) out[start + i] = FromCrossPosterior(p, nullptr);
    }
  }
  return out;
}

double NoisyExpectedImprovement::FromCrossPosterior(const CrossPosterior& p, Eigen::VectorXd* grad) const {
  const Eigen::VectorXd w = chol_.triangularView<Eigen::Lower>().solve(p.cross);  // L_B^-1 S_Bx
  const double v = std::max(p.variance - w.squaredNorm(), kMinVariance);
  const Eigen::Index num = best_.size();
  const Eigen::VectorXd m = (shift_.transpose() * p.cross).array() + p.mean;  // S conditional means
  // log EI_s = log h(z_s) + log sd with z_s = (m_s - best_s) / sd (LogEiOfNormal, with the common sd taken out of
  // the sum): d log EI_s / d m_s = h'/h / sd, d log EI_s / d v = (1 - z_s h'/h) / (2 v).
  const double sd = std::sqrt(v), inv_sd = 1.0 / sd;
  Eigen::VectorXd log_h(num), d_m(grad ? num : 0), d_v(grad ? num : 0);
  for (Eigen::Index s = 0; s < num; ++s) {
    const double z = (m[s] - best_[s]) * inv_sd;
    if (!grad) {
      log_h[s] = LogH(z);
      continue;
    }
    double dz = 0;
    log_h[s] = LogHWithDerivative(z, &dz);
    d_m[s] = dz * inv_sd;
    d_v[s] = (1.0 - dz * z) / (2.0 * v);
  }
  const double top = log_h.maxCoeff();
  if (!std::isfinite(top)) return kNegInf;
  const Eigen::VectorXd weights = (log_h.array() - top).exp();
  const double total = weights.sum();
  const double value = top + std::log(total / static_cast<double>(num)) + std::log(sd);
  if (grad) {
    const Eigen::VectorXd pi = weights / total;  // softmax weights of the log-sum-exp
    // d m_s / dx = d mu + dC shift_s;  d v / dx = d var - 2 dC L_B^-T w  (when v is not clamped).
    *grad = pi.dot(d_m) * p.mean_gradient + p.cross_gradient * (shift_ * pi.cwiseProduct(d_m));
    if (p.variance - w.squaredNorm() > kMinVariance) {
      const Eigen::VectorXd sigma_inv_c = chol_.transpose().triangularView<Eigen::Upper>().solve(w);
      *grad += pi.dot(d_v) * (p.variance_gradient - 2.0 * p.cross_gradient * sigma_inv_c);
    }
    if (!grad->allFinite()) grad->setZero();
  }
  return value;
}

KnowledgeGradient::KnowledgeGradient(std::shared_ptr<const Model> model, Eigen::MatrixXd discretization,
                                     int num_quadrature)
    : model_(std::move(model)), discretization_(std::move(discretization)) {
  const gp::Posterior post = model_->PosteriorAt(discretization_, gp::PosteriorOptions());
  if (!post.status.ok() || discretization_.rows() == 0) return;
  mean_a_ = post.mean;
  best_mean_ = mean_a_.maxCoeff();
  const int s = std::max(2, num_quadrature);
  z_.resize(s);
  for (int i = 0; i < s; ++i) z_[i] = NormalQuantile((i + 0.5) / s);
  cross_ = model_->WithFixedSet(discretization_);
  ok_ = true;
}

double KnowledgeGradient::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  if (grad) grad->setZero(x.size());
  CrossPosterior p;
  if (!ok_ || !CrossPosteriorRow(cross_->At(x.transpose(), grad != nullptr), 0, grad != nullptr, &p)) return kNegInf;
  const double var = std::max(p.variance, 0.0);
  const double r = std::sqrt(var + std::max(model_->NoiseVariance(), kMinVariance));
  const Eigen::Index na = mean_a_.size();
  const Eigen::VectorXd b_a = p.cross / r;  // a
  const double b_x = var / r;
  double total = 0;
  // Accumulated weights of the lines that attain the max: sum over nodes of 1 and Z for each line.
  Eigen::VectorXd w1 = Eigen::VectorXd::Zero(na + 1), wz = Eigen::VectorXd::Zero(na + 1);
  for (Eigen::Index s = 0; s < z_.size(); ++s) {
    Eigen::Index arg = na;
    double best = p.mean + b_x * z_[s];
    for (Eigen::Index j = 0; j < na; ++j) {
      const double v = mean_a_[j] + b_a[j] * z_[s];
      if (v > best) {
        best = v;
        arg = j;
      }
    }
    total += best;
    w1[arg] += 1.0;
    wz[arg] += z_[s];
  }
  const double inv_s = 1.0 / static_cast<double>(z_.size());
  if (grad) {
    // b_j = c_j / r, r = sqrt(var + noise): db_j = dc_j / r - c_j dvar / (2 r^3); b_x = var / r likewise.
    const double r3 = r * r * r;
    Eigen::VectorXd g = w1[na] * p.mean_gradient;
    g += wz[na] * (1.0 / r - var / (2.0 * r3)) * p.variance_gradient;
    g += p.cross_gradient * (wz.head(na) / r);
    g -= (wz.head(na).dot(p.cross) / (2.0 * r3)) * p.variance_gradient;
    *grad = g * inv_s;
    if (!grad->allFinite()) grad->setZero();
  }
  return total * inv_s - best_mean_;
}

MaxValueEntropySearch::MaxValueEntropySearch(std::shared_ptr<const Model> model, const Eigen::MatrixXd& candidates,
                                             double incumbent, int num_max_samples)
    : model_(std::move(model)) {
  const gp::Posterior post = model_->PosteriorAt(candidates, gp::PosteriorOptions());
  const int k = std::max(1, num_max_samples);
  y_star_ = Eigen::VectorXd::Constant(k, incumbent + 1e-3);
  if (!post.status.ok() || candidates.rows() == 0) return;
  const Eigen::VectorXd mu = post.mean;
  const Eigen::VectorXd sd = post.variance.cwiseMax(kMinVariance).cwiseSqrt();
  // log P(max <= y) under independent marginals (Wang & Jegelka 2017, Sec. 3.1).
  auto log_cdf = [&](double y) {
    double s = 0;
    for (Eigen::Index i = 0; i < mu.size(); ++i) s += LogNormalCdf((y - mu[i]) / sd[i]);
    return s;
  };
  auto quantile = [&](double q) {
    double lo = std::max(incumbent, mu.maxCoeff()) - 1.0, hi = (mu + 6.0 * sd).maxCoeff() + 1.0;
    for (int i = 0; i < 60 && log_cdf(lo) > std::log(q); ++i) lo -= (hi - lo);
    for (int i = 0; i < 100; ++i) {
      const double mid = 0.5 * (lo + hi);
      (log_cdf(mid) < std::log(q) ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  };
  const double y25 = quantile(0.25), y50 = quantile(0.5), y75 = quantile(0.75);
  const double beta = std::max(1e-9, (y75 - y25) / (std::log(std::log(4.0)) - std::log(std::log(4.0 / 3.0))));
  const double loc = y50 + beta * std::log(std::log(2.0));
  for (int i = 0; i < k; ++i) {
    const double u = (i + 0.5) / k;
    y_star_[i] = std::max(loc - beta * std::log(-std::log(u)), incumbent + 1e-6);
  }
}

double MaxValueEntropySearch::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  if (grad) grad->setZero(x.size());
  PointPosterior p;
  if (!PosteriorAtPoint(*model_, x, grad != nullptr, &p)) return kNegInf;
  const double var = std::max(p.variance, kMinVariance), s = std::sqrt(var);
  double value = 0, d_mu = 0, d_var = 0;
  for (Eigen::Index k = 0; k < y_star_.size(); ++k) {
    const double g = (y_star_[k] - p.mean) / s;
    const double r = NormalHazard(g);
    value += 0.5 * g * r - LogNormalCdf(g);
    const double dg = -0.5 * r - 0.5 * g * r * (g + r);  // d/dgamma of the summand
    d_mu += dg * (-1.0 / s);
    d_var += dg * (-g / (2.0 * var));
  }
  const double inv_k = 1.0 / static_cast<double>(y_star_.size());
  if (grad) {
    *grad = d_mu * inv_k * p.mean_gradient;
    if (p.variance > kMinVariance) *grad += d_var * inv_k * p.variance_gradient;
    if (!grad->allFinite()) grad->setZero();
  }
  return value * inv_k;
}

Eigen::VectorXd SampleJointPosterior(const Model& model, const Eigen::MatrixXd& x, uint64_t seed,
                                     gp::GpStatus* status) {
  gp::PosteriorOptions options;
  options.full_covariance = true;
  const gp::Posterior post = model.PosteriorAt(x, options);
  *status = post.status;
  if (!post.status.ok()) return Eigen::VectorXd();
  Eigen::MatrixXd chol;
  if (!JitteredCholesky(post.covariance, &chol)) {
    *status = gp::GpNumerical("joint posterior covariance is not positive definite even with jitter");
    return Eigen::VectorXd();
  }
  return post.mean + chol * StandardNormals(x.rows(), 1, seed).col(0);
}

std::vector<bool> SampleSuccesses(const gp::GpClassifier& classifier, const Eigen::MatrixXd& x, uint64_t seed,
                                  gp::GpStatus* status) {
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov, chol;
  if (!classifier.LatentPosterior(x, &mean, &cov)) {
    *status = gp::GpNumerical("failure classifier: latent posterior is not available");
    return {};
  }
  if (!JitteredCholesky(cov, &chol)) {
    *status = gp::GpNumerical("failure classifier: latent covariance is not positive definite even with jitter");
    return {};
  }
  const Eigen::VectorXd g = mean + chol * StandardNormals(x.rows(), 1, seed).col(0);
  std::vector<bool> success(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) success[i] = g[i] > 0;
  *status = gp::GpOk();
  return success;
}

}  // namespace bayesd::acquisition
