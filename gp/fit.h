// Hyperparameter fitting: maximum a posteriori (log marginal likelihood + log prior) by multi-start L-BFGS
// (NLopt, analytic gradients), with a retry ladder. Never throws, never aborts: every outcome is a FitDiagnostics.
//
// Starts: the warm start when given (previous hyperparameters), else the prior modes; then num_random_starts draws
// from the priors (as BoTorch samples restarts from the priors). Optional screening: all starts run a short budget,
// only the best continues to convergence. Ladder when no start produces a finite objective:
//   rung 2: noise variance floor raised to 1e-3 (standardized units), starts from the prior modes;
//   rung 3: no optimization, prior modes with noise 1e-2, factorized with the jitter ladder.
//
// Thread safety: FitHyperparameters mutates only *gp; different models can be fitted concurrently.
#ifndef BAYESD_GP_FIT_H_
#define BAYESD_GP_FIT_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gp/exact_gp.h"
#include "gp/status.h"

namespace bayesd::gp {

struct FitOptions {
  int num_random_starts = 2;   // local runs from prior draws, in addition to the default or warm start
  int max_evaluations = 200;   // objective evaluations per local run
  double ftol_rel = 1e-8;      // NLopt relative objective tolerance
  double xtol_rel = 1e-6;      // NLopt relative step tolerance (log-space parameters)
  double max_seconds = 0;      // wall-clock limit per local run, 0 = none
  int lbfgs_memory = 10;       // L-BFGS history length
  bool use_priors = true;      // false: maximum likelihood (no priors)
  uint64_t seed = 0;           // random starts are drawn from this seed
  int max_attempts = 3;        // rungs of the retry ladder to try (1..3)
  // With several starts: run every start for at most this many evaluations, then continue only the best one from
  // the best point seen (max_evaluations in total for that start). 0 = run every start to convergence. Off by
  // default: 12 halved the evaluations at the same optimum on 7 benchmark datasets, but 12 and 16 dropped the start
  // that wins on a mixed categorical test (log posterior 94.9 vs 114.7); see docs/gp.md.
  int screen_evaluations = 0;

  GpStatus Validate() const;
};

struct FitDiagnostics {
  bool success = false;       // the model is factorized with finite hyperparameters
  int attempts = 0;           // retry-ladder rungs used (1 = first try worked)
  int starts = 0;             // local optimizer runs
  int evaluations = 0;        // objective evaluations (each O(n^3))
  double jitter = 0;          // absolute diagonal jitter of the final factorization
  std::string termination;    // NLopt termination of the best run, or "fallback", "none"
  double log_likelihood = -std::numeric_limits<double>::infinity();  // final log marginal likelihood
  double log_posterior = -std::numeric_limits<double>::infinity();   // log likelihood + log prior
  double seconds = 0;         // wall time of the fit
  bool warm_started = false;  // the first start was a warm start
  std::string message;        // human-readable summary of failures, empty on a clean fit
};

// Maximizes LML (+ log prior) of *gp, which must hold data. Leaves *gp at the best hyperparameters found and
// factorized (unless success is false). warm_start: previous hyperparameters (size NumHyperparameters) or null.
// num_random_starts = 0 with a warm start gives the cheap single local refit.
FitDiagnostics FitHyperparameters(ExactGp* gp, const FitOptions& options,
                                  const Eigen::VectorXd* warm_start = nullptr);

// Curvature of NegativeLogPosterior at theta (p x p): forward differences of the analytic gradient with step h in
// log space (backward at an upper bound), symmetrized; p + 1 evaluations. *evaluations (if non-null) is increased by
// the evaluations used; *gradient (if non-null) receives the gradient at theta (the first evaluation). Leaves *gp
// factorized at theta on success.
GpStatus ObjectiveHessian(ExactGp* gp, const Eigen::VectorXd& theta, bool use_priors, Eigen::MatrixXd* hessian,
                          int* evaluations = nullptr, double h = 1e-4, Eigen::VectorXd* gradient = nullptr);

struct NewtonRefitOptions {
  int max_evaluations = 3;      // objective evaluations, the first at the warm start
  double decrement_tol = 1e-3;  // converged when the predicted decrease 0.5 g' H^-1 g (nats, free coordinates) is below
  double max_step = 0.25;       // largest change of one log-space hyperparameter per step (a trust radius)

  GpStatus Validate() const;
};

// Warm refit after new observations, from theta0 with the curvature H of the previous optimum (ObjectiveHessian):
// projected Newton steps s = -H_ff^-1 g_f on the free coordinates (those not held at a bound by the gradient), H's
// eigenvalues floored, steps capped at max_step and clipped to the bounds, accepted on an Armijo decrease (step 1,
// then 1/4); *hessian is updated by BFGS with every accepted step. Terminations: "newton-converged" (decrement below
// decrement_tol; at theta0 after one evaluation when the optimum did not move measurably), "newton-flat" (no decrease
// along a direction whose first-order gain over the trust step is < 5 decrement_tol), "newton-maxeval" (decreased,
// out of evaluations). success = false ("newton-failed") when no acceptable step was found: *gp is left factorized at
// the best point seen and the caller falls back to FitHyperparameters. Cost: 1..max_evaluations O(n^3) evaluations.
FitDiagnostics NewtonRefit(ExactGp* gp, const FitOptions& options, const NewtonRefitOptions& newton,
                           const Eigen::VectorXd& theta0, Eigen::MatrixXd* hessian);

// The free set of a bound-constrained Newton step: coordinates of theta not held at a bound (within tol, with the
// gradient g pushing outward), and g and h restricted to them (*gf, *hf; left untouched when the set is empty).
std::vector<Eigen::Index> FreeCoordinates(const Eigen::VectorXd& theta, const Eigen::VectorXd& g,
                                          const Eigen::MatrixXd& h, const Eigen::VectorXd& lo,
                                          const Eigen::VectorXd& hi, double tol, Eigen::VectorXd* gf,
                                          Eigen::MatrixXd* hf);

// The negated MAP objective at theta and its gradient (size NumHyperparameters). Factorizes *gp at theta.
// Returns +infinity when the factorization fails.
double NegativeLogPosterior(ExactGp* gp, const Eigen::VectorXd& theta, bool use_priors, Eigen::VectorXd* grad);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_FIT_H_
