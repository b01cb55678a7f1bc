#include "src/strategies/mf_composite.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "acquisition/normal.h"
#include "src/strategies/baseline_strategies.h"

namespace bayesd {
namespace {

namespace acq = acquisition;

constexpr double kMaxEta2 = 1.0 - 1e-12;

// The target moments of u as an acquisition::Model (marginals only).
class CompositeMomentModel : public acq::Model {
 public:
  explicit CompositeMomentModel(std::shared_ptr<const CompositeFidelityModel> m) : m_(std::move(m)) {}
  int dim() const override { return m_->dim(); }
  gp::Posterior PosteriorAt(const Eigen::MatrixXd& xq, const gp::PosteriorOptions& options) const override {
    gp::Posterior out;
    if (options.full_covariance) {
      out.status = gp::GpPrecondition("the composite target model gives marginals only");
      return out;
    }
    const Eigen::Index n = xq.rows(), d = xq.cols();
    out.mean.resize(n);
    out.variance.resize(n);
    if (options.gradients) {
      out.mean_gradient.resize(n, d);
      out.variance_gradient.resize(n, d);
    }
    for (Eigen::Index i = 0; i < n; ++i) {
      CompositeFidelityModel::Moments mm;
      if (!m_->MomentsAt(xq.row(i).transpose(), -1, options.gradients, &mm)) {
        out.status = gp::GpNumerical("composite moments are not finite");
        return out;
      }
      out.mean[i] = mm.mean;
      out.variance[i] = std::max(mm.var, 0.0);
      if (options.gradients) {
        out.mean_gradient.row(i) = mm.g_mean.transpose();
        out.variance_gradient.row(i) = mm.g_var.transpose();
      }
    }
    return out;
  }
  // The composite of noisy outputs has no single noise level; nothing here asks for it.
  double NoiseVariance() const override { return 0.0; }
  std::unique_ptr<acq::Model> Condition(const Eigen::MatrixXd&, const Eigen::VectorXd&,
                                        gp::GpStatus* status) const override {
    *status = gp::GpPrecondition("condition the output surrogates instead");
    return nullptr;
  }

 private:
  std::shared_ptr<const CompositeFidelityModel> m_;
};

}  // namespace

Eigen::MatrixXd CompositeBaseSamples(int num_outputs, int num_samples, uint64_t seed) {
  const int dims = 3 * num_outputs;
  const std::vector<std::vector<double>> u = ScrambledSobolPoints(dims, seed, 0, num_samples);
  Eigen::MatrixXd z(num_samples, dims);
  for (int i = 0; i < num_samples; ++i) {
    for (int j = 0; j < dims; ++j) z(i, j) = acq::NormalQuantile(std::clamp(u[i][j], 1e-12, 1 - 1e-12));
  }
  return z;
}

CompositeFidelityModel::CompositeFidelityModel(std::vector<std::shared_ptr<const MfSurrogate>> outputs,
                                               acq::OuterFunction outer, double sign, Eigen::MatrixXd base)
    : outputs_(std::move(outputs)), outer_(std::move(outer)), sign_(sign), base_(std::move(base)) {
  for (const auto& o : outputs_) {
    double off = 0, sc = 1;
    o->OutcomeAffine(&off, &sc);
    offset_.push_back(off);
    scale_.push_back(sc);
  }
}

int CompositeFidelityModel::dim() const { return outputs_.front()->dim(); }
int CompositeFidelityModel::num_fidelities() const { return outputs_.front()->num_fidelities(); }

bool CompositeFidelityModel::MomentsAt(const Eigen::VectorXd& x, int fidelity, bool gradients, Moments* out) const {
  const int k = static_cast<int>(outputs_.size());
  const Eigen::Index d = x.size(), num = base_.rows();
  if (k == 0 || base_.cols() != 3 * k || num < 2) return false;
  const int target = num_fidelities() - 1;
  const bool pair = fidelity >= 0;
  // Per output: outcome-unit target mean and sd, and (pair) the correlation r with its complement s.
  Eigen::VectorXd mu(k), sd(k), r = Eigen::VectorXd::Zero(k), s = Eigen::VectorXd::Ones(k);
  Eigen::MatrixXd g_mu(d, k), g_sd(d, k), g_r = Eigen::MatrixXd::Zero(d, k);
  for (int j = 0; j < k; ++j) {
    JointFidelityPosterior p;
    if (!outputs_[j]->Joint(x, pair ? fidelity : target, gradients, &p)) return false;
    const double var = std::max(p.var_t, acq::kMinVariance);
    mu[j] = offset_[j] + scale_[j] * p.mean_t;
    sd[j] = scale_[j] * std::sqrt(var);
    if (gradients) {
      g_mu.col(j) = scale_[j] * p.g_mean_t;
      g_sd.col(j) = p.var_t > acq::kMinVariance ? Eigen::VectorXd(scale_[j] * p.g_var_t / (2.0 * std::sqrt(var)))
                                                : Eigen::VectorXd::Zero(d);
    }
    if (pair) {
      double rj = 0;
      Eigen::VectorXd grj;
      if (!FidelityCorrelation(p, gradients, &rj, &grj)) return false;
      r[j] = rj;
      s[j] = std::sqrt(std::max(0.0, 1.0 - rj * rj));
      if (gradients) g_r.col(j) = grj;
    }
  }
  // u and its gradient for sample row z (K standard normals) with per-output dz/dx given by dz (d x K, may be empty).
  Eigen::VectorXd y(k), gy(k);
  auto sample = [&](const Eigen::VectorXd& z, const Eigen::MatrixXd* dz, double* u, Eigen::VectorXd* du) {
    y = mu + sd.cwiseProduct(z);
    *u = sign_ * outer_(y, gradients ? &gy : nullptr);
    if (!std::isfinite(*u)) return false;
    if (gradients) {
      if (!gy.allFinite()) gy.setZero();
      du->setZero(d);
      for (int j = 0; j < k; ++j) {
        Eigen::VectorXd dy = g_mu.col(j) + z[j] * g_sd.col(j);
        if (dz) dy += sd[j] * dz->col(j);
        *du += sign_ * gy[j] * dy;
      }
    }
    return true;
  };
  std::vector<double> ua(num, std::numeric_limits<double>::quiet_NaN()), ub(num, ua[0]);
  std::vector<Eigen::VectorXd> dua(num), dub(num);
  double sum = 0;
  int finite = 0;
  for (Eigen::Index i = 0; i < num; ++i) {
    const Eigen::VectorXd z = base_.row(i).head(k).transpose();
    double u;
    if (!sample(z, nullptr, &u, &dua[i])) continue;
    ua[i] = u;
    sum += u;
    ++finite;
  }
  if (finite < 2) return false;
  out->mean = sum / finite;
  double ss = 0;
  Eigen::VectorXd g_mean = Eigen::VectorXd::Zero(d), g_ss = Eigen::VectorXd::Zero(d);
  for (Eigen::Index i = 0; i < num; ++i) {
    if (!std::isfinite(ua[i])) continue;
    ss += (ua[i] - out->mean) * (ua[i] - out->mean);
    if (gradients) {
      g_mean += dua[i] / finite;
      g_ss += 2.0 * (ua[i] - out->mean) * dua[i];  // d/dx of sum (u - mean)^2; the mean's own term sums to 0
    }
  }
  out->var = ss / (finite - 1);
  if (gradients) {
    out->g_mean = g_mean;
    out->g_var = g_ss / (finite - 1);
  }
  out->eta = 0;
  if (gradients) out->g_eta = Eigen::VectorXd::Zero(d);
  if (!pair) return std::isfinite(out->mean) && std::isfinite(out->var);
  // The pick-freeze sample sharing U: z' = r^2 z + r s w + s w'; dz'/dr = 2 r z + (s - r^2 / s) w - (r / s) w'.
  double jansen = 0;
  Eigen::VectorXd g_jansen = Eigen::VectorXd::Zero(d);
  int pairs = 0;
  Eigen::MatrixXd dz(d, k);
  for (Eigen::Index i = 0; i < num; ++i) {
    if (!std::isfinite(ua[i])) continue;
    const Eigen::VectorXd z = base_.row(i).segment(0, k).transpose(), w = base_.row(i).segment(k, k).transpose(),
                          w2 = base_.row(i).segment(2 * k, k).transpose();
    Eigen::VectorXd zb(k);
    for (int j = 0; j < k; ++j) {
      zb[j] = r[j] * r[j] * z[j] + r[j] * s[j] * w[j] + s[j] * w2[j];
      if (gradients) {
        const double c = s[j] > 1e-9 ? 2 * r[j] * z[j] + (s[j] - r[j] * r[j] / s[j]) * w[j] - r[j] / s[j] * w2[j]
                                     : 0.0;
        dz.col(j) = c * g_r.col(j);
      }
    }
    double u;
    if (!sample(zb, gradients ? &dz : nullptr, &u, &dub[i])) continue;
    ub[i] = u;
    ++pairs;
    jansen += 0.5 * (ua[i] - u) * (ua[i] - u);
    if (gradients) g_jansen += (ua[i] - u) * (dua[i] - dub[i]);
  }
  if (pairs < 2 || !(out->var > 0)) return std::isfinite(out->mean) && std::isfinite(out->var);
  jansen /= pairs;
  g_jansen /= pairs;
  const double eta2 = 1.0 - jansen / out->var;
  if (eta2 <= 0) return true;
  if (eta2 >= kMaxEta2) {
    out->eta = std::sqrt(kMaxEta2);
    return true;
  }
  out->eta = std::sqrt(eta2);
  if (gradients) {
    const Eigen::VectorXd g_eta2 = -(g_jansen * out->var - jansen * out->g_var) / (out->var * out->var);
    out->g_eta = g_eta2 / (2.0 * out->eta);
  }
  return std::isfinite(out->eta);
}

bool CompositeFidelityModel::Joint(const Eigen::VectorXd& x, int fidelity, bool gradients,
                                   JointFidelityPosterior* out) const {
  Moments mm;
  if (!MomentsAt(x, fidelity, gradients, &mm)) return false;
  const double var = std::max(mm.var, acq::kMinVariance), sd = std::sqrt(var);
  out->mean_m = out->mean_t = mm.mean;
  out->var_t = mm.var;
  out->var_m = 1.0;  // eta is the correlation of a unit-variance stand-in for the observation: see the header
  out->noise_m = 0.0;
  out->cov = mm.eta * sd;
  if (gradients) {
    const Eigen::Index d = x.size();
    out->g_mean_m = out->g_mean_t = mm.g_mean;
    out->g_var_t = mm.g_var;
    out->g_var_m = Eigen::VectorXd::Zero(d);
    out->g_cov = mm.g_eta * sd;
    if (mm.var > acq::kMinVariance) out->g_cov += mm.eta * mm.g_var / (2.0 * sd);
  }
  return true;
}

Eigen::VectorXd CompositeFidelityModel::MaxValueSamples(const Eigen::MatrixXd& candidates, double incumbent, int k,
                                                        uint64_t seed) const {
  const int num = std::max(1, k);
  const double floor = std::isfinite(incumbent) ? incumbent : -std::numeric_limits<double>::max();
  Eigen::VectorXd out = Eigen::VectorXd::Constant(num, floor + 1e-3);
  const Eigen::Index n = candidates.rows(), m = static_cast<Eigen::Index>(outputs_.size());
  if (n == 0) return out;
  Eigen::MatrixXd mu(n, m), sd(n, m);
  for (Eigen::Index j = 0; j < m; ++j) {
    const gp::Posterior p = outputs_[j]->TargetModel()->PosteriorAt(candidates, gp::PosteriorOptions());
    if (!p.status.ok()) return out;
    mu.col(j) = (p.mean.array() * scale_[j] + offset_[j]).matrix();
    sd.col(j) = p.variance.cwiseMax(acq::kMinVariance).cwiseSqrt() * scale_[j];
  }
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::VectorXd y(m);
  for (int s = 0; s < num; ++s) {
    double best = -std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < m; ++j) y[j] = mu(i, j) + sd(i, j) * normal(rng);
      const double u = sign_ * outer_(y, nullptr);
      if (std::isfinite(u)) best = std::max(best, u);
    }
    out[s] = std::isfinite(best) ? std::max(best, floor + 1e-6) : floor + 1e-3;
  }
  std::sort(out.data(), out.data() + out.size());
  return out;
}

std::shared_ptr<const acq::Model> CompositeFidelityModel::TargetModel() const {
  return std::make_shared<CompositeMomentModel>(std::make_shared<CompositeFidelityModel>(*this));
}

std::shared_ptr<const acq::CompositeExpectedImprovement> CompositeFidelityModel::TargetCompositeEi(double best,
                                                                                                 double tau) const {
  std::vector<acq::OutputModel> outputs;
  for (size_t j = 0; j < outputs_.size(); ++j) outputs.push_back({outputs_[j]->TargetModel(), offset_[j], scale_[j]});
  const Eigen::Index k = static_cast<Eigen::Index>(outputs_.size());
  return std::make_shared<acq::CompositeExpectedImprovement>(std::move(outputs), outer_, sign_, best,
                                                             Eigen::MatrixXd(base_.leftCols(k)), tau);
}

}  // namespace bayesd
