#include "src/strategies/zo_estimators.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

namespace bayesd::zo {
namespace {

std::vector<double> RandomDirection(int d, Directions kind, Rng* rng) {
  std::vector<double> v(d);
  for (double& x : v) x = rng->Normal();
  if (kind != Directions::kSphere) return v;
  double norm = 0.0;
  for (double x : v) norm += x * x;
  norm = std::sqrt(norm);
  for (double& x : v) x /= norm > 0.0 ? norm : 1.0;
  return v;
}

std::vector<double> Offset(const std::vector<double>& x, const std::vector<double>& v, double step) {
  std::vector<double> u(x.size());
  for (size_t i = 0; i < x.size(); ++i) u[i] = x[i] + step * v[i];
  ClampToUnitCube(&u);
  return u;
}

// x + mu e_j, stepping backwards when the forward probe would leave the cube.
std::vector<double> CoordinateProbe(const std::vector<double>& x, int j, double step) {
  std::vector<double> u = x;
  u[j] = x[j] + step <= 1.0 ? x[j] + step : x[j] - step;
  ClampToUnitCube(&u);
  return u;
}

int LargestOffset(const std::vector<double>& a, const std::vector<double>& b) {
  int best = 0;
  for (size_t i = 1; i < a.size(); ++i) {
    if (std::abs(a[i] - b[i]) > std::abs(a[best] - b[best])) best = static_cast<int>(i);
  }
  return best;
}

double Scale(Directions kind, int d) { return kind == Directions::kSphere ? static_cast<double>(d) : 1.0; }

Estimate CoordinateEstimate(const std::vector<double>& x, const ProbeSpec& spec, const std::vector<Query>& q) {
  const int d = static_cast<int>(x.size());
  Estimate e{std::vector<double>(d, 0.0), 0};
  std::vector<int> hits(d, 0);
  const bool central = spec.differences == Differences::kCentral;
  const size_t first = central ? 0 : 1;
  const size_t stride = central ? 2 : 1;
  if (!central && (q.empty() || !q[0].f)) return e;
  for (size_t i = first; i + (central ? 1 : 0) < q.size(); i += stride) {
    const Query& a = q[i];
    const Query& b = central ? q[i + 1] : q[0];
    if (!a.f || !b.f) continue;
    const int j = LargestOffset(a.u, b.u);
    const double h = a.u[j] - b.u[j];
    if (h == 0.0) continue;
    e.gradient[j] += (*a.f - *b.f) / h;
    ++hits[j];
    ++e.terms;
  }
  for (int j = 0; j < d; ++j) {
    if (hits[j] > 1) e.gradient[j] /= hits[j];
  }
  return e;
}

// g = s / (n - 1) sum_i (f_i - mean f) / mu^2 * (u_i - x) over the n valued probes: each value against the mean of
// the others (sum_i (f_i - mean_{k != i} f_k) v_i = n / (n - 1) sum_i (f_i - mean f) v_i).
Estimate MeanBaselineEstimate(const std::vector<double>& x, const ProbeSpec& spec, const std::vector<Query>& q) {
  const int d = static_cast<int>(x.size());
  Estimate e{std::vector<double>(d, 0.0), 0};
  double mean = 0.0;
  int n = 0;
  for (const Query& a : q) {
    if (a.f) {
      mean += *a.f;
      ++n;
    }
  }
  if (n < 2) return e;
  mean /= n;
  const double mu2 = spec.mu * spec.mu;
  for (const Query& a : q) {
    if (!a.f) continue;
    const double w = (*a.f - mean) / mu2;
    for (int j = 0; j < d; ++j) e.gradient[j] += w * (a.u[j] - x[j]);
  }
  e.terms = n;
  const double s = Scale(spec.directions, d) / (n - 1);
  for (double& g : e.gradient) g *= s;
  return e;
}

Estimate VectorEstimate(const std::vector<double>& x, const ProbeSpec& spec, const std::vector<Query>& q) {
  const int d = static_cast<int>(x.size());
  Estimate e{std::vector<double>(d, 0.0), 0};
  if (spec.differences == Differences::kMean) return MeanBaselineEstimate(x, spec, q);
  const bool central = spec.differences == Differences::kCentral;
  if (!central && (q.empty() || !q[0].f)) return e;
  const double mu2 = spec.mu * spec.mu;
  const size_t first = central ? 0 : 1;
  const size_t stride = central ? 2 : 1;
  for (size_t i = first; i + (central ? 1 : 0) < q.size(); i += stride) {
    const Query& a = q[i];
    const Query& b = central ? q[i + 1] : q[0];
    if (!a.f || !b.f) continue;
    // forward: (f_a - f_0) / mu^2 * (u_a - x); central: (f_+ - f_-) / (4 mu^2) * (u_+ - u_-).
    const double w = (*a.f - *b.f) / (central ? 4.0 * mu2 : mu2);
    for (int j = 0; j < d; ++j) e.gradient[j] += w * (a.u[j] - b.u[j]);
    ++e.terms;
  }
  if (e.terms == 0) return e;
  const double s = Scale(spec.directions, d) / e.terms;
  for (double& g : e.gradient) g *= s;
  return e;
}

}  // namespace

std::vector<std::vector<double>> MakeProbes(const std::vector<double>& x, const ProbeSpec& spec, int count,
                                            const std::vector<int>& coordinates, Rng* rng) {
  const int d = static_cast<int>(x.size());
  const bool central = spec.differences == Differences::kCentral && spec.with_base;
  std::vector<std::vector<double>> probes;
  if (spec.directions == Directions::kCoordinate) {
    for (int j : coordinates) {
      if (!central) {
        probes.push_back(CoordinateProbe(x, j, spec.mu));
        continue;
      }
      std::vector<double> plus = x, minus = x;
      plus[j] += spec.mu;
      minus[j] -= spec.mu;
      ClampToUnitCube(&plus);
      ClampToUnitCube(&minus);
      probes.push_back(std::move(plus));
      probes.push_back(std::move(minus));
    }
    return probes;
  }
  for (int i = 0; i < count; ++i) {
    const std::vector<double> v = RandomDirection(d, spec.directions, rng);
    probes.push_back(Offset(x, v, spec.mu));
    if (central) probes.push_back(Offset(x, v, -spec.mu));
  }
  return probes;
}

Estimate EstimateFromValues(const std::vector<double>& x, const ProbeSpec& spec,
                            const std::vector<Query>& queries) {
  if (spec.directions == Directions::kCoordinate) return CoordinateEstimate(x, spec, queries);
  return VectorEstimate(x, spec, queries);
}

Estimate EstimateFromPairs(const std::vector<double>& x, double mu,
                           const std::vector<std::pair<std::vector<double>, std::vector<double>>>& pairs) {
  const int d = static_cast<int>(x.size());
  Estimate e{std::vector<double>(d, 0.0), 0};
  for (const auto& [better, worse] : pairs) {
    for (int j = 0; j < d; ++j) e.gradient[j] += (worse[j] - better[j]) / mu;  // v_worse - v_better
    ++e.terms;
  }
  if (e.terms > 0) {
    for (double& g : e.gradient) g /= e.terms;
  }
  return e;
}

SurrogateFit FitLocalLinear(const std::vector<double>& x, const std::vector<std::vector<double>>& points,
                            const std::vector<double>& values, double radius) {
  const int d = static_cast<int>(x.size());
  SurrogateFit fit;
  std::vector<int> near;
  for (size_t i = 0; i < points.size(); ++i) {
    double r2 = 0.0;
    for (int j = 0; j < d; ++j) r2 += (points[i][j] - x[j]) * (points[i][j] - x[j]);
    if (r2 <= radius * radius) near.push_back(static_cast<int>(i));
  }
  fit.points = static_cast<int>(near.size());
  const int n = fit.points;
  if (n < d + 3) return fit;  // need residual degrees of freedom for an error estimate
  Eigen::MatrixXd a(n, d + 1);
  Eigen::VectorXd y(n);
  // The values scaled by a power of two (exact), so the residual sum of squares neither underflows nor overflows for
  // objectives near 1e-300 or 1e300; the gradient and its error are scaled back at the end.
  std::vector<double> near_values(n);
  for (int r = 0; r < n; ++r) near_values[r] = values[near[r]];
  const int e = ScaleExponent(near_values);
  for (int r = 0; r < n; ++r) {
    a(r, 0) = 1.0;
    for (int j = 0; j < d; ++j) a(r, j + 1) = (points[near[r]][j] - x[j]) / radius;  // scaled to O(1)
    y(r) = std::ldexp(near_values[r], -e);
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
  if (qr.rank() < d + 1) return fit;
  const Eigen::VectorXd beta = qr.solve(y);
  const double rss = (a * beta - y).squaredNorm();
  const double s2 = rss / (n - d - 1);
  Eigen::LDLT<Eigen::MatrixXd> ldlt(a.transpose() * a);
  if (ldlt.info() != Eigen::Success) return fit;
  const Eigen::MatrixXd cov = s2 * ldlt.solve(Eigen::MatrixXd::Identity(d + 1, d + 1));
  fit.gradient.resize(d);
  double var = 0.0, norm2 = 0.0;
  for (int j = 0; j < d; ++j) {
    const double g = beta(j + 1) / radius;  // in the scaled units
    norm2 += g * g;
    fit.gradient[j] = std::ldexp(g, e);
    var += cov(j + 1, j + 1) / (radius * radius);
  }
  fit.gradient_norm = std::ldexp(std::sqrt(norm2), e);
  fit.standard_error = std::ldexp(std::sqrt(std::max(0.0, var)), e);
  fit.ok = std::isfinite(fit.gradient_norm) && std::isfinite(fit.standard_error);
  return fit;
}

}  // namespace bayesd::zo
