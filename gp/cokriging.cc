#include "gp/cokriging.h"

#include <cmath>
#include <string>

#include "gp/outcome_transform.h"

namespace bayesd::gp {

GpStatus CoKrigingOptions::Validate() const {
  for (const GpStatus& s : {kernel.Validate(), gp.Validate(), fit.Validate()}) {
    if (!s.ok()) return s;
  }
  return GpOk();
}

Ar1CoKriging::Ar1CoKriging(InputSpec spec, CoKrigingOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {}

std::vector<FitDiagnostics> Ar1CoKriging::Fit(const std::vector<Eigen::MatrixXd>& x,
                                              const std::vector<Eigen::VectorXd>& y) {
  return Fit(x, y, {}, false);
}

std::vector<FitDiagnostics> Ar1CoKriging::Fit(const std::vector<Eigen::MatrixXd>& x,
                                              const std::vector<Eigen::VectorXd>& y,
                                              const std::vector<Eigen::VectorXd>& warm, bool install) {
  fitted_ = false;
  levels_.clear();
  std::vector<FitDiagnostics> diags;
  auto fail = [&](const std::string& m) {
    FitDiagnostics d;
    d.message = m;
    d.termination = "none";
    diags.push_back(d);
    return diags;
  };
  if (const GpStatus s = options_.Validate(); !s.ok()) return fail(s.message());
  if (x.empty() || x.size() != y.size()) return fail("Ar1CoKriging::Fit needs matching, non-empty x and y lists");
  Eigen::Index total = 0;
  for (size_t t = 0; t < x.size(); ++t) {
    if (x[t].rows() != y[t].size() || y[t].size() == 0 || !y[t].allFinite()) {
      return fail("level " + std::to_string(t) + ": x / y shapes differ, empty or non-finite");
    }
    if (const GpStatus s = spec_.CheckPoints(x[t]); !s.ok()) return fail("level " + std::to_string(t) + ": " + s.message());
    total += y[t].size();
  }
  Eigen::VectorXd pooled(total);
  Eigen::Index at = 0;
  for (const auto& yt : y) {
    pooled.segment(at, yt.size()) = yt;
    at += yt.size();
  }
  double sd = 0;
  SampleMeanSd(pooled, &mu_, &sd);  // scaled: outcomes near 1e-300 or 1e300 are standardized too
  s_ = sd > 1e-13 * std::abs(mu_) && std::isfinite(sd) ? sd : std::max(std::abs(mu_), 1.0);

  for (size_t t = 0; t < x.size(); ++t) {
    ExactGp level(MakeKernel(spec_, options_.kernel), options_.gp);
    const Eigen::VectorXd z = (y[t].array() - mu_) / s_;
    (void)level.SetData(x[t], z);
    Eigen::MatrixXd h = Eigen::MatrixXd::Ones(x[t].rows(), t == 0 ? 1 : 2);
    if (t > 0) {
      const LevelPosterior prev = PredictStandardized(x[t], static_cast<int>(t) - 1, false);
      if (!prev.status.ok()) return fail("level " + std::to_string(t) + ": " + prev.status.message());
      h.col(0) = prev.mean;
    }
    (void)level.SetMeanBasis(h);
    const bool has_warm = t < warm.size() && warm[t].size() == level.NumHyperparameters() && warm[t].allFinite();
    if (has_warm && install) {
      FitDiagnostics d;
      level.SetHyperparameters(warm[t]);
      const GpStatus s = level.Factorize();
      d.success = s.ok();
      d.attempts = 1;
      d.termination = "restored";
      d.message = s.message();
      d.jitter = level.jitter();
      if (s.ok()) {
        d.log_likelihood = level.LogMarginalLikelihood();
        d.log_posterior = d.log_likelihood + level.LogPrior(nullptr);
      }
      diags.push_back(d);
    } else {
      diags.push_back(FitHyperparameters(&level, options_.fit, has_warm ? &warm[t] : nullptr));
    }
    if (!diags.back().success) return diags;
    levels_.push_back(std::move(level));
  }
  fitted_ = true;
  return diags;
}

LevelPosterior Ar1CoKriging::PredictStandardized(const Eigen::MatrixXd& xq, int level, bool gradients) const {
  LevelPosterior out;
  PosteriorOptions po;
  po.gradients = gradients;
  Eigen::MatrixXd h = Eigen::MatrixXd::Ones(xq.rows(), level == 0 ? 1 : 2);
  LevelPosterior prev;
  if (level > 0) {
    prev = PredictStandardized(xq, level - 1, gradients);
    if (!prev.status.ok()) return prev;
    h.col(0) = prev.mean;
  }
  const Posterior p = levels_[level].Predict(xq, po, &h);
  out.status = p.status;
  if (!p.status.ok()) return out;
  out.mean = p.mean;
  out.variance = p.variance;
  if (gradients) {
    out.mean_gradient = p.mean_gradient;
    out.variance_gradient = p.variance_gradient;
  }
  if (level > 0) {
    const double rho = levels_[level].mean_coefficients()[0];
    out.variance += rho * rho * prev.variance;
    if (gradients) {
      out.mean_gradient += rho * prev.mean_gradient;
      out.variance_gradient += rho * rho * prev.variance_gradient;
    }
  }
  return out;
}

LevelPosterior Ar1CoKriging::Predict(const Eigen::MatrixXd& xq, int level, bool gradients) const {
  LevelPosterior out;
  if (!fitted_) {
    out.status = GpPrecondition("Ar1CoKriging::Predict called before a successful Fit");
    return out;
  }
  if (level < 0) level = num_levels() - 1;
  if (level >= num_levels()) {
    out.status = GpInvalid("level " + std::to_string(level) + " does not exist");
    return out;
  }
  if (const GpStatus s = spec_.CheckPoints(xq); !s.ok()) {
    out.status = s;
    return out;
  }
  out = PredictStandardized(xq, level, gradients);
  if (!out.status.ok()) return out;
  out.mean = (out.mean.array() * s_ + mu_).matrix();
  out.variance *= s_ * s_;
  if (gradients) {
    out.mean_gradient *= s_;
    out.variance_gradient *= s_ * s_;
  }
  return out;
}

GpStatus Ar1CoKriging::Fantasize(const Eigen::MatrixXd& x_pending, const Eigen::VectorXd& y, int level,
                                 Ar1CoKriging* out) const {
  if (!fitted_) return GpPrecondition("Ar1CoKriging::Fantasize called before a successful Fit");
  if (level < 0) level = num_levels() - 1;
  if (level >= num_levels()) return GpInvalid("level " + std::to_string(level) + " does not exist");
  if (x_pending.rows() != y.size() || !y.allFinite()) {
    return GpInvalid("Ar1CoKriging::Fantasize: one finite value per pending point");
  }
  if (const GpStatus s = spec_.CheckPoints(x_pending); !s.ok()) return s;
  *out = *this;
  out->fitted_ = false;
  Eigen::MatrixXd h = Eigen::MatrixXd::Ones(x_pending.rows(), level == 0 ? 1 : 2);
  if (level > 0) {
    const LevelPosterior prev = out->PredictStandardized(x_pending, level - 1, false);
    if (!prev.status.ok()) return prev.status;
    h.col(0) = prev.mean;
  }
  const Eigen::VectorXd z = (y.array() - mu_) / s_;
  if (const GpStatus s = out->levels_[level].AddObservationsWithBasis(x_pending, z, h); !s.ok()) return s;
  for (int u = level + 1; u < num_levels(); ++u) {
    ExactGp& m = out->levels_[u];
    Eigen::MatrixXd hu = Eigen::MatrixXd::Ones(m.num_observations(), 2);
    const LevelPosterior prev = out->PredictStandardized(m.x(), u - 1, false);
    if (!prev.status.ok()) return prev.status;
    hu.col(0) = prev.mean;
    if (const GpStatus s = m.ReplaceMeanBasis(hu); !s.ok()) return s;
  }
  out->fitted_ = true;
  return GpOk();
}

double Ar1CoKriging::rho(int t) const {
  if (t < 1 || t >= num_levels()) return std::nan("");
  return levels_[t].mean_coefficients()[0];
}

Eigen::MatrixXd AtFidelity(const Eigen::MatrixXd& xq, const InputSpec& spec, double fidelity) {
  Eigen::MatrixXd out = xq;
  for (int c : spec.ColumnsOfType(ColumnType::kFidelity)) {
    if (c < out.cols()) out.col(c).setConstant(fidelity);
  }
  return out;
}

}  // namespace bayesd::gp
