// Multi-fidelity models: AR(1) co-kriging recovers rho and the low-fidelity function on data from a known
// two-level model; gradients match finite differences; continuous fidelity via the downsampling kernel.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "gp/cokriging.h"
#include "gp/gp_regressor.h"

namespace bayesd::gp {
namespace {

double Low(double x) { return std::sin(8.0 * x) + 0.5 * x; }
double Delta(double x) { return 0.3 * (x - 0.5) + 0.2 * std::cos(3.0 * x); }
constexpr double kRho = 1.8;
double High(double x) { return kRho * Low(x) + Delta(x); }

struct TwoLevelData {
  std::vector<Eigen::MatrixXd> x;
  std::vector<Eigen::VectorXd> y;
};

TwoLevelData MakeData(int n0, int n1, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  TwoLevelData d;
  for (int n : {n0, n1}) {
    Eigen::MatrixXd x(n, 1);
    Eigen::VectorXd y(n);
    for (int i = 0; i < n; ++i) {
      x(i, 0) = u(rng);  // independent draws: designs are not nested
      y[i] = d.x.empty() ? Low(x(i, 0)) : High(x(i, 0));
    }
    d.x.push_back(x);
    d.y.push_back(y);
  }
  return d;
}

TEST(Ar1CoKrigingTest, RecoversRhoAndLowFidelityFit) {
  const TwoLevelData d = MakeData(40, 12, 1);
  Ar1CoKriging ck(InputSpec::AllContinuous(1));
  const std::vector<FitDiagnostics> diags = ck.Fit(d.x, d.y);
  ASSERT_EQ(diags.size(), 2u);
  ASSERT_TRUE(diags[0].success && diags[1].success) << diags[0].message << diags[1].message;
  EXPECT_NEAR(ck.rho(1), kRho, 0.15);
  Eigen::MatrixXd xt(50, 1);
  for (int i = 0; i < 50; ++i) xt(i, 0) = (i + 0.5) / 50;
  const LevelPosterior low = ck.Predict(xt, 0);
  const LevelPosterior high = ck.Predict(xt, 1);
  ASSERT_TRUE(low.status.ok() && high.status.ok());
  double err_low = 0, err_high = 0;
  for (int i = 0; i < 50; ++i) {
    err_low = std::max(err_low, std::abs(low.mean[i] - Low(xt(i, 0))));
    err_high = std::max(err_high, std::abs(high.mean[i] - High(xt(i, 0))));
  }
  EXPECT_LT(err_low, 0.1);  // max error over [0, 1] incl. the edges, |f_0| up to 1.5
  EXPECT_LT(err_high, 0.25);
  // Co-kriging beats a single-fidelity GP trained on the 12 high-fidelity points alone.
  GpRegressor single(InputSpec::AllContinuous(1));
  ASSERT_TRUE(single.Fit(d.x[1], d.y[1]).success);
  const Prediction p = single.Predict(xt);
  double err_single = 0;
  for (int i = 0; i < 50; ++i) err_single = std::max(err_single, std::abs(p.mean[i] - High(xt(i, 0))));
  EXPECT_LT(err_high, err_single);
  EXPECT_TRUE((high.variance.array() >= 0).all());
}

TEST(Ar1CoKrigingTest, InstallingSavedHyperparametersReproducesTheFit) {
  const TwoLevelData d = MakeData(20, 8, 3);
  Ar1CoKriging fitted(InputSpec::AllContinuous(1));
  ASSERT_TRUE(fitted.Fit(d.x, d.y).back().success);
  std::vector<Eigen::VectorXd> theta = {fitted.hyperparameters(0), fitted.hyperparameters(1)};
  Ar1CoKriging rebuilt(InputSpec::AllContinuous(1));
  const std::vector<FitDiagnostics> diags = rebuilt.Fit(d.x, d.y, theta, /*install=*/true);
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags[0].termination, "restored");
  EXPECT_EQ(diags[1].termination, "restored");
  EXPECT_EQ(diags[1].evaluations, 0);
  Eigen::MatrixXd xt(7, 1);
  for (int i = 0; i < 7; ++i) xt(i, 0) = (i + 0.3) / 7;
  for (int level : {0, 1}) {
    const LevelPosterior a = fitted.Predict(xt, level), b = rebuilt.Predict(xt, level);
    ASSERT_TRUE(a.status.ok() && b.status.ok());
    EXPECT_LT((a.mean - b.mean).cwiseAbs().maxCoeff(), 1e-10);
    EXPECT_LT((a.variance - b.variance).cwiseAbs().maxCoeff(), 1e-10);
  }
  EXPECT_NEAR(rebuilt.rho(1), fitted.rho(1), 1e-12);
  // A warm start (no install) refits from the saved values and lands on the same optimum.
  Ar1CoKriging warm(InputSpec::AllContinuous(1));
  const std::vector<FitDiagnostics> w = warm.Fit(d.x, d.y, theta, /*install=*/false);
  ASSERT_TRUE(w.back().success);
  EXPECT_TRUE(w[1].warm_started);
  EXPECT_NEAR(warm.rho(1), fitted.rho(1), 1e-3);
}

TEST(Ar1CoKrigingTest, GradientsMatchFiniteDifferences) {
  const TwoLevelData d = MakeData(25, 8, 2);
  Ar1CoKriging ck(InputSpec::AllContinuous(1));
  ASSERT_TRUE(ck.Fit(d.x, d.y)[1].success);
  Eigen::MatrixXd xq(3, 1);
  xq << 0.21, 0.5, 0.77;
  const LevelPosterior p = ck.Predict(xq, 1, true);
  const double h = 1e-6;
  const LevelPosterior pp = ck.Predict((xq.array() + h).matrix(), 1);
  const LevelPosterior pm = ck.Predict((xq.array() - h).matrix(), 1);
  for (int a = 0; a < 3; ++a) {
    const double dm = (pp.mean[a] - pm.mean[a]) / (2 * h), dv = (pp.variance[a] - pm.variance[a]) / (2 * h);
    EXPECT_NEAR(p.mean_gradient(a, 0), dm, 1e-5 * (1 + std::abs(dm)));
    EXPECT_NEAR(p.variance_gradient(a, 0), dv, 1e-5 * (1 + std::abs(dv)));
  }
}

TEST(Ar1CoKrigingTest, BadInputIsReported) {
  Ar1CoKriging ck(InputSpec::AllContinuous(1));
  EXPECT_FALSE(ck.Predict(Eigen::MatrixXd::Zero(1, 1)).status.ok());
  const auto d = ck.Fit({Eigen::MatrixXd::Zero(2, 1)}, {Eigen::VectorXd::Zero(3)});
  EXPECT_FALSE(d.back().success);
  EXPECT_FALSE(d.back().message.empty());
}

TEST(ContinuousFidelityTest, DownsamplingKernelPredictsTheTargetFidelity) {
  // f(x, s) = Low(x) + (1 - s)^2 * bias(x): cheap fidelities are biased, s = 1 is the truth.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  InputSpec spec;
  spec.columns = {{ColumnType::kContinuous, 0}, {ColumnType::kFidelity, 0}};
  const int n = 60;
  Eigen::MatrixXd x(n, 2);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = u(rng);
    x(i, 1) = i < 10 ? 1.0 : 0.5 * u(rng);  // 10 target-fidelity points, 50 cheap ones
    y[i] = Low(x(i, 0)) + std::pow(1 - x(i, 1), 2) * 0.8 * std::cos(5 * x(i, 0));
  }
  for (auto fid : {KernelOptions::Fidelity::kDownsampling, KernelOptions::Fidelity::kArd}) {
    GpRegressorOptions o;
    o.kernel.fidelity = fid;
    GpRegressor gp(spec, o);
    ASSERT_TRUE(gp.Fit(x, y).success);
    Eigen::MatrixXd xq(30, 2);
    for (int i = 0; i < 30; ++i) xq(i, 0) = (i + 0.5) / 30;
    const Prediction target = gp.Predict(AtFidelity(xq, spec, 1.0));
    const Prediction cheap = gp.Predict(AtFidelity(xq, spec, 0.25));
    ASSERT_TRUE(target.status.ok() && cheap.status.ok());
    double err = 0, err_cheap = 0;
    for (int i = 0; i < 30; ++i) {
      err = std::max(err, std::abs(target.mean[i] - Low(xq(i, 0))));
      err_cheap = std::max(err_cheap, std::abs(cheap.mean[i] - (Low(xq(i, 0)) + 0.45 * std::cos(5 * xq(i, 0)))));
    }
    EXPECT_LT(err, 0.3) << "fidelity kernel " << static_cast<int>(fid);
    EXPECT_LT(err_cheap, 0.2) << "fidelity kernel " << static_cast<int>(fid);
  }
}

}  // namespace
}  // namespace bayesd::gp
