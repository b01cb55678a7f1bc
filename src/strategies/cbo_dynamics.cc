#include "src/strategies/cbo_dynamics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bayesd::cbo {

std::vector<double> GibbsWeights(const std::vector<std::optional<double>>& f, double alpha) {
  // exp(-alpha f_i) / sum_j exp(-alpha f_j) = exp(-alpha (f_i - f_min)) / sum_j exp(-alpha (f_j - f_min)): the
  // log-sum-exp shift by the largest exponent. Every exponent is <= 0 and the best term is exp(0) = 1, so the sum is
  // in [1, n] and nothing overflows; a weight that underflows to 0 is a weight below 1e-308 of the best one.
  std::vector<double> w(f.size(), 0.0);
  double f_min = std::numeric_limits<double>::infinity();
  for (const auto& fi : f) {
    if (fi && std::isfinite(*fi)) f_min = std::min(f_min, *fi);
  }
  if (!std::isfinite(f_min)) return w;
  double sum = 0.0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] && std::isfinite(*f[i])) sum += w[i] = std::exp(-alpha * (*f[i] - f_min));
  }
  for (double& wi : w) wi /= sum;
  return w;
}

double EffectiveSampleFraction(const std::vector<std::optional<double>>& f, double alpha) {
  const std::vector<double> w = GibbsWeights(f, alpha);
  double s2 = 0.0;
  int n = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    s2 += w[i] * w[i];
    n += f[i] ? 1 : 0;
  }
  return n == 0 || s2 == 0.0 ? 1.0 : 1.0 / s2 / n;  // weights sum to 1
}

double EssAlpha(const std::vector<std::optional<double>>& f, double eta, double alpha_min, double alpha_max) {
  if (EffectiveSampleFraction(f, alpha_max) >= eta) return alpha_max;
  if (EffectiveSampleFraction(f, alpha_min) <= eta) return alpha_min;
  double lo = std::log(alpha_min), hi = std::log(alpha_max);
  for (int i = 0; i < 50; ++i) {
    const double mid = 0.5 * (lo + hi);
    (EffectiveSampleFraction(f, std::exp(mid)) > eta ? lo : hi) = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

std::vector<double> WeightedMean(const std::vector<std::vector<double>>& x, const std::vector<double>& w) {
  std::vector<double> c(x.empty() ? 0 : x[0].size(), 0.0);
  for (size_t i = 0; i < x.size(); ++i) {
    if (w[i] == 0.0) continue;
    for (size_t j = 0; j < c.size(); ++j) c[j] += w[i] * x[i][j];
  }
  return c;
}

void Step(const std::vector<double>& c, const StepParams& p, zo::Rng* rng, std::vector<std::vector<double>>* x) {
  const double drift = p.lambda * p.dt;
  const double diffusion = p.sigma * std::sqrt(p.dt);
  for (std::vector<double>& xi : *x) {
    double dist = 0.0;
    for (size_t j = 0; j < c.size(); ++j) dist += (xi[j] - c[j]) * (xi[j] - c[j]);
    dist = std::sqrt(dist);
    for (size_t j = 0; j < c.size(); ++j) {
      const double diff = xi[j] - c[j];
      const double scale = p.noise == Noise::kIsotropic ? dist : diff;
      xi[j] += -drift * diff + diffusion * scale * rng->Normal();
    }
    zo::ClampToUnitCube(&xi);
  }
}

}  // namespace bayesd::cbo
