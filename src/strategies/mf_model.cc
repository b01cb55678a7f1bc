#include "src/strategies/mf_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "gp/cokriging.h"

namespace bayesd {
namespace {

namespace acq = acquisition;
using nlohmann::json;

json VectorJson(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

Eigen::VectorXd JsonVector(const json& j) {
  if (!j.is_array()) return Eigen::VectorXd();
  std::vector<double> v;
  for (const json& e : j) {
    if (!e.is_number()) return Eigen::VectorXd();
    v.push_back(e.get<double>());
  }
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

json Describe(const gp::FitDiagnostics& d) {
  return {{"success", d.success},
          {"log_likelihood", std::isfinite(d.log_likelihood) ? json(d.log_likelihood) : json(nullptr)},
          {"attempts", d.attempts},
          {"evaluations", d.evaluations},
          {"termination", d.termination},
          {"message", d.message}};
}

// ---- co-kriging ---------------------------------------------------------------------------------------------------

// Noise prior of the co-kriging levels (log variance, standardized units pooled over the levels). The single-fidelity
// default, LogNormal(-4, 1) (noise sd ~0.14 of the pooled output sd), decides the noise of the target's delta level,
// which has few points: on Forrester the fitted target noise stayed at 0.2-0.6 outcome units (output sd ~6) and the
// posterior sd at observed target points at 0.2-1.7, so target observations did not pin the target posterior and its
// argmax stayed off the optimum (the refinement plateau of docs/multifidelity.md). The cheapest level has the most
// points and so the best-determined noise: after a fit with the default prior, the prior of every level is re-centred
// at the cheapest level's fitted log noise (clamped to [kMinNoisePriorMean, kDefaultNoisePriorMean]) and the model
// refitted, up to kNoisePriorPasses times. Noisy data keep the default (tested: CoKrigingStillLearnsNoiseFromNoisyData).
constexpr double kDefaultNoisePriorMean = -4.0;
constexpr double kMinNoisePriorMean = -12.0;
constexpr double kNoisePriorSd = 1.0;
constexpr int kNoisePriorPasses = 3;


// The target level of a co-kriging model as an acquisition::Model (marginals only).
class CoKrigingTargetModel : public acq::Model {
 public:
  explicit CoKrigingTargetModel(std::shared_ptr<const gp::Ar1CoKriging> ck, int d) : ck_(std::move(ck)), d_(d) {}
  int dim() const override { return d_; }
  gp::Posterior PosteriorAt(const Eigen::MatrixXd& xq, const gp::PosteriorOptions& options) const override {
    gp::Posterior out;
    if (options.full_covariance) {
      out.status = gp::GpPrecondition("the co-kriging target model gives marginals only");
      return out;
    }
    const gp::LevelPosterior p = ck_->Predict(xq, -1, options.gradients);
    out.status = p.status;
    if (!p.status.ok()) return out;
    out.mean = p.mean;
    out.variance = p.variance.cwiseMax(0.0);
    if (options.gradients) {
      out.mean_gradient = p.mean_gradient;
      out.variance_gradient = p.variance_gradient;
    }
    return out;
  }
  // Level noise variances are in standardized units: outcome units here, like the posterior.
  double NoiseVariance() const override {
    return ck_->level_model(ck_->num_levels() - 1).noise_variance() * ck_->output_scale() * ck_->output_scale();
  }
  std::unique_ptr<acq::Model> Condition(const Eigen::MatrixXd&, const Eigen::VectorXd&,
                                        gp::GpStatus* status) const override {
    *status = gp::GpPrecondition("condition the multi-fidelity surrogate instead");
    return nullptr;
  }

 private:
  std::shared_ptr<const gp::Ar1CoKriging> ck_;
  int d_;
};

class CoKrigingSurrogate : public MfSurrogate {
 public:
  CoKrigingSurrogate(const gp::InputSpec& spec, std::vector<double> coords)
      : MfSurrogate(Kind::kCoKriging, spec, std::move(coords)) {}

  json Fit(const MfObservations& data, const json& warm, const MfFitSettings& s) override {
    const int levels = num_fidelities();
    x_.assign(levels, Eigen::MatrixXd(0, spec_.dim()));
    y_.assign(levels, Eigen::VectorXd());
    for (Eigen::Index i = 0; i < data.y.size(); ++i) {
      const int t = data.level[i];
      if (t < 0 || t >= levels) continue;
      x_[t].conservativeResize(x_[t].rows() + 1, spec_.dim());
      x_[t].row(x_[t].rows() - 1) = data.x.row(i);
      y_[t].conservativeResize(y_[t].size() + 1);
      y_[t][y_[t].size() - 1] = data.y[i];
    }
    return Build(warm, s);
  }

  json Build(const json& warm, const MfFitSettings& s) {
    ck_.reset();
    for (int t = 0; t < num_fidelities(); ++t) {
      if (y_[t].size() == 0) return {{"success", false}, {"message", "level " + std::to_string(t) + " has no data"}};
    }
    std::vector<Eigen::VectorXd> w;
    if (warm.is_array()) {
      for (const json& e : warm) w.push_back(JsonVector(e));
    }
    auto run = [&](FitMode mode, double noise_prior_mean) {
      gp::CoKrigingOptions o;
      o.gp.noise_prior = gp::Prior::LogNormal(noise_prior_mean, kNoisePriorSd);
      o.fit.seed = s.seed;
      o.fit.num_random_starts = mode == FitMode::kFull ? s.random_starts : 0;
      if (mode == FitMode::kLocal && !w.empty()) o.fit.max_evaluations = std::max(1, s.local_evaluations);
      auto ck = std::make_shared<gp::Ar1CoKriging>(spec_, o);
      const std::vector<gp::FitDiagnostics> d = ck->Fit(x_, y_, mode == FitMode::kFull ? std::vector<Eigen::VectorXd>()
                                                                                          : w,
                                                        mode == FitMode::kNone);
      bool good = static_cast<int>(d.size()) == num_fidelities();
      for (const auto& e : d) good = good && e.success;
      json levels = json::array();
      for (const auto& e : d) levels.push_back(Describe(e));
      if (good) ck_ = std::move(ck);
      return json{{"success", good}, {"levels", levels}};
    };
    json out = run(s.mode, kDefaultNoisePriorMean);
    if (!ck_ && s.mode != FitMode::kFull) out = run(FitMode::kFull, kDefaultNoisePriorMean);
    double prior_mean = kDefaultNoisePriorMean;
    // Re-centre (a few fixed-point passes: each refit lets the cheapest level's noise fall further when the data are
    // exact, while noisy data hold it where it is).
    for (int pass = 0; pass < kNoisePriorPasses && ck_ && s.mode != FitMode::kNone; ++pass) {
      const double v0 = ck_->level_model(0).noise_variance();
      const double c = std::clamp(std::log(std::max(v0, 1e-300)), kMinNoisePriorMean, kDefaultNoisePriorMean);
      if (c > prior_mean - 0.5) break;
      std::shared_ptr<const gp::Ar1CoKriging> previous = ck_;
      ck_.reset();
      json next = run(s.mode, c);
      if (!ck_) {
        ck_ = previous;
        break;
      }
      out = next;
      prior_mean = c;
    }
    out["noise_prior_mean"] = prior_mean;
    if (ck_) {
      json rho = json::array();
      for (int t = 1; t < ck_->num_levels(); ++t) rho.push_back(ck_->rho(t));
      out["rho"] = rho;
    }
    out["model"] = "cokriging";
    return out;
  }

  bool ok() const override { return ck_ != nullptr; }

  json Theta() const override {
    json out = json::array();
    if (!ck_) return out;
    for (int t = 0; t < ck_->num_levels(); ++t) out.push_back(VectorJson(ck_->hyperparameters(t)));
    return out;
  }

  int dim() const override { return spec_.dim(); }

  bool Joint(const Eigen::VectorXd& x, int m, bool gradients, JointFidelityPosterior* out) const override {
    if (!ck_) return false;
    const Eigen::MatrixXd xq = x.transpose();
    const gp::LevelPosterior t = ck_->Predict(xq, -1, gradients);
    if (!t.status.ok()) return false;
    out->mean_t = t.mean[0];
    out->var_t = std::max(t.variance[0], 0.0);
    if (gradients) {
      out->g_mean_t = t.mean_gradient.row(0).transpose();
      out->g_var_t = t.variance_gradient.row(0).transpose();
    }
    const int target = num_fidelities() - 1;
    const double scale = ck_->output_scale();
    out->noise_m = ck_->level_model(m).noise_variance() * scale * scale;
    if (m == target) {
      out->mean_m = out->mean_t;
      out->var_m = out->cov = out->var_t;
      if (gradients) out->g_mean_m = out->g_mean_t, out->g_var_m = out->g_var_t, out->g_cov = out->g_var_t;
      return std::isfinite(out->mean_t) && std::isfinite(out->var_t);
    }
    const gp::LevelPosterior p = ck_->Predict(xq, m, gradients);
    if (!p.status.ok()) return false;
    double rho = 1.0;
    for (int l = m + 1; l <= target; ++l) rho *= ck_->rho(l);
    out->mean_m = p.mean[0];
    out->var_m = std::max(p.variance[0], 0.0);
    out->cov = rho * out->var_m;
    if (gradients) {
      out->g_mean_m = p.mean_gradient.row(0).transpose();
      out->g_var_m = p.variance_gradient.row(0).transpose();
      out->g_cov = rho * out->g_var_m;
    }
    return std::isfinite(out->mean_m) && std::isfinite(out->var_m) && std::isfinite(out->cov);
  }

  std::shared_ptr<const acq::Model> TargetModel() const override {
    return std::make_shared<CoKrigingTargetModel>(ck_, spec_.dim());
  }

  std::unique_ptr<MfSurrogate> Condition(const Eigen::MatrixXd& x, const std::vector<int>& fidelity,
                                         const Eigen::VectorXd& z) const override {
    auto out = std::make_unique<CoKrigingSurrogate>(*this);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const int t = fidelity[i];
      out->x_[t].conservativeResize(out->x_[t].rows() + 1, spec_.dim());
      out->x_[t].row(out->x_[t].rows() - 1) = x.row(i);
      out->y_[t].conservativeResize(out->y_[t].size() + 1);
      out->y_[t][out->y_[t].size() - 1] = z[i];
    }
    MfFitSettings s;
    s.mode = FitMode::kNone;
    out->Build(Theta(), s);
    if (!out->ok()) return nullptr;
    return out;
  }

  bool PredictTarget(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean, Eigen::VectorXd* sd) const override {
    if (!ck_) return false;
    const gp::LevelPosterior p = ck_->Predict(xq, -1, false);
    if (!p.status.ok()) return false;
    *mean = p.mean;
    *sd = p.variance.cwiseMax(0.0).cwiseSqrt();
    return mean->allFinite() && sd->allFinite();
  }

  double ToModel(double outcome) const override { return outcome; }
  void OutcomeAffine(double* offset, double* scale) const override {
    *offset = 0.0;
    *scale = 1.0;
  }

 private:
  std::vector<Eigen::MatrixXd> x_;
  std::vector<Eigen::VectorXd> y_;
  std::shared_ptr<const gp::Ar1CoKriging> ck_;
};

// ---- fidelity kernel ---------------------------------------------------------------------------------------------

// An acquisition::Model on d design columns over a model on [x, s], s fixed.
class FixedFidelityModel : public acq::Model {
 public:
  FixedFidelityModel(std::shared_ptr<const acq::Model> inner, double s) : inner_(std::move(inner)), s_(s) {}
  int dim() const override { return inner_->dim() - 1; }
  gp::Posterior PosteriorAt(const Eigen::MatrixXd& xq, const gp::PosteriorOptions& options) const override {
    gp::Posterior p = inner_->PosteriorAt(Augment(xq), options);
    if (!p.status.ok()) return p;
    const Eigen::Index d = xq.cols();
    if (options.gradients) {
      p.mean_gradient = p.mean_gradient.leftCols(d).eval();
      p.variance_gradient = p.variance_gradient.leftCols(d).eval();
    }
    for (auto& g : p.covariance_gradient) g = g.topRows(d).eval();
    return p;
  }
  double NoiseVariance() const override { return inner_->NoiseVariance(); }
  std::unique_ptr<acq::Model> Condition(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                                        gp::GpStatus* status) const override {
    std::shared_ptr<const acq::Model> next = inner_->Condition(Augment(x), z, status);
    if (!next) return nullptr;
    return std::make_unique<FixedFidelityModel>(std::move(next), s_);
  }

 private:
  Eigen::MatrixXd Augment(const Eigen::MatrixXd& xq) const {
    Eigen::MatrixXd a(xq.rows(), xq.cols() + 1);
    a << xq, Eigen::VectorXd::Constant(xq.rows(), s_);
    return a;
  }
  std::shared_ptr<const acq::Model> inner_;
  double s_;
};

gp::InputSpec WithFidelityColumn(const gp::InputSpec& spec) {
  gp::InputSpec out = spec;
  out.columns.push_back({gp::ColumnType::kFidelity, 0});
  return out;
}

class FidelityKernelSurrogate : public MfSurrogate {
 public:
  FidelityKernelSurrogate(const gp::InputSpec& spec, std::vector<double> coords)
      : MfSurrogate(Kind::kFidelityKernel, spec, std::move(coords)),
        model_(std::make_shared<OutcomeModel>(WithFidelityColumn(spec), OutcomeModelOptions())) {}

  json Fit(const MfObservations& data, const json& warm, const MfFitSettings& s) override {
    OutcomeModelOptions o;
    o.fit.num_random_starts = s.random_starts;
    o.fit.seed = s.seed;
    o.local_evaluations = s.local_evaluations;
    auto model = std::make_shared<OutcomeModel>(WithFidelityColumn(spec_), o);
    Eigen::MatrixXd xs(data.x.rows(), data.x.cols() + 1);
    xs << data.x, data.s;
    const Eigen::VectorXd w = JsonVector(warm);
    gp::FitDiagnostics d = model->Fit(xs, data.y, w, s.mode);
    if (!model->ok() && s.mode != FitMode::kFull) d = model->Fit(xs, data.y, Eigen::VectorXd(), FitMode::kFull);
    model_ = model;
    am_ = model->ok() ? model->AsModel() : nullptr;
    json out = model->Describe(d);
    out["model"] = "fidelity_kernel";
    return out;
  }

  bool ok() const override { return am_ != nullptr; }
  json Theta() const override { return ok() ? VectorJson(model_->hyperparameters()) : json::array(); }
  int dim() const override { return spec_.dim(); }

  bool Joint(const Eigen::VectorXd& x, int m, bool gradients, JointFidelityPosterior* out) const override {
    if (!am_) return false;
    const Eigen::Index d = x.size();
    Eigen::MatrixXd q(2, d + 1);
    q.row(0) << x.transpose(), coords_[m];
    q.row(1) << x.transpose(), 1.0;
    gp::PosteriorOptions po;
    po.full_covariance = true;
    po.gradients = gradients;
    po.covariance_gradients = gradients;
    const gp::Posterior p = am_->PosteriorAt(q, po);
    if (!p.status.ok()) return false;
    out->mean_m = p.mean[0];
    out->var_m = std::max(p.variance[0], 0.0);
    out->mean_t = p.mean[1];
    out->var_t = std::max(p.variance[1], 0.0);
    out->cov = p.covariance(0, 1);
    out->noise_m = am_->NoiseVariance();
    if (gradients) {
      out->g_mean_m = p.mean_gradient.row(0).head(d).transpose();
      out->g_var_m = p.variance_gradient.row(0).head(d).transpose();
      out->g_mean_t = p.mean_gradient.row(1).head(d).transpose();
      out->g_var_t = p.variance_gradient.row(1).head(d).transpose();
      // Both points move with x: d cov(q0, q1) / dx = d/dq0 + d/dq1.
      out->g_cov = p.covariance_gradient[0].col(1).head(d) + p.covariance_gradient[1].col(0).head(d);
    }
    return std::isfinite(out->mean_m) && std::isfinite(out->var_m) && std::isfinite(out->cov) &&
           std::isfinite(out->mean_t);
  }

  std::shared_ptr<const acq::Model> TargetModel() const override {
    return std::make_shared<FixedFidelityModel>(am_, 1.0);
  }

  std::unique_ptr<MfSurrogate> Condition(const Eigen::MatrixXd& x, const std::vector<int>& fidelity,
                                         const Eigen::VectorXd& z) const override {
    if (!am_) return nullptr;
    Eigen::MatrixXd xs(x.rows(), x.cols() + 1);
    for (Eigen::Index i = 0; i < x.rows(); ++i) xs.row(i) << x.row(i), coords_[fidelity[i]];
    gp::GpStatus status;
    std::shared_ptr<const acq::Model> next = am_->Condition(xs, z, &status);
    if (!next) return nullptr;
    auto out = std::make_unique<FidelityKernelSurrogate>(*this);
    out->am_ = std::move(next);
    return out;
  }

  bool PredictTarget(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean, Eigen::VectorXd* sd) const override {
    if (!model_->ok()) return false;
    Eigen::MatrixXd xs(xq.rows(), xq.cols() + 1);
    xs << xq, Eigen::VectorXd::Ones(xq.rows());
    return model_->PredictOutcome(xs, mean, sd);
  }

  double ToModel(double outcome) const override { return model_->transform().ToModel(outcome); }
  // The fidelity kernel's outcome transform is a plain standardization (OutcomeModelOptions: no warp).
  void OutcomeAffine(double* offset, double* scale) const override {
    *offset = model_->transform().offset();
    *scale = model_->transform().scale();
  }

 private:
  std::shared_ptr<OutcomeModel> model_;   // the fitted model (transform, hyperparameters)
  std::shared_ptr<const acq::Model> am_;  // its model-space view, possibly conditioned on pending points
};

}  // namespace

bool MfSurrogate::MeanAt(const Eigen::VectorXd& x, int fidelity, double* mean) const {
  JointFidelityPosterior p;
  if (!Joint(x, fidelity, false, &p)) return false;
  *mean = p.mean_m;
  return true;
}

std::unique_ptr<MfSurrogate> MfSurrogate::Create(Kind kind, const gp::InputSpec& spec, std::vector<double> coords) {
  if (kind == Kind::kCoKriging) return std::make_unique<CoKrigingSurrogate>(spec, std::move(coords));
  return std::make_unique<FidelityKernelSurrogate>(spec, std::move(coords));
}

std::string MfSurrogate::KindName(Kind kind) {
  return kind == Kind::kCoKriging ? "cokriging" : "fidelity_kernel";
}

}  // namespace bayesd
