// gp_bench: fit / refit / predict timings and held-out accuracy of bayesd's GpRegressor on datasets written by
// run_gp_bench.py (which runs scikit-learn on the same files). Not a unit test; see docs/performance.md.
//
// Usage: gp_bench FILE...   Each FILE holds "n_train n_test d" then n_train + 1 training rows (x..., y), then
// n_test rows (x..., f(x), y_noisy). The extra training row is the "one more point" for the refit timing.
// Output: one "RESULT key=value ..." line per file, then "MAXRSS_KB <peak resident set>".
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "gp/gp_regressor.h"

namespace {

using bayesd::gp::GpRegressor;
using Clock = std::chrono::steady_clock;

struct Dataset {
  Eigen::MatrixXd x;      // (n + 1) x d
  Eigen::VectorXd y;      // n + 1
  Eigen::MatrixXd xt;     // m x d
  Eigen::VectorXd ft;     // m, noise-free
  Eigen::VectorXd yt;     // m, noisy
};

bool Load(const std::string& path, Dataset* d) {
  std::ifstream in(path);
  int n = 0, m = 0, dim = 0;
  if (!(in >> n >> m >> dim)) return false;
  d->x.resize(n + 1, dim);
  d->y.resize(n + 1);
  for (int i = 0; i <= n; ++i) {
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

void Run(const std::string& path) {
  Dataset d;
  if (!Load(path, &d)) {
    std::printf("ERROR file=%s cannot read\n", path.c_str());
    return;
  }
  const int n = static_cast<int>(d.x.rows()) - 1;
  GpRegressor gp(bayesd::gp::InputSpec::AllContinuous(static_cast<int>(d.x.cols())));
  auto t0 = Clock::now();
  const auto fit = gp.Fit(d.x.topRows(n), d.y.head(n));
  const double fit_s = Seconds(t0);

  // Incremental factor update only (hyperparameters fixed): ExactGp::AddObservations on a copy.
  bayesd::gp::ExactGp model = gp.model();
  t0 = Clock::now();
  const auto upd = model.AddObservations(d.x.bottomRows(1), Eigen::VectorXd::Constant(1, gp.ToModel(d.y[n])));
  const double update_s = Seconds(t0);
  (void)upd;

  // Default refit policy: incremental update + one warm-started local L-BFGS run.
  GpRegressor refit = gp;
  t0 = Clock::now();
  const auto rf = refit.AddObservations(d.x.bottomRows(1), d.y.tail(1));
  const double refit_s = Seconds(t0);

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
      "RESULT file=%s ok=%d fit_s=%.6f refit_s=%.6f refit_evals=%d update_s=%.6f predict_s=%.6f rmse=%.6g "
      "nlpd=%.6g evals=%d starts=%d attempts=%d jitter=%.3g lml=%.6g\n",
      path.c_str(), fit.success && rf.success && pred.status.ok(), fit_s, refit_s, rf.evaluations, update_s,
      predict_s, std::sqrt(se / m), nlpd / m, fit.evaluations, fit.starts, fit.attempts, fit.jitter,
      fit.log_likelihood);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) Run(argv[i]);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("MAXRSS_KB %ld\n", ru.ru_maxrss);
  return 0;
}
