#include "src/strategies/mf_acquisition.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "acquisition/normal.h"

namespace bayesd {
namespace {

namespace acq = acquisition;

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kMinGamma = -5.0;
constexpr double kSwitchR = 0.7;  // u-grid below, w-grid above
constexpr int kNodes = 240;
constexpr double kULow = -12.0, kUHigh = 12.0;  // u ~ N(0, 1) before weighting
constexpr double kWLow = -12.0, kWHigh = 8.0;   // g(w) = Phi(w) log Phi(w) is < 1e-30 outside

// g(w) = Phi(w) log Phi(w) and g'(w) = phi(w) (1 + log Phi(w)).
void G(double w, double* g, double* dg) {
  const double lc = acq::LogNormalCdf(w);
  *g = std::exp(lc) * lc;
  *dg = acq::NormalPdf(w) * (1.0 + lc);
}

struct WTable {
  std::array<double, kNodes> w, g;
  WTable() {
    const double h = (kWHigh - kWLow) / kNodes;
    for (int j = 0; j < kNodes; ++j) {
      double dg;
      w[j] = kWLow + (j + 0.5) * h;
      G(w[j], &g[j], &dg);
    }
  }
};

const WTable& Table() {
  static const WTable* table = new WTable();
  return *table;
}

}  // namespace

double MfMesInformation(double r, double gamma, double* d_r, double* d_gamma) {
  r = std::clamp(r, 0.0, 1.0);
  if (r == 0.0) {  // independent of f_T: no information (and I ~ r^2 near 0)
    if (d_r) *d_r = 0.0;
    if (d_gamma) *d_gamma = 0.0;
    return 0.0;
  }
  bool gamma_clamped = false;
  if (gamma < kMinGamma) {
    gamma = kMinGamma;
    gamma_clamped = true;
  }
  const double lambda = acq::NormalHazard(gamma);             // phi / Phi
  const double d_lambda = -lambda * (gamma + lambda);         // d lambda / d gamma
  const double log_phi_gamma = acq::LogNormalCdf(gamma);
  const double big_phi = std::exp(log_phi_gamma);
  double value = 0.5 * r * r * gamma * lambda - log_phi_gamma;
  double dr = r * gamma * lambda;
  double dg = 0.5 * r * r * (lambda + gamma * d_lambda) - lambda;
  const double s2 = std::max(0.0, 1.0 - r * r), s = std::sqrt(s2);
  if (s > 1e-12) {
    double t = 0, dt_dg = 0, dt_dr = 0;
    if (r < kSwitchR) {
      // T = (1 / Phi(gamma)) int phi(u) g(w(u)) du, w = (gamma - r u) / s.
      const double h = (kUHigh - kULow) / kNodes;
      double sum = 0, sum_g = 0, sum_r = 0;
      for (int i = 0; i < kNodes; ++i) {
        const double u = kULow + (i + 0.5) * h;
        const double w = (gamma - r * u) / s;
        double gv, gd;
        G(w, &gv, &gd);
        const double weight = h * acq::NormalPdf(u);
        sum += weight * gv;
        sum_g += weight * gd / s;
        sum_r += weight * gd * (r * gamma - u) / (s2 * s);
      }
      t = sum / big_phi;
      dt_dg = sum_g / big_phi - lambda * t;
      dt_dr = sum_r / big_phi;
    } else {
      // Substitute u = (gamma - s w) / r: T = (s / r) (1 / Phi(gamma)) int phi(a(w)) g(w) dw, a = (gamma - s w) / r.
      const WTable& tab = Table();
      const double h = (kWHigh - kWLow) / kNodes;
      double sum = 0, sum_g = 0, sum_r = 0;
      for (int j = 0; j < kNodes; ++j) {
        const double a = (gamma - s * tab.w[j]) / r;
        const double pa = acq::NormalPdf(a);
        sum += h * pa * tab.g[j];
        const double dpa = -a * pa;
        sum_g += h * dpa / r * tab.g[j];
        sum_r += h * dpa * (tab.w[j] / s - gamma) / (r * r) * tab.g[j];
      }
      const double scale = s / r;
      t = scale * sum / big_phi;
      dt_dg = scale * sum_g / big_phi - lambda * t;
      dt_dr = (-1.0 / (s * r * r)) * sum / big_phi + scale * sum_r / big_phi;
    }
    value += t;
    dr += dt_dr;
    dg += dt_dg;
  }
  if (d_r) *d_r = dr;
  if (d_gamma) *d_gamma = gamma_clamped ? 0.0 : dg;
  return std::max(value, 0.0);
}

bool FidelityCorrelation(const JointFidelityPosterior& p, bool gradients, double* r, Eigen::VectorXd* g_r) {
  const double vm = std::max(p.var_m + std::max(p.noise_m, 0.0), acq::kMinVariance);
  const double vt = std::max(p.var_t, acq::kMinVariance);
  const double denom = std::sqrt(vm * vt);
  const double sign = p.cov >= 0 ? 1.0 : -1.0;
  const double raw = sign * p.cov / denom;
  if (!std::isfinite(raw)) return false;
  const double upper = 1.0 - 1e-12;
  *r = std::clamp(raw, 0.0, upper);
  if (gradients) {
    if (raw <= 0.0 || raw >= upper) {
      g_r->setZero(p.g_cov.size());
    } else {
      *g_r = sign * p.g_cov / denom;
      if (vm > acq::kMinVariance) *g_r -= 0.5 * raw * p.g_var_m / vm;
      if (p.var_t > acq::kMinVariance) *g_r -= 0.5 * raw * p.g_var_t / vt;
    }
  }
  return true;
}

MultiFidelityMes::MultiFidelityMes(std::shared_ptr<const MultiFidelityModel> model, int fidelity,
                                   Eigen::VectorXd max_values, double cost,
                                   std::vector<acq::ConstraintModel> constraints)
    : model_(std::move(model)), fidelity_(fidelity), max_values_(std::move(max_values)), cost_(cost), constraints_(std::move(constraints)) {}

double MultiFidelityMes::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  const bool want = grad != nullptr;
  if (grad) grad->setZero(x.size());
  JointFidelityPosterior p;
  if (!model_->Joint(x, fidelity_, want, &p)) return kNegInf;
  const double vt = std::max(p.var_t, acq::kMinVariance), st = std::sqrt(vt);
  double r = 1.0;
  Eigen::VectorXd g_r;
  if (!FidelityCorrelation(p, want, &r, &g_r)) return kNegInf;
  double info = 0, d_r = 0, d_mu = 0, d_var = 0;
  const double k = static_cast<double>(max_values_.size());
  for (Eigen::Index i = 0; i < max_values_.size(); ++i) {
    const double gamma = (max_values_[i] - p.mean_t) / st;
    double di_dr, di_dg;
    info += MfMesInformation(r, gamma, &di_dr, &di_dg) / k;
    d_r += di_dr / k;
    d_mu += di_dg * (-1.0 / st) / k;
    d_var += di_dg * (-gamma / (2.0 * vt)) / k;
  }
  Eigen::VectorXd g;
  if (want) {
    g = d_mu * p.g_mean_t;
    if (p.var_t > acq::kMinVariance) g += d_var * p.g_var_t;
    g += d_r * g_r;
  }
  double pof = 1.0;
  if (!constraints_.empty()) {
    Eigen::VectorXd g_log_pof;
    const double log_pof = acq::LogProbabilityOfFeasibility(constraints_).Evaluate(x, want ? &g_log_pof : nullptr);
    pof = std::exp(log_pof);
    if (want) g = pof * g + info * pof * g_log_pof;
  }
  if (grad) {
    *grad = g / cost_;
    if (!grad->allFinite()) grad->setZero();
  }
  return info * pof / cost_;
}

CostWeightedEi::CostWeightedEi(std::shared_ptr<const MultiFidelityModel> model, int fidelity, double best,
                               double cost_ratio, std::vector<acq::ConstraintModel> constraints,
                               std::shared_ptr<const acq::Acquisition> target_log_ei)
    : model_(std::move(model)), fidelity_(fidelity), target_(fidelity == model_->num_fidelities() - 1),
      log_cost_ratio_(std::log(cost_ratio)),
      ei_(target_log_ei ? std::move(target_log_ei)
                        : std::make_shared<acq::LogExpectedImprovement>(model_->TargetModel(), best)),
      constraints_(std::move(constraints)) {}

double CostWeightedEi::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  const bool want = grad != nullptr;
  Eigen::VectorXd g;
  double value = ei_->Evaluate(x, want ? &g : nullptr) + log_cost_ratio_;
  if (!target_) {
    JointFidelityPosterior p;
    double r = 0;
    Eigen::VectorXd g_r;
    if (!model_->Joint(x, fidelity_, want, &p) || !FidelityCorrelation(p, want, &r, &g_r)) {
      if (grad) grad->setZero(x.size());
      return kNegInf;
    }
    r = std::max(r, 1e-300);
    value += std::log(r);
    if (want) g += g_r / r;
  }
  if (!constraints_.empty()) {
    Eigen::VectorXd g_pof;
    value += acq::LogProbabilityOfFeasibility(constraints_).Evaluate(x, want ? &g_pof : nullptr);
    if (want) g += g_pof;
  }
  if (grad) {
    *grad = g;
    if (!grad->allFinite()) grad->setZero();
  }
  return value;
}

}  // namespace bayesd
