#include "gp/exact_gp.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Cholesky>

#include "gp/linalg.h"

namespace bayesd::gp {
namespace {

constexpr double kLog2Pi = 1.83787706640934548356;
// Predict of marginals only works on blocks of query rows with at most this many n x block entries (64 KB).
constexpr Eigen::Index kPredictBlockEntries = 8192;

bool AllFinite(const Eigen::MatrixXd& m) { return m.allFinite(); }

// In-place Cholesky of the lower triangle of a (LAPACK potrf); false when not positive definite or non-finite.
bool CholeskyInPlace(Eigen::MatrixXd* a) { return CholeskyLowerInPlace(*a); }

}  // namespace

GpStatus ExactGpOptions::Validate() const {
  if (!(min_noise_variance > 0 && min_noise_variance < max_noise_variance)) {
    return GpInvalid("ExactGpOptions.min_noise_variance = " + std::to_string(min_noise_variance) +
                     " must be > 0 and < max_noise_variance = " + std::to_string(max_noise_variance));
  }
  if (!(fixed_noise_variance >= 0)) {
    return GpInvalid("ExactGpOptions.fixed_noise_variance = " + std::to_string(fixed_noise_variance) +
                     " must be >= 0");
  }
  if (jitter_ladder.empty()) return GpInvalid("ExactGpOptions.jitter_ladder must not be empty");
  for (size_t i = 0; i < jitter_ladder.size(); ++i) {
    if (!(jitter_ladder[i] >= 0) || (i > 0 && jitter_ladder[i] <= jitter_ladder[i - 1])) {
      return GpInvalid("ExactGpOptions.jitter_ladder[" + std::to_string(i) + "] = " +
                       std::to_string(jitter_ladder[i]) + " must be >= 0 and increasing");
    }
  }
  return GpOk();
}

ExactGp::ExactGp(std::unique_ptr<Kernel> kernel, ExactGpOptions options)
    : kernel_(std::move(kernel)), options_(std::move(options)) {
  log_noise_ = options_.learn_noise
                   ? std::clamp(options_.noise_prior.LogMode(), std::log(options_.min_noise_variance),
                                std::log(options_.max_noise_variance))
                   : 0.0;
}

ExactGp::ExactGp(const ExactGp& o)
    : kernel_(o.kernel_->Clone()),
      options_(o.options_),
      x_(o.x_),
      y_(o.y_),
      known_noise_(o.known_noise_),
      basis_(o.basis_),
      log_noise_(o.log_noise_),
      factorized_(o.factorized_),
      jitter_(o.jitter_),
      chol_(o.chol_),
      alpha_(o.alpha_),
      beta_(o.beta_),
      quad_(o.quad_) {}

ExactGp& ExactGp::operator=(const ExactGp& o) {
  if (this != &o) *this = ExactGp(o);
  return *this;
}

GpStatus ExactGp::SetData(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& known_noise) {
  if (x.rows() != y.size()) {
    return GpInvalid("x has " + std::to_string(x.rows()) + " rows but y has " + std::to_string(y.size()));
  }
  if (known_noise.size() != 0 && known_noise.size() != y.size()) {
    return GpInvalid("known_noise has " + std::to_string(known_noise.size()) + " entries, expected " +
                     std::to_string(y.size()));
  }
  if (!x.allFinite() || !y.allFinite()) return GpInvalid("x and y must be finite");
  if (known_noise.size() != 0 && !(known_noise.array() >= 0).all()) {
    return GpInvalid("known_noise must be finite and >= 0");
  }
  x_ = x;
  y_ = y;
  known_noise_ = known_noise.size() ? known_noise : Eigen::VectorXd::Zero(y.size());
  basis_.resize(0, 0);
  factorized_ = false;
  return GpOk();
}

GpStatus ExactGp::SetMeanBasis(const Eigen::MatrixXd& h) {
  if (h.size() != 0 && h.rows() != y_.size()) {
    return GpInvalid("mean basis has " + std::to_string(h.rows()) + " rows, expected " + std::to_string(y_.size()));
  }
  if (!h.allFinite()) return GpInvalid("mean basis must be finite");
  basis_ = h;
  factorized_ = false;
  return GpOk();
}

int ExactGp::NumHyperparameters() const { return kernel_->NumParams() + (options_.learn_noise ? 1 : 0); }

Eigen::VectorXd ExactGp::Hyperparameters() const {
  Eigen::VectorXd theta(NumHyperparameters());
  theta.head(kernel_->NumParams()) = kernel_->Params();
  if (options_.learn_noise) theta[kernel_->NumParams()] = log_noise_;
  return theta;
}

void ExactGp::SetHyperparameters(const Eigen::VectorXd& theta) {
  kernel_->SetParams(theta.head(kernel_->NumParams()));
  if (options_.learn_noise) log_noise_ = theta[kernel_->NumParams()];
  factorized_ = false;
}

Eigen::VectorXd ExactGp::LowerBounds() const {
  Eigen::VectorXd lo(NumHyperparameters());
  lo.head(kernel_->NumParams()) = kernel_->LowerBounds();
  if (options_.learn_noise) lo[kernel_->NumParams()] = std::log(options_.min_noise_variance);
  return lo;
}

Eigen::VectorXd ExactGp::UpperBounds() const {
  Eigen::VectorXd hi(NumHyperparameters());
  hi.head(kernel_->NumParams()) = kernel_->UpperBounds();
  if (options_.learn_noise) hi[kernel_->NumParams()] = std::log(options_.max_noise_variance);
  return hi;
}

Eigen::VectorXd ExactGp::DefaultHyperparameters() const {
  Eigen::VectorXd theta(NumHyperparameters());
  theta.head(kernel_->NumParams()) = kernel_->DefaultParams();
  if (options_.learn_noise) {
    theta[kernel_->NumParams()] = std::clamp(options_.noise_prior.LogMode(), std::log(options_.min_noise_variance),
                                             std::log(options_.max_noise_variance));
  }
  return theta;
}

Eigen::VectorXd ExactGp::SampleHyperparameters(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const {
  const int nk = kernel_->NumParams();
  Eigen::VectorXd theta(NumHyperparameters());
  theta.head(nk) = kernel_->SampleParams(z.head(nk), u.head(nk));
  if (options_.learn_noise) {
    theta[nk] = std::clamp(options_.noise_prior.LogSample(z[nk], u[nk]), std::log(options_.min_noise_variance),
                           std::log(options_.max_noise_variance));
  }
  return theta;
}

std::vector<std::string> ExactGp::HyperparameterNames() const {
  std::vector<std::string> names = kernel_->ParamNames();
  if (options_.learn_noise) names.push_back("noise");
  return names;
}

double ExactGp::LogPrior(Eigen::VectorXd* grad) const {
  Eigen::VectorXd gk = Eigen::VectorXd::Zero(kernel_->NumParams());
  double lp = kernel_->LogPrior(grad ? &gk : nullptr);
  if (grad) grad->head(kernel_->NumParams()) += gk;
  if (options_.learn_noise) {
    double d = 0;
    lp += options_.noise_prior.LogDensity(log_noise_, &d);
    if (grad) (*grad)[kernel_->NumParams()] += d;
  }
  return lp;
}

double ExactGp::noise_variance() const {
  return options_.learn_noise ? std::exp(log_noise_) : options_.fixed_noise_variance;
}

Eigen::MatrixXd ExactGp::NoisyKernelMatrix() const {
  Eigen::MatrixXd k = kernel_->ComputeSymmetric(x_);
  k.diagonal().array() += noise_variance() + known_noise_.array();
  return k;
}

GpStatus ExactGp::Factorize() {
  factorized_ = false;
  if (y_.size() == 0) return GpPrecondition("Factorize called without data");
  chol_ = NoisyKernelMatrix();
  if (!AllFinite(chol_)) return GpNumerical("kernel matrix is not finite at the current hyperparameters");
  const double scale = std::max(chol_.diagonal().mean(), 1e-300);
  for (double rel : options_.jitter_ladder) {
    if (rel > 0) {
      chol_ = NoisyKernelMatrix();
      chol_.diagonal().array() += rel * scale;
    }
    if (CholeskyInPlace(&chol_)) {
      jitter_ = rel * scale;
      SolveWeights();
      if (std::isfinite(quad_) && alpha_.allFinite()) {
        factorized_ = true;
        return GpOk();
      }
    }
  }
  return GpNumerical("Cholesky failed at every jitter up to " + std::to_string(options_.jitter_ladder.back()) +
                     " x mean diagonal");
}

void ExactGp::SolveWeights() {
  const auto l = chol_.triangularView<Eigen::Lower>();
  Eigen::VectorXd r = y_;
  beta_.resize(0);
  if (basis_.size() != 0) {
    // beta = (H' K^-1 H)^-1 H' K^-1 y via whitened quantities L^-1 H and L^-1 y.
    const Eigen::MatrixXd wh = l.solve(basis_);
    const Eigen::VectorXd wy = l.solve(y_);
    Eigen::MatrixXd a = wh.transpose() * wh;
    a.diagonal().array() += 1e-10 * (a.diagonal().mean() + 1e-300);
    beta_ = a.ldlt().solve(wh.transpose() * wy);
    r = y_ - basis_ * beta_;
  }
  const Eigen::VectorXd w = l.solve(r);
  quad_ = w.squaredNorm();
  alpha_ = chol_.transpose().triangularView<Eigen::Upper>().solve(w);
}

double ExactGp::LogMarginalLikelihood() const {
  if (!factorized_) return -std::numeric_limits<double>::infinity();
  const double log_det = 2.0 * chol_.diagonal().array().log().sum();
  return -0.5 * quad_ - 0.5 * log_det - 0.5 * static_cast<double>(y_.size()) * kLog2Pi;
}

GpStatus ExactGp::LogMarginalLikelihoodGradient(Eigen::VectorXd* grad) const {
  if (!factorized_) return GpPrecondition("LogMarginalLikelihoodGradient called before Factorize");
  // W = alpha alpha' - K^-1; dLML/dtheta_p = 0.5 sum_ij W_ij dK_ij/dtheta_p (R&W eq. 5.9). K^-1 from the factor by
  // triangular inversion + L^-T L^-1 (n^3 flops), in one n x n buffer.
  Eigen::MatrixXd w;
  InverseFromCholesky(chol_, &w);
  w = -w;
  w.noalias() += alpha_ * alpha_.transpose();
  grad->resize(NumHyperparameters());
  grad->head(kernel_->NumParams()) = 0.5 * kernel_->ContractParamGradient(x_, w);
  if (options_.learn_noise) (*grad)[kernel_->NumParams()] = 0.5 * noise_variance() * w.trace();
  if (!grad->allFinite()) return GpNumerical("log marginal likelihood gradient is not finite");
  return GpOk();
}

Posterior ExactGp::Predict(const Eigen::MatrixXd& xq, const PosteriorOptions& options,
                           const Eigen::MatrixXd* hq) const {
  Posterior post;
  if (!factorized_) {
    post.status = GpPrecondition("Predict called before a successful Factorize");
    return post;
  }
  if (xq.cols() != x_.cols()) {
    post.status = GpInvalid("query points have " + std::to_string(xq.cols()) + " columns, expected " +
                            std::to_string(x_.cols()));
    return post;
  }
  if (basis_.size() != 0 && (!hq || hq->rows() != xq.rows() || hq->cols() != basis_.cols())) {
    post.status = GpInvalid("model has a mean basis: Predict needs hq with one row per query point");
    return post;
  }
  const Eigen::Index m = xq.rows(), d = xq.cols();
  const auto l = chol_.triangularView<Eigen::Lower>();
  const bool need_u = options.gradients || options.covariance_gradients;
  // Marginals only (scoring many candidates): blocks of rows, so the n x block temporaries stay small (they are
  // reused from the allocator's free lists instead of being mapped, faulted in and unmapped per call).
  const Eigen::Index block = std::max<Eigen::Index>(16, kPredictBlockEntries / std::max<Eigen::Index>(1, x_.rows()));
  if (!options.full_covariance && !need_u && m > block) {
    post.mean.resize(m);
    post.variance.resize(m);
    Eigen::MatrixXd xb;
    for (Eigen::Index s = 0; s < m; s += block) {
      const Eigen::Index b = std::min(block, m - s);
      xb = xq.middleRows(s, b);
      Eigen::MatrixXd v = kernel_->Compute(x_, xb);  // n x b = ks' (k(a, b) = k(b, a) for every kernel)
      post.mean.segment(s, b).noalias() = v.transpose() * alpha_;
      l.solveInPlace(v);
      post.variance.segment(s, b) =
          (kernel_->Diagonal(xb) - v.colwise().squaredNorm().transpose()).cwiseMax(0.0);
    }
    if (basis_.size() != 0) post.mean += (*hq) * beta_;
    if (!post.mean.allFinite() || !post.variance.allFinite()) post.status = GpNumerical("posterior is not finite");
    return post;
  }
  Eigen::MatrixXd v;  // L^-1 ks'
  Moments(xq, &post.mean, &post.variance, &v);
  if (basis_.size() != 0) post.mean += (*hq) * beta_;
  if (options.full_covariance) {
    post.covariance = kernel_->Compute(xq, xq);
    post.covariance.noalias() -= v.transpose() * v;
  }
  if (options.gradients || options.covariance_gradients) {
    const Eigen::MatrixXd u = chol_.transpose().triangularView<Eigen::Upper>().solve(v);  // n x m = K^-1 ks'
    // Rows past `rows` (PosteriorOptions::gradient_rows) are left zero; the computed rows do the same arithmetic as
    // the full computation (u stays n x m: the covariance gradients of row a need every column).
    const Eigen::Index rows =
        options.gradient_rows < 0 ? m : std::min<Eigen::Index>(m, static_cast<Eigen::Index>(options.gradient_rows));
    const bool fill_cov = options.covariance_gradients && options.full_covariance;
    if (rows < m) {
      post.mean_gradient.setZero(m, d);
      post.variance_gradient.setZero(m, d);
    } else {
      post.mean_gradient.resize(m, d);
      post.variance_gradient.resize(m, d);
    }
    if (fill_cov) post.covariance_gradient.reserve(m);
    for (Eigen::Index a = 0; a < rows; ++a) {
      const Eigen::MatrixXd g = PointGradients(xq, u, a, &post.mean_gradient, &post.variance_gradient);  // d x n
      if (fill_cov) {
        Eigen::MatrixXd cg = kernel_->InputGradient(xq.row(a), xq);  // d x m
        cg.noalias() -= g * u;
        cg.col(a) = post.variance_gradient.row(a).transpose();
        post.covariance_gradient.push_back(std::move(cg));
      }
    }
    if (fill_cov) {
      for (Eigen::Index a = rows; a < m; ++a) post.covariance_gradient.push_back(Eigen::MatrixXd::Zero(d, m));
    }
  }
  if (!post.mean.allFinite() || !post.variance.allFinite()) post.status = GpNumerical("posterior is not finite");
  return post;
}

void ExactGp::Moments(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean, Eigen::VectorXd* variance,
                      Eigen::MatrixXd* whitened) const {
  *whitened = kernel_->Compute(x_, xq);  // n x m = ks'
  mean->noalias() = whitened->transpose() * alpha_;
  chol_.triangularView<Eigen::Lower>().solveInPlace(*whitened);  // L^-1 ks'
  *variance = (kernel_->Diagonal(xq) - whitened->colwise().squaredNorm().transpose()).cwiseMax(0.0);
}

Eigen::MatrixXd ExactGp::PointGradients(const Eigen::MatrixXd& xq, const Eigen::MatrixXd& u, Eigen::Index a,
                                        Eigen::MatrixXd* mean_gradient, Eigen::MatrixXd* variance_gradient) const {
  const Eigen::RowVectorXd xa = xq.row(a);
  Eigen::MatrixXd g = kernel_->InputGradient(xa, x_);  // d x n
  mean_gradient->row(a) = (g * alpha_).transpose();
  variance_gradient->row(a) = (kernel_->DiagonalInputGradient(xa) - 2.0 * g * u.col(a)).transpose();
  return g;
}

GpStatus ExactGp::PrepareCross(const Eigen::MatrixXd& b, CrossBasis* out) const {
  if (!factorized_) return GpPrecondition("PrepareCross called before a successful Factorize");
  if (basis_.size() != 0) return GpPrecondition("PrepareCross: the model has a mean basis");
  if (b.cols() != x_.cols() || b.rows() == 0 || !b.allFinite()) {
    return GpInvalid("PrepareCross: B must be finite, non-empty, with " + std::to_string(x_.cols()) + " columns");
  }
  out->points = b;
  out->whitened = kernel_->Compute(x_, b);  // n x b
  chol_.triangularView<Eigen::Lower>().solveInPlace(out->whitened);
  out->weights = chol_.transpose().triangularView<Eigen::Upper>().solve(out->whitened);
  if (!out->whitened.allFinite() || !out->weights.allFinite()) return GpNumerical("PrepareCross: not finite");
  return GpOk();
}

CrossMoments ExactGp::PredictCross(const Eigen::MatrixXd& xq, const CrossBasis& basis, bool gradients) const {
  CrossMoments out;
  if (!factorized_) {
    out.status = GpPrecondition("PredictCross called before a successful Factorize");
    return out;
  }
  if (basis_.size() != 0) {
    out.status = GpPrecondition("PredictCross: the model has a mean basis");
    return out;
  }
  if (xq.cols() != x_.cols() || basis.points.cols() != x_.cols() || basis.whitened.rows() != x_.rows() ||
      basis.weights.rows() != x_.rows() || basis.whitened.cols() != basis.points.rows() ||
      basis.weights.cols() != basis.points.rows()) {
    out.status = GpInvalid("PredictCross: query points or basis do not match the model (" +
                           std::to_string(x_.rows()) + " observations, " + std::to_string(x_.cols()) + " columns)");
    return out;
  }
  const Eigen::Index m = xq.rows(), d = xq.cols(), nb = basis.points.rows();
  Eigen::MatrixXd v;  // L^-1 ks'
  Moments(xq, &out.mean, &out.variance, &v);
  out.cross = kernel_->Compute(xq, basis.points);  // m x b
  out.cross.noalias() -= v.transpose() * basis.whitened;
  if (gradients) {
    const Eigen::MatrixXd u = chol_.transpose().triangularView<Eigen::Upper>().solve(v);  // n x m = K^-1 ks'
    out.mean_gradient.resize(m, d);
    out.variance_gradient.resize(m, d);
    out.cross_gradient.reserve(m);
    for (Eigen::Index a = 0; a < m; ++a) {
      const Eigen::MatrixXd g = PointGradients(xq, u, a, &out.mean_gradient, &out.variance_gradient);  // d x n
      Eigen::MatrixXd cg = kernel_->InputGradient(xq.row(a), basis.points);  // d x b
      cg.noalias() -= g * basis.weights;
      out.cross_gradient.push_back(std::move(cg));
    }
  }
  if (!out.mean.allFinite() || !out.variance.allFinite() || !out.cross.allFinite() || out.cross.cols() != nb) {
    out.status = GpNumerical("cross posterior is not finite");
  }
  return out;
}

GpStatus ExactGp::AddObservations(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                  const Eigen::VectorXd& known_noise) {
  if (basis_.size() != 0) return GpPrecondition("AddObservations: the model has a mean basis (AddObservationsWithBasis)");
  return Extend(x, y, known_noise, nullptr);
}

GpStatus ExactGp::AddObservationsWithBasis(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                           const Eigen::MatrixXd& h, const Eigen::VectorXd& known_noise) {
  if (basis_.size() == 0) return GpPrecondition("AddObservationsWithBasis: the model has no mean basis");
  if (h.rows() != y.size() || h.cols() != basis_.cols() || !h.allFinite()) {
    return GpInvalid("AddObservationsWithBasis: h must be finite with one row per new point and " +
                     std::to_string(basis_.cols()) + " columns");
  }
  return Extend(x, y, known_noise, &h);
}

GpStatus ExactGp::ReplaceMeanBasis(const Eigen::MatrixXd& h) {
  if (!factorized_) return GpPrecondition("ReplaceMeanBasis needs a factorized model");
  if (basis_.size() == 0 || h.rows() != basis_.rows() || h.cols() != basis_.cols() || !h.allFinite()) {
    return GpInvalid("ReplaceMeanBasis: h must be finite, " + std::to_string(basis_.rows()) + " x " +
                     std::to_string(basis_.cols()));
  }
  basis_ = h;
  SolveWeights();
  if (!std::isfinite(quad_) || !alpha_.allFinite()) {
    factorized_ = false;
    return GpNumerical("ReplaceMeanBasis: weights are not finite");
  }
  return GpOk();
}

GpStatus ExactGp::Extend(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& known_noise,
                         const Eigen::MatrixXd* h) {
  if (!factorized_) return GpPrecondition("AddObservations needs a factorized model");
  if (x.cols() != x_.cols() || x.rows() != y.size() || (known_noise.size() && known_noise.size() != y.size())) {
    return GpInvalid("AddObservations: inconsistent shapes");
  }
  if (!x.allFinite() || !y.allFinite()) return GpInvalid("AddObservations: x and y must be finite");
  const Eigen::Index n = y_.size(), p = y.size();
  const Eigen::VectorXd kn = known_noise.size() ? known_noise : Eigen::VectorXd::Zero(p);
  const Eigen::MatrixXd k12 = kernel_->Compute(x_, x);  // n x p
  Eigen::MatrixXd s = kernel_->Compute(x, x);          // p x p
  s.diagonal().array() += noise_variance() + jitter_ + kn.array();
  const Eigen::MatrixXd b = chol_.triangularView<Eigen::Lower>().solve(k12);  // n x p
  s.noalias() -= b.transpose() * b;

  x_.conservativeResize(n + p, Eigen::NoChange);
  x_.bottomRows(p) = x;
  y_.conservativeResize(n + p);
  y_.tail(p) = y;
  known_noise_.conservativeResize(n + p);
  known_noise_.tail(p) = kn;
  if (h) {
    basis_.conservativeResize(n + p, Eigen::NoChange);
    basis_.bottomRows(p) = *h;
  }
  if (!CholeskyInPlace(&s)) return Factorize();  // Schur complement lost definiteness: refactorize with ladder
  chol_.conservativeResize(n + p, n + p);
  chol_.topRightCorner(n, p).setZero();
  chol_.bottomLeftCorner(p, n) = b.transpose();
  chol_.bottomRightCorner(p, p) = s;
  SolveWeights();
  if (!std::isfinite(quad_)) return Factorize();
  return GpOk();
}

GpStatus ExactGp::Fantasize(const Eigen::MatrixXd& x_pending, const Eigen::VectorXd& y_fantasy, ExactGp* out) const {
  *out = *this;
  return out->AddObservations(x_pending, y_fantasy);
}

}  // namespace bayesd::gp
