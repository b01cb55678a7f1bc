#include "src/strategies/gp_model.h"

#include <cmath>

#include "gp/kernel_factory.h"

namespace bayesd {

OutcomeModel::OutcomeModel(gp::InputSpec spec, OutcomeModelOptions options)
    : spec_(std::move(spec)), options_(std::move(options)), transform_(options_.transform) {}

gp::FitDiagnostics OutcomeModel::Fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& warm,
                                     FitMode mode) {
  ok_ = false;
  gp::FitDiagnostics d;
  d.termination = "none";
  transform_ = gp::OutcomeTransform(options_.transform);
  gp_ = std::make_shared<gp::ExactGp>(gp::MakeKernel(spec_, gp::KernelOptions()), gp::ExactGpOptions());
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
  const bool has_warm = warm.size() == gp_->NumHyperparameters() && warm.allFinite();
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
  } else {
    gp::FitOptions fit = options_.fit;
    if (mode != FitMode::kFull && has_warm) {
      fit.num_random_starts = 0;
      fit.max_evaluations = std::max(1, options_.local_evaluations);
    }
    d = gp::FitHyperparameters(gp_.get(), fit, has_warm ? &warm : nullptr);
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
