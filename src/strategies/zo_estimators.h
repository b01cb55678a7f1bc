// Zeroth-order gradient estimators on the unit cube: where to query around an iterate x, and how to turn the
// values (or a ranking) of those queries into a gradient estimate. No JSON, no trials: plain vectors.
//
// Randomized vector-wise estimates (Nesterov and Spokoiny 2017, "Random gradient-free minimization of convex
// functions"; Duchi et al. 2015): with q directions v_i and smoothing radius mu,
//   forward  g = (s / q) sum_i (f(x + mu v_i) - f(x)) / mu * v_i                       (q + 1 queries)
//   central  g = (s / q) sum_i (f(x + mu v_i) - f(x - mu v_i)) / (2 mu) * v_i         (2q queries)
//   mean     g = (s / (q - 1)) sum_i (f(x + mu v_i) - mean_k f(x + mu v_k)) / mu * v_i       (q queries)
// where v_i ~ N(0, I) and s = 1 (an unbiased estimate of the gradient of the Gaussian smoothing f_mu), or v_i
// uniform on the unit sphere and s = d (unbiased for the ball smoothing). Coordinate-wise estimates (DeepZero, Chen
// et al. 2024, "CGE") replace the random directions by the unit vectors e_j: g_j = (f(x + mu e_j) - f(x)) / mu.
// Probes are clipped into the cube; the estimate then uses the displacement actually taken (v = (u - x) / mu), and
// a forward coordinate probe that would leave the cube steps backwards instead.
//
// Ranking feedback (ZO-RankSGD, Tang et al. 2023, "Zeroth-order optimization meets human feedback: provable
// learning via ranking oracles"): the m probes x + mu v_i are only ranked; every ordered pair (i better than j)
// contributes v_j - v_i, averaged over the pairs. Its expectation points along the gradient of f_mu (for a
// minimization) up to a positive factor, so it drives the same descent step.
//
// Trajectory-informed surrogate (a simple version of FZooS, Shu et al. 2023, "Zeroth-order optimization with
// trajectory-informed derivative estimation"): a weighted least-squares linear model fitted to past queries near x
// gives a gradient and its standard error; the caller spends fresh queries only when that error is too large.
//
// Thread safety: stateless functions.
#ifndef BAYESD_SRC_STRATEGIES_ZO_ESTIMATORS_H_
#define BAYESD_SRC_STRATEGIES_ZO_ESTIMATORS_H_

#include <vector>

#include "src/strategies/zo_common.h"

namespace bayesd::zo {

enum class Directions { kGaussian, kSphere, kCoordinate };
enum class Differences { kForward, kCentral, kMean };

// Query points of one estimate around x (in [0,1]^d). Layout (the estimators rely on it):
//   with_base:    [x, p_1, ..., p_n]              (forward differences)
//   mean:         [x + mu v_1, ..., x + mu v_n]
//   central:      [x + mu v_1, x - mu v_1, x + mu v_2, x - mu v_2, ...]
//   rank/no base: [x + mu v_1, ..., x + mu v_n]
// `count` is q for random directions; for kCoordinate the coordinates queried are `coordinates` (in that order).
struct ProbeSpec {
  Directions directions = Directions::kGaussian;
  Differences differences = Differences::kForward;
  bool with_base = true;  // false for ranking feedback (no base point)
  double mu = 0.01;
};

// Probe points (without the base point) for `count` random directions, or for the listed coordinates.
std::vector<std::vector<double>> MakeProbes(const std::vector<double>& x, const ProbeSpec& spec, int count,
                                            const std::vector<int>& coordinates, Rng* rng);

// One evaluated query: a point and its minimized value (nullopt when dropped).
struct Query {
  std::vector<double> u;
  std::optional<double> f;
};

struct Estimate {
  std::vector<double> gradient;  // d
  int terms = 0;                 // differences (or ranked pairs) that entered; 0 = no estimate
};

// Estimate from values. For forward differences queries[0] is the base point x.
Estimate EstimateFromValues(const std::vector<double>& x, const ProbeSpec& spec,
                            const std::vector<Query>& queries);

// ZO-RankSGD estimate from ordered pairs of probe points (better, worse) around x.
Estimate EstimateFromPairs(const std::vector<double>& x, double mu,
                           const std::vector<std::pair<std::vector<double>, std::vector<double>>>& pairs);

// Local linear surrogate around x from past queries (points in [0,1]^d, minimized values).
struct SurrogateFit {
  bool ok = false;               // enough points and a well-posed fit
  std::vector<double> gradient;  // d
  double gradient_norm = 0.0;
  double standard_error = 0.0;   // sqrt(trace Cov(gradient))
  int points = 0;                // points inside the radius that were used
};
SurrogateFit FitLocalLinear(const std::vector<double>& x, const std::vector<std::vector<double>>& points,
                            const std::vector<double>& values, double radius);

}  // namespace bayesd::zo

#endif  // BAYESD_SRC_STRATEGIES_ZO_ESTIMATORS_H_
