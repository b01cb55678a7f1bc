#include "gp/fit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
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
  const bool screen = options.screen_evaluations > 0 && starts.size() > 1 &&
                      options.screen_evaluations < options.max_evaluations;
  FitOptions first = options;
  if (screen) first.max_evaluations = options.screen_evaluations;
  int best_evaluations = 0;
  bool best_stopped = false;  // the best start's run ended by a tolerance (not by the screening budget)
  for (const Eigen::VectorXd& x0 : starts) {
    RunState state;
    state.gp = gp;
    state.use_priors = options.use_priors;
    const nlopt_result r = LocalRun(&state, x0, lo, hi, first);
    ++diag->starts;
    diag->evaluations += state.evaluations;
    if (r < 0) diag->message += "start " + std::to_string(diag->starts) + ": NLopt " + ResultName(r) + "; ";
    if (state.best_value < best_value) {
      best_value = state.best_value;
      *best = state.best_theta;
      diag->termination = ResultName(r);
      best_evaluations = state.evaluations;
      best_stopped = r != NLOPT_MAXEVAL_REACHED;
    }
  }
  if (screen && std::isfinite(best_value) && !best_stopped) {
    RunState state;
    state.gp = gp;
    state.use_priors = options.use_priors;
    state.best_value = best_value;
    state.best_theta = *best;
    FitOptions rest = options;
    rest.max_evaluations = std::max(1, options.max_evaluations - best_evaluations);
    const nlopt_result r = LocalRun(&state, *best, lo, hi, rest);
    diag->evaluations += state.evaluations;
    if (r < 0) diag->message += "continued start: NLopt " + ResultName(r) + "; ";
    if (state.best_value <= best_value) {
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
  if (screen_evaluations < 0) {
    return GpInvalid("FitOptions.screen_evaluations = " + std::to_string(screen_evaluations) + " must be >= 0");
  }
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

namespace bayesd::gp {

GpStatus NewtonRefitOptions::Validate() const {
  if (max_evaluations < 1) {
    return GpInvalid("NewtonRefitOptions.max_evaluations = " + std::to_string(max_evaluations) + " must be >= 1");
  }
  if (!(decrement_tol > 0) || !(max_step > 0)) {
    return GpInvalid("NewtonRefitOptions.decrement_tol and max_step must be > 0");
  }
  return GpOk();
}

GpStatus ObjectiveHessian(ExactGp* gp, const Eigen::VectorXd& theta, bool use_priors, Eigen::MatrixXd* hessian,
                          int* evaluations, double h, Eigen::VectorXd* gradient) {
  const Eigen::Index p = theta.size();
  if (p != gp->NumHyperparameters() || !theta.allFinite() || !(h > 0)) {
    return GpInvalid("ObjectiveHessian: theta must be finite with NumHyperparameters entries, h > 0");
  }
  const Eigen::VectorXd hi = gp->UpperBounds();
  Eigen::MatrixXd hess(p, p);
  Eigen::VectorXd g0, gi;
  const auto count = [evaluations] {
    if (evaluations) ++*evaluations;
  };
  count();
  if (!std::isfinite(NegativeLogPosterior(gp, theta, use_priors, &g0))) {
    return GpNumerical("ObjectiveHessian: objective not finite at theta");
  }
  for (Eigen::Index i = 0; i < p; ++i) {
    Eigen::VectorXd t = theta;
    const double step = theta[i] + h <= hi[i] ? h : -h;
    t[i] += step;
    count();
    if (!std::isfinite(NegativeLogPosterior(gp, t, use_priors, &gi))) {
      gp->SetHyperparameters(theta);
      (void)gp->Factorize();
      return GpNumerical("ObjectiveHessian: objective not finite next to theta");
    }
    hess.col(i) = (gi - g0) / step;
  }
  *hessian = 0.5 * (hess + hess.transpose());
  if (gradient) *gradient = g0;
  gp->SetHyperparameters(theta);
  return gp->Factorize();
}

std::vector<Eigen::Index> FreeCoordinates(const Eigen::VectorXd& theta, const Eigen::VectorXd& g,
                                          const Eigen::MatrixXd& h, const Eigen::VectorXd& lo,
                                          const Eigen::VectorXd& hi, double tol, Eigen::VectorXd* gf,
                                          Eigen::MatrixXd* hf) {
  std::vector<Eigen::Index> free;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    const bool held_low = theta[i] <= lo[i] + tol && g[i] >= 0;
    const bool held_high = theta[i] >= hi[i] - tol && g[i] <= 0;
    if (!held_low && !held_high) free.push_back(i);
  }
  if (free.empty()) return free;
  const Eigen::Index k = static_cast<Eigen::Index>(free.size());
  gf->resize(k);
  hf->resize(k, k);
  for (Eigen::Index a = 0; a < k; ++a) {
    (*gf)[a] = g[free[a]];
    for (Eigen::Index b = 0; b < k; ++b) (*hf)(a, b) = h(free[a], free[b]);
  }
  return free;
}

namespace {

// Newton step on the free coordinates: s = -H_ff^-1 g_f with H_ff's eigenvalues floored, capped at max_step, then
// clipped to the bounds. *decrement = -g' s_unclipped / 2 (the predicted decrease of the quadratic model).
Eigen::VectorXd NewtonStep(const Eigen::VectorXd& theta, const Eigen::VectorXd& g, const Eigen::MatrixXd& hess,
                           const Eigen::VectorXd& lo, const Eigen::VectorXd& hi, double max_step,
                           double* decrement) {
  const Eigen::Index p = theta.size();
  Eigen::MatrixXd hf;
  Eigen::VectorXd gf;
  const std::vector<Eigen::Index> free = FreeCoordinates(theta, g, hess, lo, hi, 1e-10, &gf, &hf);
  Eigen::VectorXd s = Eigen::VectorXd::Zero(p);
  *decrement = 0;
  if (free.empty()) return s;
  const Eigen::Index f = static_cast<Eigen::Index>(free.size());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(hf);
  if (eig.info() != Eigen::Success) return s;
  const double top = std::max(eig.eigenvalues().cwiseAbs().maxCoeff(), 1e-12);
  const Eigen::VectorXd lam = eig.eigenvalues().cwiseMax(1e-6 * top);
  const Eigen::VectorXd sf = -eig.eigenvectors() * ((eig.eigenvectors().transpose() * gf).array() / lam.array()).matrix();
  *decrement = -0.5 * gf.dot(sf);
  const double largest = sf.cwiseAbs().maxCoeff();
  const double scale = largest > max_step ? max_step / largest : 1.0;
  for (Eigen::Index a = 0; a < f; ++a) {
    const Eigen::Index i = free[a];
    s[i] = std::clamp(theta[i] + scale * sf[a], lo[i], hi[i]) - theta[i];
  }
  return s;
}

void BfgsUpdate(const Eigen::VectorXd& s, const Eigen::VectorXd& y, Eigen::MatrixXd* hess) {
  const double sy = s.dot(y);
  const Eigen::VectorXd hs = (*hess) * s;
  const double shs = s.dot(hs);
  if (!(sy > 1e-10 * s.norm() * y.norm()) || !(shs > 0)) return;  // keep H positive definite
  *hess += y * y.transpose() / sy - hs * hs.transpose() / shs;
}

}  // namespace

FitDiagnostics NewtonRefit(ExactGp* gp, const FitOptions& options, const NewtonRefitOptions& newton,
                           const Eigen::VectorXd& theta0, Eigen::MatrixXd* hessian) {
  const auto t0 = Clock::now();
  FitDiagnostics diag;
  diag.termination = "newton-failed";
  diag.warm_started = true;
  diag.attempts = 1;
  diag.starts = 1;
  const Eigen::Index p = gp->NumHyperparameters();
  if (const GpStatus s = newton.Validate(); !s.ok()) {
    diag.message = s.message();
    return diag;
  }
  if (gp->num_observations() == 0 || theta0.size() != p || !theta0.allFinite() || hessian->rows() != p ||
      hessian->cols() != p || !hessian->allFinite()) {
    diag.message = "NewtonRefit: needs data, a finite theta0 and a finite p x p Hessian";
    return diag;
  }
  const Eigen::VectorXd lo = gp->LowerBounds(), hi = gp->UpperBounds();
  Eigen::VectorXd theta = theta0.cwiseMax(lo).cwiseMin(hi), g, g_new;
  diag.evaluations = 1;
  double f = NegativeLogPosterior(gp, theta, options.use_priors, &g);
  bool at_theta = true;  // *gp is factorized at theta
  bool converged = false, flat = false;
  if (std::isfinite(f)) {
    while (true) {
      double decrement = 0;
      const Eigen::VectorXd s = NewtonStep(theta, g, *hessian, lo, hi, newton.max_step, &decrement);
      if (decrement < newton.decrement_tol || s.cwiseAbs().maxCoeff() == 0) {
        converged = true;
        break;
      }
      if (diag.evaluations >= newton.max_evaluations) break;
      bool accepted = false;
      for (double step = 1.0; step >= 0.2 && diag.evaluations < newton.max_evaluations; step *= 0.25) {
        const Eigen::VectorXd t = theta + step * s;
        ++diag.evaluations;
        const double f_new = NegativeLogPosterior(gp, t, options.use_priors, &g_new);
        at_theta = false;
        if (std::isfinite(f_new) && f_new < f && f_new <= f + 1e-4 * step * g.dot(s)) {
          BfgsUpdate(t - theta, g_new - g, hessian);
          theta = t;
          f = f_new;
          g = g_new;
          at_theta = accepted = true;
          break;
        }
      }
      if (accepted) continue;
      // No decrease along a descent direction whose first-order gain over the whole trust step is below
      // 5 x decrement_tol: the objective is flat there (typically a ridge of output scale vs lengthscales, where the
      // quadratic model's decrement is unreliable) -- keep the point.
      flat = -g.dot(s) < 5 * newton.decrement_tol;
      break;
    }
  }
  if (!at_theta) {
    gp->SetHyperparameters(theta);
    (void)gp->Factorize();
  }
  // Accepted steps decreased the objective; running out of evaluations after a decrease still leaves a better model.
  const bool moved = (theta - theta0.cwiseMax(lo).cwiseMin(hi)).cwiseAbs().maxCoeff() > 0;
  if (std::isfinite(f) && gp->factorized() && (converged || flat || moved)) {
    diag.termination = converged ? "newton-converged" : (flat ? "newton-flat" : "newton-maxeval");
    Finish(gp, options, &diag);
  } else {
    diag.message = std::isfinite(f) ? "NewtonRefit: no acceptable step" : "NewtonRefit: objective not finite at theta0";
  }
  diag.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return diag;
}

}  // namespace bayesd::gp
