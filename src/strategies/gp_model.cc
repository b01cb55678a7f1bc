#include "src/strategies/gp_model.h"

#include <chrono>
#include <cmath>

#include "gp/kernel_factory.h"

namespace bayesd {

OutcomeModel::OutcomeModel(gp::InputSpec spec, OutcomeModelOptions options)
    : spec_(std::move(spec)), options_(std::move(options)), transform_(options_.transform) {}

gp::FitDiagnostics OutcomeModel::Fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& warm,
                                     FitMode mode, const Eigen::MatrixXd& curvature) {
  ok_ = false;
  curvature_.resize(0, 0);
  gp::FitDiagnostics d;
  d.termination = "none";
  transform_ = gp::OutcomeTransform(options_.transform);
  gp_ = std::make_shared<gp::ExactGp>(gp::MakeKernel(spec_, options_.kernel), gp::ExactGpOptions());
  if (y.size() == 0 || x.rows() != y.size()) {
    d.message = "no observations";
    return d;
  }
  if (const gp::GpStatus s = transform_.Fit(y); !s.ok()) {
    d.message = s.message();
    return d;
  }
  if (const gp::GpStatus s = gp_->SetData(x, transform_.ToModel(y)); !s.ok()) {
    d.message = s.message();
    return d;
  }
  const Eigen::Index p = gp_->NumHyperparameters();
  const bool has_warm = warm.size() == p && warm.allFinite();
  const bool has_curvature = curvature.rows() == p && curvature.cols() == p && curvature.allFinite();
  const bool newton = options_.newton && p <= options_.max_newton_params;
  const bool curvature_affordable = newton && y.size() <= options_.max_curvature_n;
  if (mode == FitMode::kNone && has_warm) {
    gp_->SetHyperparameters(warm);
    const gp::GpStatus s = gp_->Factorize();
    d.success = s.ok();
    d.attempts = 1;
    d.termination = "restored";
    d.message = s.message();
    d.jitter = gp_->jitter();
    if (s.ok()) {
      d.log_likelihood = gp_->LogMarginalLikelihood();
      d.log_posterior = d.log_likelihood + gp_->LogPrior(nullptr);
    }
    if (has_curvature) curvature_ = curvature;
  } else {
    const auto t0 = std::chrono::steady_clock::now();
    bool refresh_curvature = curvature_affordable;
    bool done = false;
    int newton_evaluations = 0;
    std::string newton_termination;
    Eigen::VectorXd start = warm;
    if (mode == FitMode::kLocal && has_warm && has_curvature && newton) {
      Eigen::MatrixXd h = curvature;
      d = gp::NewtonRefit(gp_.get(), options_.fit, options_.newton_options, warm, &h);
      // Only a converged (or flat) Newton refit is kept; "newton-maxeval" means the optimum moved further than a few
      // trust steps (seen after a point that contradicts the old lengthscales: log likelihood -900 instead of
      // -3 on Hartmann-6), and the warm L-BFGS run continues from the best point Newton reached.
      if (d.success && d.termination != "newton-maxeval") {
        curvature_ = std::move(h);
        done = true;
        refresh_curvature = false;
      } else {
        newton_evaluations = d.evaluations;
        newton_termination = d.termination;
        // The best point NewtonRefit saw (the warm start when no step was accepted) starts the L-BFGS fallback.
        if (gp_->factorized()) start = gp_->Hyperparameters();
        if (!refresh_curvature) curvature_ = std::move(h);  // large n: keep the (BFGS-updated) previous curvature
      }
    }
    if (!done) {
      gp::FitOptions fit = options_.fit;
      if (mode != FitMode::kFull && has_warm) {
        fit.num_random_starts = 0;
        fit.max_evaluations = std::max(1, options_.local_evaluations);
      }
      d = gp::FitHyperparameters(gp_.get(), fit, has_warm ? &start : nullptr);
      d.evaluations += newton_evaluations;
      if (newton_evaluations > 0) d.message += "L-BFGS after " + newton_termination + ". ";
    }
    if (d.success && refresh_curvature) {
      const Eigen::VectorXd theta = gp_->Hyperparameters();
      Eigen::MatrixXd h;
      if (gp::ObjectiveHessian(gp_.get(), theta, options_.fit.use_priors, &h, &d.evaluations).ok()) {
        curvature_ = std::move(h);
      } else {
        curvature_.resize(0, 0);
        gp_->SetHyperparameters(theta);
        d.success = gp_->Factorize().ok();
      }
    }
    d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  ok_ = d.success && gp_->factorized();
  return d;
}

std::shared_ptr<const acquisition::Model> OutcomeModel::AsModel() const {
  return std::make_shared<acquisition::ExactGpModel>(gp_);
}

bool OutcomeModel::PredictOutcome(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean, Eigen::VectorXd* sd) const {
  if (!ok_) return false;
  const gp::Posterior post = gp_->Predict(xq, gp::PosteriorOptions());
  if (!post.status.ok()) return false;
  Eigen::VectorXd lower, upper;
  transform_.ToOutcomeGaussian(post.mean, post.variance, mean, sd, &lower, &upper);
  return mean->allFinite() && sd->allFinite();
}

nlohmann::json OutcomeModel::Describe(const gp::FitDiagnostics& fit) const {
  nlohmann::json hp = nlohmann::json::object();
  if (gp_) {
    const Eigen::VectorXd theta = gp_->Hyperparameters();
    const std::vector<std::string> names = gp_->HyperparameterNames();
    for (size_t i = 0; i < names.size() && static_cast<Eigen::Index>(i) < theta.size(); ++i) {
      hp[names[i]] = std::exp(theta[i]);
    }
  }
  return {{"success", fit.success},
          {"log_likelihood", std::isfinite(fit.log_likelihood) ? nlohmann::json(fit.log_likelihood) : nullptr},
          {"hyperparameters", hp},
          {"noise_variance", gp_ && ok_ ? gp_->noise_variance() : 0.0},
          {"attempts", fit.attempts},
          {"starts", fit.starts},
          {"evaluations", fit.evaluations},
          {"jitter", fit.jitter},
          {"termination", fit.termination},
          {"warm_started", fit.warm_started},
          {"message", fit.message}};
}

}  // namespace bayesd
