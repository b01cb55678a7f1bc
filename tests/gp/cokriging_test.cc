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

Eigen::MatrixXd Grid(int m) {
  Eigen::MatrixXd x(m, 1);
  for (int i = 0; i < m; ++i) x(i, 0) = (i + 0.5) / m;
  return x;
}

TEST(Ar1CoKrigingTest, FantasyAtThePredictedMeanKeepsMeansAndShrinksVariance) {
  const TwoLevelData d = MakeData(30, 10, 3);
  Ar1CoKriging ck(InputSpec::AllContinuous(1));
  const auto diags = ck.Fit(d.x, d.y);
  ASSERT_TRUE(diags[0].success && diags[1].success);
  Eigen::MatrixXd pending(3, 1);
  pending << 0.13, 0.52, 0.91;
  const Eigen::MatrixXd xt = Grid(40);
  for (int level : {0, 1}) {
    const LevelPosterior at = ck.Predict(pending, level);
    ASSERT_TRUE(at.status.ok());
    Ar1CoKriging f(InputSpec::AllContinuous(1));
    ASSERT_TRUE(ck.Fantasize(pending, at.mean, level, &f).ok());
    EXPECT_EQ(f.level_model(level).num_observations(), ck.level_model(level).num_observations() + 3);
    EXPECT_NEAR(f.rho(1), ck.rho(1), 1e-9 * std::abs(ck.rho(1)));
    for (int l : {0, 1}) {
      const LevelPosterior before = ck.Predict(xt, l), after = f.Predict(xt, l);
      ASSERT_TRUE(after.status.ok());
      EXPECT_LT((after.mean - before.mean).cwiseAbs().maxCoeff(), 1e-8 * (1 + before.mean.cwiseAbs().maxCoeff()))
          << "level " << level << " -> " << l;
      EXPECT_TRUE((after.variance.array() <= before.variance.array() + 1e-12).all());
    }
    const LevelPosterior shrunk = f.Predict(pending, level);
    EXPECT_TRUE((shrunk.variance.array() < at.variance.array()).all());
    // The original is untouched.
    EXPECT_EQ(ck.level_model(level).num_observations(), d.y[level].size());
  }
}

// The incremental fantasy equals the level refactorized from scratch on the augmented data (same hyperparameters),
// and levels above equal theirs with the recomputed basis.
TEST(Ar1CoKrigingTest, FantasyEqualsRefactorizationWithTheSameHyperparameters) {
  const TwoLevelData d = MakeData(30, 10, 4);
  Ar1CoKriging ck(InputSpec::AllContinuous(1));
  const auto diags = ck.Fit(d.x, d.y);
  ASSERT_TRUE(diags[0].success && diags[1].success);
  Eigen::MatrixXd pending(2, 1);
  pending << 0.27, 0.74;
  Eigen::VectorXd values(2);
  values << High(0.27) + 0.4, Low(0.74) - 0.3;  // not the predicted means: the fit has to move
  for (int level : {0, 1}) {
    Ar1CoKriging f(InputSpec::AllContinuous(1));
    ASSERT_TRUE(ck.Fantasize(pending, values, level, &f).ok());
    for (int u = level; u < 2; ++u) {
      const ExactGp& inc = f.level_model(u);
      ExactGp ref = ck.level_model(u);  // same kernel, hyperparameters and noise
      Eigen::MatrixXd h = Eigen::MatrixXd::Ones(inc.num_observations(), u == 0 ? 1 : 2);
      if (u > 0) {
        // Basis: the fantasized level below at this level's inputs, in the pooled standardized units of the fit.
        const LevelPosterior below = f.Predict(inc.x(), u - 1);
        Eigen::VectorXd pooled(d.y[0].size() + d.y[1].size());
        pooled << d.y[0], d.y[1];
        const double mu = pooled.mean();
        const double s = std::sqrt((pooled.array() - mu).square().sum() / (pooled.size() - 1));
        h.col(0) = (below.mean.array() - mu) / s;
      }
      ASSERT_TRUE(ref.SetData(inc.x(), inc.y()).ok());
      ASSERT_TRUE(ref.SetMeanBasis(h).ok());
      ASSERT_TRUE(ref.Factorize().ok());
      // Round-off only (near noise-free data; the incremental factor keeps the original jitter rung): 1e-6 relative,
      // where a wrong basis or a stale GLS solve is off by > 1e-2.
      EXPECT_LT((inc.mean_coefficients() - ref.mean_coefficients()).cwiseAbs().maxCoeff(),
                1e-6 * (1 + ref.mean_coefficients().cwiseAbs().maxCoeff()))
          << "fantasy at level " << level << ", level " << u;
      EXPECT_LT((inc.alpha() - ref.alpha()).cwiseAbs().maxCoeff(), 1e-6 * (1 + ref.alpha().cwiseAbs().maxCoeff()));
      EXPECT_NEAR(inc.LogMarginalLikelihood(), ref.LogMarginalLikelihood(), 1e-8 * std::abs(ref.LogMarginalLikelihood()));
    }
    // A fantasy that moves level 0 changes the target-level prediction (the recursion carries it up).
    if (level == 0) {
      const LevelPosterior a = ck.Predict(pending.bottomRows(1), 1), b = f.Predict(pending.bottomRows(1), 1);
      EXPECT_GT(std::abs(a.mean[0] - b.mean[0]), 1e-3);
    }
  }
  Ar1CoKriging f(InputSpec::AllContinuous(1));
  EXPECT_FALSE(ck.Fantasize(pending, values, 2, &f).ok());
  EXPECT_FALSE(ck.Fantasize(pending, values.head(1), 0, &f).ok());
  EXPECT_FALSE(Ar1CoKriging(InputSpec::AllContinuous(1)).Fantasize(pending, values, 0, &f).ok());
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
