#include "gp/fit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include <nlopt.h>

namespace bayesd::gp {
namespace {

using Clock = std::chrono::steady_clock;

// State shared with the NLopt callback: the model, the best point seen (kept even when NLopt later fails).
struct RunState {
  ExactGp* gp = nullptr;
  bool use_priors = true;
  int evaluations = 0;
  double best_value = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_theta;
};

double NloptObjective(unsigned n, const double* x, double* grad, void* data) {
  auto* s = static_cast<RunState*>(data);
  ++s->evaluations;
  const Eigen::Map<const Eigen::VectorXd> theta(x, n);
  Eigen::VectorXd g;
  const double v = NegativeLogPosterior(s->gp, theta, s->use_priors, grad ? &g : nullptr);
  if (!std::isfinite(v)) {
    if (grad) std::fill(grad, grad + n, 0.0);
    return 1e100;  // L-BFGS backtracks from a failed factorization
  }
  if (grad) Eigen::Map<Eigen::VectorXd>(grad, n) = g;
  if (v < s->best_value) {
    s->best_value = v;
    s->best_theta = theta;
  }
  return v;
}

std::string ResultName(nlopt_result r) {
  const char* s = nlopt_result_to_string(r);
  return s ? s : "UNKNOWN";
}

// One bounded L-BFGS run from x0; returns NLopt's result code.
nlopt_result LocalRun(RunState* state, const Eigen::VectorXd& x0, const Eigen::VectorXd& lo,
                      const Eigen::VectorXd& hi, const FitOptions& options) {
  const unsigned n = static_cast<unsigned>(x0.size());
  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, n);
  if (!opt) return NLOPT_OUT_OF_MEMORY;
  nlopt_set_lower_bounds(opt, lo.data());
  nlopt_set_upper_bounds(opt, hi.data());
  nlopt_set_min_objective(opt, NloptObjective, state);
  nlopt_set_ftol_rel(opt, options.ftol_rel);
  nlopt_set_xtol_rel(opt, options.xtol_rel);
  nlopt_set_maxeval(opt, options.max_evaluations);
  nlopt_set_vector_storage(opt, static_cast<unsigned>(options.lbfgs_memory));
  if (options.max_seconds > 0) nlopt_set_maxtime(opt, options.max_seconds);
  std::vector<double> x(x0.data(), x0.data() + n);
  for (unsigned i = 0; i < n; ++i) x[i] = std::clamp(x[i], lo[i], hi[i]);
  double f = 0;
  const nlopt_result r = nlopt_optimize(opt, x.data(), &f);
  nlopt_destroy(opt);
  return r;
}

std::vector<Eigen::VectorXd> Starts(const ExactGp& gp, const FitOptions& options, const Eigen::VectorXd* warm) {
  std::vector<Eigen::VectorXd> starts;
  if (warm && warm->size() == gp.NumHyperparameters() && warm->allFinite()) {
    starts.push_back(*warm);
  } else {
    starts.push_back(gp.DefaultHyperparameters());
  }
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(1e-6, 1.0 - 1e-6);
  const int p = gp.NumHyperparameters();
  for (int s = 0; s < options.num_random_starts; ++s) {
    Eigen::VectorXd z(p), u(p);
    for (int i = 0; i < p; ++i) {
      z[i] = normal(rng);
      u[i] = uniform(rng);
    }
    starts.push_back(gp.SampleHyperparameters(z, u));
  }
  return starts;
}

// Runs all starts within bounds [lo, hi]; returns the best point seen and the termination of its run.
bool MultiStart(ExactGp* gp, const FitOptions& options, const std::vector<Eigen::VectorXd>& starts,
                const Eigen::VectorXd& lo, const Eigen::VectorXd& hi, FitDiagnostics* diag,
                Eigen::VectorXd* best) {
  double best_value = std::numeric_limits<double>::infinity();
  for (const Eigen::VectorXd& x0 : starts) {
    RunState state;
    state.gp = gp;
    state.use_priors = options.use_priors;
    const nlopt_result r = LocalRun(&state, x0, lo, hi, options);
    ++diag->starts;
    diag->evaluations += state.evaluations;
    if (r < 0) diag->message += "start " + std::to_string(diag->starts) + ": NLopt " + ResultName(r) + "; ";
    if (state.best_value < best_value) {
      best_value = state.best_value;
      *best = state.best_theta;
      diag->termination = ResultName(r);
    }
  }
  return std::isfinite(best_value);
}

void Finish(ExactGp* gp, const FitOptions& options, FitDiagnostics* diag) {
  diag->success = gp->factorized();
  if (diag->success) {
    diag->jitter = gp->jitter();
    diag->log_likelihood = gp->LogMarginalLikelihood();
    diag->log_posterior = diag->log_likelihood + (options.use_priors ? gp->LogPrior(nullptr) : 0.0);
  }
}

}  // namespace

GpStatus FitOptions::Validate() const {
  if (num_random_starts < 0) return GpInvalid("FitOptions.num_random_starts = " + std::to_string(num_random_starts) + " must be >= 0");
  if (max_evaluations < 1) return GpInvalid("FitOptions.max_evaluations = " + std::to_string(max_evaluations) + " must be >= 1");
  if (!(ftol_rel >= 0) || !(xtol_rel >= 0)) return GpInvalid("FitOptions.ftol_rel and xtol_rel must be >= 0");
  if (!(max_seconds >= 0)) return GpInvalid("FitOptions.max_seconds = " + std::to_string(max_seconds) + " must be >= 0");
  if (lbfgs_memory < 1) return GpInvalid("FitOptions.lbfgs_memory = " + std::to_string(lbfgs_memory) + " must be >= 1");
  if (max_attempts < 1 || max_attempts > 3) {
    return GpInvalid("FitOptions.max_attempts = " + std::to_string(max_attempts) + " must be in [1, 3]");
  }
  return GpOk();
}

double NegativeLogPosterior(ExactGp* gp, const Eigen::VectorXd& theta, bool use_priors, Eigen::VectorXd* grad) {
  gp->SetHyperparameters(theta);
  if (!gp->Factorize().ok()) return std::numeric_limits<double>::infinity();
  double value = gp->LogMarginalLikelihood();
  Eigen::VectorXd g;
  if (grad && !gp->LogMarginalLikelihoodGradient(&g).ok()) return std::numeric_limits<double>::infinity();
  if (use_priors) value += gp->LogPrior(grad ? &g : nullptr);
  if (!std::isfinite(value)) return std::numeric_limits<double>::infinity();
  if (grad) *grad = -g;
  return -value;
}

FitDiagnostics FitHyperparameters(ExactGp* gp, const FitOptions& options, const Eigen::VectorXd* warm_start) {
  const auto t0 = Clock::now();
  FitDiagnostics diag;
  diag.termination = "none";
  if (const GpStatus s = options.Validate(); !s.ok()) {
    diag.message = s.message();
    return diag;
  }
  if (gp->num_observations() == 0) {
    diag.message = "no observations";
    return diag;
  }
  diag.warm_started = warm_start && warm_start->size() == gp->NumHyperparameters() && warm_start->allFinite();
  const Eigen::VectorXd lo = gp->LowerBounds(), hi = gp->UpperBounds();
  Eigen::VectorXd best;
  bool found = false;
  for (int rung = 1; rung <= options.max_attempts && !found; ++rung) {
    diag.attempts = rung;
    if (rung == 1) {
      found = MultiStart(gp, options, Starts(*gp, options, warm_start), lo, hi, &diag, &best);
    } else if (rung == 2) {
      Eigen::VectorXd lo2 = lo;
      if (gp->options().learn_noise) lo2[lo2.size() - 1] = std::max(lo2[lo2.size() - 1], std::log(1e-3));
      FitOptions o = options;
      o.num_random_starts = 0;
      found = MultiStart(gp, o, {gp->DefaultHyperparameters()}, lo2, hi, &diag, &best);
    } else {
      best = gp->DefaultHyperparameters();
      if (gp->options().learn_noise) best[best.size() - 1] = std::log(1e-2);
      diag.termination = "fallback";
      found = true;
    }
  }
  if (found) {
    gp->SetHyperparameters(best);
    const GpStatus s = gp->Factorize();
    if (!s.ok()) diag.message += s.message();
  } else {
    diag.message += "no finite objective value at any start";
  }
  Finish(gp, options, &diag);
  diag.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return diag;
}

}  // namespace bayesd::gp
