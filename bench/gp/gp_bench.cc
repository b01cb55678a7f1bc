// gp_bench: fit / refit / predict timings and held-out accuracy of bayesd's GpRegressor on datasets written by
// run_gp_bench.py (which runs scikit-learn on the same files). Not a unit test; see docs/performance.md.
//
// Usage: gp_bench [--starts=N] [--screen=N] [--screen-from-n=N] [--ftol=X] [--no-ls-prior] [--no-noise-prior] [--min-noise=X]
//        [--max-outputscale=X] [--ls-prior-log] [--ls-prior-shift=X] [--ls-prior-scale=X] [--ls-sample-hvarfner]
//        [--noise-prior=LOC,SCALE] [--wide-prior=S] [--wide-noise-prior=S] [--select-margin=M] [--select-start-predicted] [--select-max-n=N]
//        FILE...
// (the options change GpRegressorOptions away from the defaults, for ablations). Each FILE holds "n_train n_test d" then n_train + 4 training rows (x..., y), then
// n_test rows (x..., f(x), y_noisy). The 4 extra rows are added one at a time for the refit timings.
// Output: one "RESULT key=value ..." line per file, then "MAXRSS_KB <peak resident set>".
#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <string>

#include "gp/gp_regressor.h"
#include "gp/runtime.h"

namespace {

using bayesd::gp::GpRegressor;
using Clock = std::chrono::steady_clock;
constexpr int kExtra = 4;  // rows added one at a time after the fit

struct Dataset {
  Eigen::MatrixXd x;      // (n + kExtra) x d
  Eigen::VectorXd y;      // n + kExtra
  Eigen::MatrixXd xt;     // m x d
  Eigen::VectorXd ft;     // m, noise-free
  Eigen::VectorXd yt;     // m, noisy
};

bool Load(const std::string& path, Dataset* d) {
  std::ifstream in(path);
  int n = 0, m = 0, dim = 0;
  if (!(in >> n >> m >> dim)) return false;
  d->x.resize(n + kExtra, dim);
  d->y.resize(n + kExtra);
  for (int i = 0; i < n + kExtra; ++i) {
    for (int c = 0; c < dim; ++c) in >> d->x(i, c);
    in >> d->y[i];
  }
  d->xt.resize(m, dim);
  d->ft.resize(m);
  d->yt.resize(m);
  for (int i = 0; i < m; ++i) {
    for (int c = 0; c < dim; ++c) in >> d->xt(i, c);
    in >> d->ft[i] >> d->yt[i];
  }
  return static_cast<bool>(in);
}

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

bayesd::gp::GpRegressorOptions g_options;  // defaults unless overridden on the command line

bool ParseOption(const std::string& arg) {
  const auto value = [&arg] { return arg.substr(arg.find('=') + 1); };
  if (arg.rfind("--priors-max-n=", 0) == 0) {  // GpRegressorOptions::priors_max_n (0 = priors at every n)
    g_options.priors_max_n = std::stoi(value());
  } else if (arg.rfind("--starts=", 0) == 0) {
    g_options.fit.num_random_starts = std::stoi(value()) - 1;
  } else if (arg.rfind("--screen=", 0) == 0) {
    g_options.fit.screen_evaluations = std::stoi(value());
  } else if (arg.rfind("--screen-from-n=", 0) == 0) {  // GpRegressorOptions::screen_starts_from_n (0 = never)
    g_options.screen_starts_from_n = std::stoi(value());
  } else if (arg.rfind("--max-outputscale=", 0) == 0) {
    g_options.kernel.stationary.max_outputscale = std::stod(value());
  } else if (arg.rfind("--ftol=", 0) == 0) {
    g_options.fit.ftol_rel = std::stod(value());
  } else if (arg == "--no-ls-prior") {
    g_options.kernel.stationary.lengthscale_prior = false;
  } else if (arg.rfind("--wide-prior=", 0) == 0) {  // wide_lengthscale_prior_scale (0 = not a candidate)
    g_options.wide_lengthscale_prior_scale = std::stod(value());
  } else if (arg.rfind("--wide-noise-prior=", 0) == 0) {  // wide_noise_prior_scale (0 = not a candidate)
    g_options.wide_noise_prior_scale = std::stod(value());
  } else if (arg.rfind("--select-margin=", 0) == 0) {  // prior_selection_screen_margin (< 0: fit every candidate)
    g_options.prior_selection_screen_margin = std::stod(value());
  } else if (arg == "--select-start-predicted") {  // prior_selection_start_at_prediction
    g_options.prior_selection_start_at_prediction = true;
  } else if (arg.rfind("--select-max-n=", 0) == 0) {
    g_options.prior_selection_max_n = std::stoi(value());
  } else if (arg == "--ls-prior-log") {
    g_options.kernel.stationary.lengthscale_prior_log_density = true;
  } else if (arg.rfind("--ls-prior-shift=", 0) == 0) {
    g_options.kernel.stationary.lengthscale_prior_shift = std::stod(value());
  } else if (arg == "--ls-sample-hvarfner") {
    g_options.kernel.stationary.lengthscale_starts_hvarfner = true;
  } else if (arg.rfind("--ls-prior-scale=", 0) == 0) {
    g_options.kernel.stationary.lengthscale_prior_scale = std::stod(value());
  } else if (arg.rfind("--noise-prior=", 0) == 0) {  // LOC,SCALE of the log-normal noise-variance prior
    const std::string v = value();
    g_options.gp.noise_prior = bayesd::gp::Prior::LogNormal(std::stod(v.substr(0, v.find(','))),
                                                            std::stod(v.substr(v.find(',') + 1)));
  } else if (arg == "--no-noise-prior") {
    g_options.gp.noise_prior = bayesd::gp::Prior::None();
  } else if (arg.rfind("--min-noise=", 0) == 0) {
    g_options.gp.min_noise_variance = std::stod(value());
  } else {
    return false;
  }
  return true;
}

void Run(const std::string& path) {
  Dataset d;
  if (!Load(path, &d)) {
    std::printf("ERROR file=%s cannot read\n", path.c_str());
    return;
  }
  const int n = static_cast<int>(d.x.rows()) - kExtra;
  const int dim = static_cast<int>(d.x.cols());
  GpRegressor gp(bayesd::gp::InputSpec::AllContinuous(dim), g_options);
  const std::clock_t c0 = std::clock();
  auto t0 = Clock::now();
  const auto fit = gp.Fit(d.x.topRows(n), d.y.head(n));
  const double fit_s = Seconds(t0);
  const double fit_cpu_s = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;

  // Incremental factor update only (hyperparameters fixed): ExactGp::AddObservations on a copy.
  bayesd::gp::ExactGp model = gp.model();
  t0 = Clock::now();
  (void)model.AddObservations(d.x.row(n), Eigen::VectorXd::Constant(1, gp.ToModel(d.y[n])));
  const double update_s = Seconds(t0);

  // Warm local refit, L-BFGS: incremental update + one warm-started local NLopt run (the policy's fallback), with the
  // policy's tolerance and evaluation cap.
  const bayesd::gp::GpRegressorOptions& every = g_options;
  bayesd::gp::FitOptions warm_options = every.fit;
  warm_options.num_random_starts = 0;
  warm_options.ftol_rel = every.refit.local_ftol_rel;
  warm_options.max_evaluations = every.refit.local_max_evaluations;
  bayesd::gp::ExactGp warm_model = gp.model();
  const Eigen::VectorXd theta = warm_model.Hyperparameters();
  const Eigen::VectorXd z_new = Eigen::VectorXd::Constant(1, gp.ToModel(d.y[n]));
  t0 = Clock::now();
  std::clock_t c1 = std::clock();
  (void)warm_model.AddObservations(d.x.row(n), z_new);
  const auto rf = bayesd::gp::FitHyperparameters(&warm_model, warm_options, &theta);
  const double lbfgs_refit_s = Seconds(t0);
  const double lbfgs_refit_cpu_s = static_cast<double>(std::clock() - c1) / CLOCKS_PER_SEC;

  // Warm local refit, Newton (what the policy does at a local refit): incremental update + NewtonRefit from the
  // fit's stored curvature, L-BFGS fallback when it reports failure.
  bayesd::gp::ExactGp newton_model = gp.model();
  Eigen::MatrixXd hessian = gp.hessian();
  t0 = Clock::now();
  c1 = std::clock();
  (void)newton_model.AddObservations(d.x.row(n), z_new);
  auto nf = bayesd::gp::NewtonRefit(&newton_model, every.fit, every.refit.newton_options, theta, &hessian);
  const bool newton_ok = nf.success;
  if (!newton_ok) {
    const Eigen::VectorXd start = newton_model.Hyperparameters();
    const auto fb = bayesd::gp::FitHyperparameters(&newton_model, warm_options, &start);
    nf.evaluations += fb.evaluations;
    nf.success = fb.success;
  }
  const double refit_s = Seconds(t0);
  const double refit_cpu_s = static_cast<double>(std::clock() - c1) / CLOCKS_PER_SEC;
  // Objective at the Newton refit's point minus that at the L-BFGS refit's point (nats; > 0: Newton stopped worse).
  const double newton_gap = rf.log_posterior - nf.log_posterior;

  // Default RefitPolicy, kExtra points added one at a time: mean time per point.
  GpRegressor policy = gp;
  t0 = Clock::now();
  bool policy_ok = true;
  for (int i = 0; i < kExtra; ++i) policy_ok &= policy.AddObservations(d.x.row(n + i), d.y.segment(n + i, 1)).success;
  const double policy_s = Seconds(t0) / kExtra;

  t0 = Clock::now();
  const auto pred = gp.Predict(d.xt, /*include_noise=*/true);
  const double predict_s = Seconds(t0);
  double se = 0, nlpd = 0;
  for (int i = 0; i < d.xt.rows(); ++i) {
    const Eigen::MatrixXd xi = d.xt.row(i);
    se += std::pow(pred.mean[i] - d.ft[i], 2);
    const double v = pred.sd[i] * pred.sd[i];
    nlpd += 0.5 * std::log(2 * M_PI * v) + 0.5 * std::pow(d.yt[i] - pred.mean[i], 2) / v;
  }
  const int m = static_cast<int>(d.xt.rows());
  std::printf(
      "RESULT file=%s ok=%d fit_s=%.6f fit_cpu_s=%.6f refit_s=%.6f refit_cpu_s=%.6f refit_evals=%d newton_ok=%d "
      "newton_gap=%.3g lbfgs_refit_s=%.6f lbfgs_refit_cpu_s=%.6f lbfgs_refit_evals=%d update_s=%.6f policy_s=%.6f "
      "predict_s=%.6f rmse=%.6g nlpd=%.6g evals=%d starts=%d attempts=%d jitter=%.3g lml=%.6g\n",
      path.c_str(), fit.success && rf.success && nf.success && policy_ok && pred.status.ok(), fit_s, fit_cpu_s,
      refit_s, refit_cpu_s, nf.evaluations, newton_ok, newton_gap, lbfgs_refit_s, lbfgs_refit_cpu_s, rf.evaluations,
      update_s, policy_s,
      predict_s, std::sqrt(se / m), nlpd / m, fit.evaluations, fit.starts, fit.attempts, fit.jitter,
      fit.log_likelihood);
  // Fitted hyperparameters (log space, ExactGp order) and the standardization scale, for cross-checks.
  const Eigen::VectorXd th = gp.model().Hyperparameters();
  std::printf("THETA file=%s sd=%.17g theta=", path.c_str(), gp.transform().scale());
  for (Eigen::Index i = 0; i < th.size(); ++i) std::printf("%s%.17g", i ? "," : "", th[i]);
  std::printf("\n");
  if (!fit.message.empty()) std::printf("MESSAGE file=%s %s\n", path.c_str(), fit.message.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  // As the daemon (src/main.cc, gp/runtime.h); BAYESD_MALLOC_DEFAULTS=1 keeps glibc's defaults.
  bayesd::gp::LimitBlasThreads();
  bayesd::gp::KeepMatricesInHeap();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) == 0) {
      if (!ParseOption(arg)) {
        std::fprintf(stderr, "unknown option %s\n", arg.c_str());
        return 2;
      }
      continue;
    }
    Run(arg);
  }
  // VmHWM (peak resident set of this process image); ru_maxrss would include the parent's RSS across exec.
  std::ifstream status("/proc/self/status");
  std::string line;
  long kb = -1;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) kb = std::stol(line.substr(6));
  }
  std::printf("MAXRSS_KB %ld\n", kb);
  return 0;
}
