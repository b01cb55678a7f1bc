#include "gp/gp_regressor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Eigenvalues>

namespace bayesd::gp {
namespace {

Eigen::VectorXd ZerosIfEmpty(const Eigen::VectorXd& v, Eigen::Index n) {
  return v.size() ? v : Eigen::VectorXd::Zero(n);
}

FitDiagnostics FailedFit(const std::string& message) {
  FitDiagnostics d;
  d.message = message;
  d.termination = "none";
  return d;
}

}  // namespace

GpStatus RefitPolicy::Validate() const {
  if (local_refit_every < 0) {
    return GpInvalid("RefitPolicy.local_refit_every = " + std::to_string(local_refit_every) + " must be >= 0");
  }
  if (full_refit_every < 1) {
    return GpInvalid("RefitPolicy.full_refit_every = " + std::to_string(full_refit_every) + " must be >= 1");
  }
  if (!(local_ftol_rel >= 0) || local_max_evaluations < 1) {
    return GpInvalid("RefitPolicy.local_ftol_rel = " + std::to_string(local_ftol_rel) + " must be >= 0 and " +
                     "local_max_evaluations = " + std::to_string(local_max_evaluations) + " >= 1");
  }
  if (!(lml_drop_per_point > 0)) {
    return GpInvalid("RefitPolicy.lml_drop_per_point = " + std::to_string(lml_drop_per_point) + " must be > 0");
  }
  return newton_options.Validate();
}

namespace {

// Laplace approximation of log p(y | prior) for a fit at theta with curvature h of the negated MAP objective.
// The objective uses densities of the natural values for LogNormal / Gamma priors; the evidence integrates over the
// log-space theta, so those priors get their Jacobian (+theta_i). Eigenvalues floored (flat ridges, bounds).
double LaplaceLogEvidence(ExactGp* gp, const Eigen::VectorXd& theta, const Eigen::MatrixXd& h,
                          const std::vector<bool>& natural_density) {
  const double f = NegativeLogPosterior(gp, theta, /*use_priors=*/true, nullptr);
  if (!std::isfinite(f)) return -std::numeric_limits<double>::infinity();
  double jac = 0;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    if (natural_density[static_cast<size_t>(i)]) jac += theta[i];
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(h);
  if (eig.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
  const double p = static_cast<double>(theta.size());
  return -f + jac + 0.5 * p * std::log(2 * M_PI) - 0.5 * eig.eigenvalues().cwiseMax(1e-6).array().log().sum();
}

}  // namespace

GpStatus GpRegressorOptions::Validate() const {
  if (!(wide_lengthscale_prior_scale >= 0) || prior_selection_max_n < 0) {
    return GpInvalid("GpRegressorOptions.wide_lengthscale_prior_scale and prior_selection_max_n must be >= 0");
  }
  for (const GpStatus& s : {kernel.Validate(), gp.Validate(), fit.Validate(), transform.Validate(), refit.Validate()}) {
    if (!s.ok()) return s;
  }
  return GpOk();
}

GpRegressor::GpRegressor(InputSpec spec, GpRegressorOptions options)
    : spec_(std::move(spec)),
      options_(std::move(options)),
      transform_(options_.transform),
      gp_(MakeKernel(spec_, options_.kernel), options_.gp) {}

GpStatus GpRegressor::CheckRows(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                const Eigen::VectorXd& noise) const {
  if (const GpStatus s = spec_.Validate(); !s.ok()) return s;
  if (const GpStatus s = options_.Validate(); !s.ok()) return s;
  if (x.rows() != y.size()) return GpInvalid("x and y have different numbers of rows");
  if (noise.size() != 0 && noise.size() != y.size()) return GpInvalid("noise_variance must be empty or one per row");
  if (!y.allFinite()) return GpInvalid("y must be finite (drop missing values before calling)");
  if (noise.size() != 0 && !(noise.array() >= 0).all()) return GpInvalid("noise_variance must be finite and >= 0");
  return spec_.CheckPoints(x);
}

FitDiagnostics GpRegressor::Fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                const Eigen::VectorXd& noise_variance) {
  if (const GpStatus s = CheckRows(x, y, noise_variance); !s.ok()) return FailedFit(s.message());
  if (y.size() == 0) return FailedFit("Fit needs at least one observation");
  x_ = x;
  y_ = y;
  noise_ = ZerosIfEmpty(noise_variance, y.size());
  const Eigen::VectorXd warm = gp_.Hyperparameters();
  return FullFit(fitted_ ? &warm : nullptr);
}

FitDiagnostics GpRegressor::FullFit(const Eigen::VectorXd* warm) {
  fitted_ = false;
  if (wide_prior_) {  // every full fit starts from the configured prior
    gp_ = ExactGp(MakeKernel(spec_, options_.kernel), options_.gp);
    wide_prior_ = false;
  }
  if (const GpStatus s = transform_.Fit(y_); !s.ok()) return last_fit_ = FailedFit(s.message());
  const GpStatus s = gp_.SetData(x_, transform_.ToModel(y_), transform_.NoiseToModel(y_, noise_));
  if (!s.ok()) return last_fit_ = FailedFit(s.message());
  last_fit_ = FitHyperparameters(&gp_, options_.fit, warm);
  fitted_ = last_fit_.success;
  hessian_.resize(0, 0);
  if (fitted_ && options_.refit.newton && options_.refit.local_refit_every > 0) {
    const auto t0 = std::chrono::steady_clock::now();
    const Eigen::VectorXd theta = gp_.Hyperparameters();
    if (!ObjectiveHessian(&gp_, theta, options_.fit.use_priors, &hessian_, &last_fit_.evaluations).ok()) {
      hessian_.resize(0, 0);
      gp_.SetHyperparameters(theta);
      fitted_ = gp_.Factorize().ok();
      last_fit_.success = fitted_;
    }
    last_fit_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  if (fitted_) TryWidePrior();
  since_full_ = since_local_ = 0;
  lml_per_point_at_fit_ = LmlPerPoint();
  return last_fit_;
}

void GpRegressor::TryWidePrior() {
  const StationaryKernelOptions& base = options_.kernel.stationary;
  const int n = gp_.num_observations();
  const int d = static_cast<int>(spec_.ColumnsOfType(ColumnType::kContinuous).size());
  if (!(options_.wide_lengthscale_prior_scale > 0) || !options_.fit.use_priors || !base.lengthscale_prior ||
      base.lengthscale_prior_log_density || n > options_.prior_selection_max_n || d == 0 ||
      d != static_cast<int>(spec_.dim()) || !base.has_outputscale) {
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const Eigen::VectorXd theta_n = gp_.Hyperparameters();
  Eigen::MatrixXd h_n = hessian_;
  int evaluations = 0;
  if (h_n.size() == 0 && !ObjectiveHessian(&gp_, theta_n, true, &h_n, &evaluations).ok()) {
    gp_.SetHyperparameters(theta_n);
    (void)gp_.Factorize();
    return;
  }
  // Parameter layout of an all-continuous kernel: [log l_1..d, log s2, (log noise)].
  const int p = gp_.NumHyperparameters();
  // Both lengthscale priors are read as Normal densities of log l with the same centre: the configured LogNormal(loc,
  // b) density of l equals Normal(loc - b^2, b) on log l up to the constant loc - b^2 / 2 per lengthscale (that is the
  // prior whose mode the MAP finds). The noise prior (density of the variance) gets its Jacobian.
  const double loc = Prior::DimensionScaledLengthscale(d).a() + base.lengthscale_prior_shift;
  const double b = base.lengthscale_prior_scale;
  const auto natural = [&]() {
    std::vector<bool> v(static_cast<size_t>(p), false);
    const Prior::Kind k = options_.gp.noise_prior.kind();
    if (options_.gp.learn_noise) v.back() = k == Prior::Kind::kLogNormal || k == Prior::Kind::kGamma;
    return v;
  };
  const double ev_n = LaplaceLogEvidence(&gp_, theta_n, h_n, natural()) + d * (loc - 0.5 * b * b);

  KernelOptions wide_options = options_.kernel;
  StationaryKernelOptions& ws = wide_options.stationary;
  ws.lengthscale_prior_log_density = true;  // same log-space centre: loc + shift - scale^2
  ws.lengthscale_prior_shift = base.lengthscale_prior_shift - b * b;
  ws.lengthscale_prior_scale = options_.wide_lengthscale_prior_scale;
  ExactGp wide(MakeKernel(spec_, wide_options), options_.gp);
  bool ok = wide.SetData(x_, transform_.ToModel(y_), transform_.NoiseToModel(y_, noise_)).ok();
  FitOptions local = options_.fit;
  local.num_random_starts = 0;
  FitDiagnostics fit_w;
  Eigen::MatrixXd h_w;
  if (ok) {
    fit_w = FitHyperparameters(&wide, local, &theta_n);
    evaluations += fit_w.evaluations;
    ok = fit_w.success && ObjectiveHessian(&wide, wide.Hyperparameters(), true, &h_w, &evaluations).ok();
  }
  const double ev_w = ok ? LaplaceLogEvidence(&wide, wide.Hyperparameters(), h_w, natural())
                         : -std::numeric_limits<double>::infinity();
  last_fit_.evaluations += evaluations;
  if (std::isfinite(ev_w) && ev_w > ev_n) {
    gp_ = std::move(wide);
    wide_prior_ = true;
    if (hessian_.size() != 0) hessian_ = h_w;
    last_fit_.log_likelihood = fit_w.log_likelihood;
    last_fit_.log_posterior = fit_w.log_posterior;
    last_fit_.jitter = fit_w.jitter;
    last_fit_.message += "wide lengthscale prior (log evidence " + std::to_string(ev_w) + " vs " +
                         std::to_string(ev_n) + "); ";
  } else {
    gp_.SetHyperparameters(theta_n);
    fitted_ = gp_.Factorize().ok();
    last_fit_.success = fitted_;
  }
  last_fit_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double GpRegressor::LmlPerPoint() const {
  return gp_.factorized() ? gp_.LogMarginalLikelihood() / std::max(1, gp_.num_observations()) : 0.0;
}

FitDiagnostics GpRegressor::AddObservations(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                            const Eigen::VectorXd& noise_variance) {
  if (!fitted_) {
    if (x_.rows() == 0) return Fit(x, y, noise_variance);
  }
  if (const GpStatus s = CheckRows(x, y, noise_variance); !s.ok()) return FailedFit(s.message());
  const auto t0 = std::chrono::steady_clock::now();
  const Eigen::Index n = y_.size(), p = y.size();
  const Eigen::VectorXd noise = ZerosIfEmpty(noise_variance, p);
  x_.conservativeResize(n + p, x.cols());
  x_.bottomRows(p) = x;
  y_.conservativeResize(n + p);
  y_.tail(p) = y;
  noise_.conservativeResize(n + p);
  noise_.tail(p) = noise;
  since_full_ += static_cast<int>(p);
  since_local_ += static_cast<int>(p);
  const Eigen::VectorXd warm = gp_.Hyperparameters();
  if (!fitted_ || since_full_ >= options_.refit.full_refit_every) return FullFit(&warm);
  if (!gp_.AddObservations(x, transform_.ToModel(y), transform_.NoiseToModel(y, noise)).ok() ||
      LmlPerPoint() < lml_per_point_at_fit_ - options_.refit.lml_drop_per_point) {
    return FullFit(&warm);
  }
  if (options_.refit.local_refit_every > 0 && since_local_ >= options_.refit.local_refit_every) {
    since_local_ = 0;
    if (options_.refit.newton && hessian_.size() != 0) {
      last_fit_ = NewtonRefit(&gp_, options_.fit, options_.refit.newton_options, warm, &hessian_);
      if (last_fit_.success) {
        last_fit_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return last_fit_;
      }
    }
    const Eigen::VectorXd start = gp_.Hyperparameters();  // the warm start, or the best point NewtonRefit saw
    FitOptions local = options_.fit;
    local.num_random_starts = 0;
    local.ftol_rel = std::max(local.ftol_rel, options_.refit.local_ftol_rel);
    local.max_evaluations = std::min(local.max_evaluations, options_.refit.local_max_evaluations);
    last_fit_ = FitHyperparameters(&gp_, local, &start);
    fitted_ = last_fit_.success;
    if (!fitted_) return FullFit(&warm);
    return last_fit_;
  }
  FitDiagnostics d;
  d.success = true;
  d.attempts = 1;
  d.termination = "incremental";
  d.jitter = gp_.jitter();
  d.log_likelihood = gp_.LogMarginalLikelihood();
  d.log_posterior = d.log_likelihood + gp_.LogPrior(nullptr);
  d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return last_fit_ = d;
}

Posterior GpRegressor::PosteriorAt(const Eigen::MatrixXd& xq, const PosteriorOptions& options, Space space) const {
  Posterior post;
  if (!fitted_) {
    post.status = GpPrecondition("Posterior called before a successful Fit");
    return post;
  }
  if (const GpStatus s = spec_.CheckPoints(xq); !s.ok()) {
    post.status = s;
    return post;
  }
  if (space == Space::kOutcome && transform_.warped()) {
    post.status = GpPrecondition("outcome-space posterior is not Gaussian under the Yeo-Johnson warp; use kModel");
    return post;
  }
  post = gp_.Predict(xq, options);
  if (space == Space::kOutcome && post.status.ok()) {
    const double s = transform_.scale(), s2 = s * s;
    post.mean = (post.mean.array() * s + transform_.offset()).matrix();
    post.variance *= s2;
    post.covariance *= s2;
    post.mean_gradient *= s;
    post.variance_gradient *= s2;
    for (auto& g : post.covariance_gradient) g *= s2;
  }
  return post;
}

Prediction GpRegressor::Predict(const Eigen::MatrixXd& xq, bool include_noise) const {
  Prediction out;
  const gp::Posterior post = PosteriorAt(xq);
  out.status = post.status;
  if (!post.status.ok()) return out;
  Eigen::VectorXd var = post.variance;
  if (include_noise) var.array() += gp_.noise_variance();
  transform_.ToOutcomeGaussian(post.mean, var, &out.mean, &out.sd, &out.lower, &out.upper);
  return out;
}

GpStatus GpRegressor::Fantasize(const Eigen::MatrixXd& x_pending, const Eigen::VectorXd& z_values,
                                GpRegressor* out) const {
  if (!fitted_) return GpPrecondition("Fantasize called before a successful Fit");
  if (const GpStatus s = spec_.CheckPoints(x_pending); !s.ok()) return s;
  if (x_pending.rows() != z_values.size()) return GpInvalid("one fantasy value per pending point is required");
  *out = *this;
  const GpStatus s = out->gp_.AddObservations(x_pending, z_values);
  if (!s.ok()) return s;
  out->x_.conservativeResize(x_.rows() + x_pending.rows(), Eigen::NoChange);
  out->x_.bottomRows(x_pending.rows()) = x_pending;
  out->y_.conservativeResize(y_.size() + z_values.size());
  for (Eigen::Index i = 0; i < z_values.size(); ++i) out->y_[y_.size() + i] = transform_.ToOutcome(z_values[i]);
  out->noise_.conservativeResize(y_.size() + z_values.size());
  out->noise_.tail(z_values.size()).setZero();
  return GpOk();
}

GpStatus GpRegressor::FantasizeAtMean(const Eigen::MatrixXd& x_pending, GpRegressor* out) const {
  const gp::Posterior post = PosteriorAt(x_pending);
  if (!post.status.ok()) return post.status;
  return Fantasize(x_pending, post.mean, out);
}

}  // namespace bayesd::gp
