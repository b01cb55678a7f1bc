// Consensus-based optimization dynamics (Pinnau, Totzeck, Tse and Martin 2017, "A consensus-based model for global
// optimization and its mean-field limit"; Carrillo, Choi, Totzeck and Tse 2018; anisotropic noise: Carrillo, Jin, Li
// and Zhu 2021, "A consensus-based global optimization method for high dimensional machine learning problems";
// reference implementation CBXpy, Bailo, Barbaro, Gomes, Riedl, Roith, Totzeck and Vaes 2024).
//
// For particles x_i (points in [0,1]^d, rows of a N x d set) with values f_i (minimized):
//   consensus  c = sum_i w_i x_i / sum_i w_i,  w_i = exp(-alpha f_i)   (log-sum-exp: w_i = exp(-alpha f_i - L),
//              L = max_j(-alpha f_j) + log sum_j exp(-alpha f_j - max), so no weight over- or underflows to NaN)
//   step       x_i <- clip(x_i - lambda dt (x_i - c) + sigma sqrt(dt) n_i)
//              n_i = |x_i - c| xi_i (isotropic) or (x_i - c) * xi_i (anisotropic), xi_i ~ N(0, I)
//
// Thread safety: stateless functions.
#ifndef BAYESD_SRC_STRATEGIES_CBO_DYNAMICS_H_
#define BAYESD_SRC_STRATEGIES_CBO_DYNAMICS_H_

#include <optional>
#include <vector>

#include "src/strategies/cbo_options.h"
#include "src/strategies/zo_common.h"

namespace bayesd::cbo {

// Normalized Gibbs weights exp(-alpha f_i) / sum_j exp(-alpha f_j); entries without a value get weight 0. All zero
// when no entry has a value. Finite for any finite f and alpha (f = 1e6, alpha = 1e5 included).
std::vector<double> GibbsWeights(const std::vector<std::optional<double>>& f, double alpha);

// (sum w)^2 / sum w^2 / n_valued: the effective sample size fraction in (0, 1] of the weights at alpha.
double EffectiveSampleFraction(const std::vector<std::optional<double>>& f, double alpha);

// The alpha in [alpha_min, alpha_max] whose effective sample fraction is eta (bisection in log alpha; the fraction
// decreases with alpha). Returns alpha_max when even that keeps the fraction above eta (all values equal).
double EssAlpha(const std::vector<std::optional<double>>& f, double eta, double alpha_min, double alpha_max);

// Weighted mean of the rows of x (N x d) with normalized weights w.
std::vector<double> WeightedMean(const std::vector<std::vector<double>>& x, const std::vector<double>& w);

struct StepParams {
  double lambda = 1.0;
  double sigma = 1.0;
  double dt = 0.1;
  Noise noise = Noise::kAnisotropic;
};

// One Euler-Maruyama step of every particle toward c, clipped into the cube.
void Step(const std::vector<double>& c, const StepParams& p, zo::Rng* rng, std::vector<std::vector<double>>* x);

}  // namespace bayesd::cbo

#endif  // BAYESD_SRC_STRATEGIES_CBO_DYNAMICS_H_
