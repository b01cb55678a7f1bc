// ExactGp: LML gradients (with priors), posterior input gradients, incremental updates, fantasies, mean basis,
// jitter ladder — for every kernel of the zoo.
#include <cmath>
#include <random>

#include <Eigen/Cholesky>
#include <gtest/gtest.h>

#include "gp/exact_gp.h"
#include "gp/fit.h"
#include "tests/gp/test_util.h"

namespace bayesd::gp {
namespace {

using testing::FiniteDifference;
using testing::KernelNames;
using testing::MakeTestKernel;
using testing::MaxRelError;
using testing::RandomizeParams;
using testing::RandomMixedPoints;

Eigen::VectorXd TestFunction(const Eigen::MatrixXd& x) {
  Eigen::VectorXd y(x.rows());
  for (int i = 0; i < x.rows(); ++i) {
    y[i] = std::sin(5 * x(i, 0)) + x(i, 1) * x(i, 1) + 0.3 * x(i, 2) - 0.5 * x(i, 3);
  }
  return y;
}

// Full covariance with mean, variance and covariance input gradients for every row.
PosteriorOptions EverythingOptions() {
  PosteriorOptions po;
  po.full_covariance = true;
  po.gradients = true;
  po.covariance_gradients = true;
  return po;
}

class ExactGpTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto k = MakeTestKernel(GetParam());
    RandomizeParams(k.get(), &rng_);
    gp_ = std::make_unique<ExactGp>(std::move(k));
    x_ = RandomMixedPoints(25, &rng_, 0.05, 0.9);
    Eigen::VectorXd known = Eigen::VectorXd::Zero(25);
    known.head(10).setConstant(0.01);
    ASSERT_TRUE(gp_->SetData(x_, TestFunction(x_), known).ok());
    Eigen::VectorXd theta = gp_->Hyperparameters();
    theta[theta.size() - 1] = std::log(0.02);
    gp_->SetHyperparameters(theta);
    ASSERT_TRUE(gp_->Factorize().ok());
  }
  // The fitted model conditioned on its posterior mean at 3 pending points (Fantasize).
  ExactGp WithPending() {
    ExactGp pending = *gp_;
    const Eigen::MatrixXd xp = RandomMixedPoints(3, &rng_, 0.1, 0.85);
    EXPECT_TRUE(gp_->Fantasize(xp, gp_->Predict(xp).mean, &pending).ok());
    return pending;
  }
  std::mt19937_64 rng_{7};
  std::unique_ptr<ExactGp> gp_;
  Eigen::MatrixXd x_;
};

TEST_P(ExactGpTest, LogPosteriorGradientMatchesFiniteDifferences) {
  const Eigen::VectorXd theta = gp_->Hyperparameters();
  for (bool priors : {false, true}) {
    Eigen::VectorXd grad;
    const double v = NegativeLogPosterior(gp_.get(), theta, priors, &grad);
    ASSERT_TRUE(std::isfinite(v));
    auto f = [&](const Eigen::VectorXd& t) { return NegativeLogPosterior(gp_.get(), t, priors, nullptr); };
    const Eigen::VectorXd numeric = FiniteDifference(f, theta, 1e-5);
    EXPECT_LT(MaxRelError(grad, numeric, 1e-2), 1e-5) << "priors " << priors << "\nanalytic " << grad.transpose()
                                                     << "\nnumeric  " << numeric.transpose();
  }
}

TEST_P(ExactGpTest, PosteriorInputGradientsMatchFiniteDifferences) {
  const Eigen::MatrixXd xq = RandomMixedPoints(4, &rng_, 0.1, 0.85);
  const PosteriorOptions po = EverythingOptions();
  const Posterior post = gp_->Predict(xq, po);
  ASSERT_TRUE(post.status.ok());
  ASSERT_EQ(post.covariance_gradient.size(), 4u);
  const double h = 1e-6;
  for (int a = 0; a < xq.rows(); ++a) {
    for (int c : {0, 1, 3}) {
      Eigen::MatrixXd xp = xq, xm = xq;
      xp(a, c) += h;
      xm(a, c) -= h;
      const Posterior pp = gp_->Predict(xp, {true, false, false});
      const Posterior pm = gp_->Predict(xm, {true, false, false});
      const double dmean = (pp.mean[a] - pm.mean[a]) / (2 * h);
      const double dvar = (pp.variance[a] - pm.variance[a]) / (2 * h);
      EXPECT_NEAR(post.mean_gradient(a, c), dmean, 1e-5 * (1 + std::abs(dmean))) << "a=" << a << " c=" << c;
      EXPECT_NEAR(post.variance_gradient(a, c), dvar, 1e-5 * (1 + std::abs(dvar))) << "a=" << a << " c=" << c;
      for (int b = 0; b < xq.rows(); ++b) {
        const double dcov = (pp.covariance(a, b) - pm.covariance(a, b)) / (2 * h);
        EXPECT_NEAR(post.covariance_gradient[a](c, b), dcov, 1e-5 * (1 + std::abs(dcov))) << a << "," << b;
      }
    }
    EXPECT_EQ(post.mean_gradient(a, 2), 0.0);
  }
  // Variance equals the covariance diagonal.
  EXPECT_LT((post.variance - post.covariance.diagonal()).cwiseAbs().maxCoeff(), 1e-10);
}

// Many query points take the blocked marginal path of Predict (blocks of 8192 / n rows): it must equal the unblocked
// path (full covariance requested) and an independent dense solve with K's LDLT, for every kernel.
TEST_P(ExactGpTest, BlockedMarginalPredictionEqualsDenseSolve) {
  const Eigen::MatrixXd xq = RandomMixedPoints(1000, &rng_, 0.0, 1.0);  // n = 25: 3 full blocks of 327 rows + 19
  const Posterior blocked = gp_->Predict(xq);
  ASSERT_TRUE(blocked.status.ok());
  PosteriorOptions full;
  full.full_covariance = true;
  const Posterior whole = gp_->Predict(xq.topRows(400), full);
  ASSERT_TRUE(whole.status.ok());
  Eigen::MatrixXd k = gp_->kernel().Compute(x_, x_);
  Eigen::VectorXd known = Eigen::VectorXd::Zero(25);
  known.head(10).setConstant(0.01);
  k.diagonal().array() += gp_->noise_variance() + gp_->jitter() + known.array();
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(k);
  const Eigen::MatrixXd ks = gp_->kernel().Compute(xq, x_);
  const Eigen::VectorXd mean = ks * ldlt.solve(gp_->y());
  const Eigen::VectorXd var =
      gp_->kernel().Diagonal(xq) - (ks.array() * ldlt.solve(ks.transpose()).transpose().array()).rowwise().sum().matrix();
  const double scale = 1 + gp_->y().cwiseAbs().maxCoeff();
  for (Eigen::Index i = 0; i < xq.rows(); ++i) {
    EXPECT_NEAR(blocked.mean[i], mean[i], 1e-8 * scale) << i;
    EXPECT_NEAR(blocked.variance[i], std::max(0.0, var[i]), 1e-8 * (1 + std::abs(var[i]))) << i;
    if (i < 400) {
      EXPECT_NEAR(blocked.mean[i], whole.mean[i], 1e-12 * scale) << i;
      EXPECT_NEAR(blocked.variance[i], whole.variance[i], 1e-12 * (1 + whole.variance[i])) << i;
    }
  }
}

TEST_P(ExactGpTest, IncrementalUpdateEqualsRefactorization) {
  ExactGp inc = *gp_;
  const Eigen::MatrixXd xn = RandomMixedPoints(3, &rng_);
  const Eigen::VectorXd yn = TestFunction(xn);
  ASSERT_TRUE(inc.AddObservations(xn.topRows(1), yn.head(1)).ok());
  ASSERT_TRUE(inc.AddObservations(xn.bottomRows(2), yn.tail(2), Eigen::VectorXd::Constant(2, 0.05)).ok());
  ExactGp full = *gp_;
  Eigen::MatrixXd xa(28, 4);
  xa << x_, xn;
  Eigen::VectorXd ya(28), ka = Eigen::VectorXd::Zero(28);
  ya << TestFunction(x_), yn;
  ka.head(10).setConstant(0.01);
  ka.tail(2).setConstant(0.05);
  ASSERT_TRUE(full.SetData(xa, ya, ka).ok());
  ASSERT_TRUE(full.Factorize().ok());
  EXPECT_NEAR(inc.LogMarginalLikelihood(), full.LogMarginalLikelihood(), 1e-8 * std::abs(full.LogMarginalLikelihood()));
  const Eigen::MatrixXd xq = RandomMixedPoints(5, &rng_);
  const Posterior a = inc.Predict(xq), b = full.Predict(xq);
  EXPECT_LT((a.mean - b.mean).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_LT((a.variance - b.variance).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_EQ(gp_->num_observations(), 25);
}

TEST_P(ExactGpTest, FantasyAtPosteriorMeanKeepsMeanAndShrinksVariance) {
  const Eigen::MatrixXd xp = RandomMixedPoints(2, &rng_, 0.1, 0.85);
  const Posterior before = gp_->Predict(xp);
  ExactGp fantasy = *gp_;
  ASSERT_TRUE(gp_->Fantasize(xp, before.mean, &fantasy).ok());
  const Posterior after = fantasy.Predict(xp);
  EXPECT_LT((after.mean - before.mean).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_TRUE((after.variance.array() < before.variance.array() + 1e-12).all());
  EXPECT_EQ(gp_->num_observations(), 25);
  EXPECT_EQ(fantasy.num_observations(), 27);
}

// PosteriorOptions::gradient_rows = k: values and the first k rows of the gradients are exactly those of the full
// computation, the other rows / covariance-gradient entries are zero with unchanged shapes; on the fitted model and
// on one conditioned on pending points (Fantasize), and with gradients only (no covariance).
TEST_P(ExactGpTest, GradientRowsRestrictsGradientsAndKeepsEverythingElseIdentical) {
  const ExactGp pending = WithPending();
  const ExactGp* const models[] = {gp_.get(), &pending};
  for (const ExactGp* model : models) {
    for (int trial = 0; trial < 3; ++trial) {
      const Eigen::MatrixXd xq = RandomMixedPoints(1 + 4 * trial + (model == gp_.get() ? 0 : 1), &rng_, 0.0, 1.0);
      const Eigen::Index m = xq.rows(), d = xq.cols();
      for (bool cov : {true, false}) {
        PosteriorOptions full;
        full.full_covariance = cov;
        full.gradients = true;
        full.covariance_gradients = cov;
        const Posterior ref = model->Predict(xq, full);
        ASSERT_TRUE(ref.status.ok());
        for (int k : {0, 1, 2, static_cast<int>(m), static_cast<int>(m) + 3}) {
          PosteriorOptions part = full;
          part.gradient_rows = k;
          const Posterior p = model->Predict(xq, part);
          ASSERT_TRUE(p.status.ok());
          const Eigen::Index rows = std::min<Eigen::Index>(k, m);
          SCOPED_TRACE("m=" + std::to_string(m) + " k=" + std::to_string(k) + " cov=" + std::to_string(cov) +
                       (model == gp_.get() ? " fitted" : " pending"));
          EXPECT_EQ(p.mean, ref.mean);
          EXPECT_EQ(p.variance, ref.variance);
          ASSERT_EQ(p.covariance.rows(), ref.covariance.rows());
          ASSERT_EQ(p.covariance.cols(), ref.covariance.cols());
          EXPECT_EQ(p.covariance, ref.covariance);
          ASSERT_EQ(p.mean_gradient.rows(), m);
          ASSERT_EQ(p.mean_gradient.cols(), d);
          ASSERT_EQ(p.variance_gradient.rows(), m);
          ASSERT_EQ(p.variance_gradient.cols(), d);
          EXPECT_EQ(p.mean_gradient.topRows(rows), ref.mean_gradient.topRows(rows));
          EXPECT_EQ(p.variance_gradient.topRows(rows), ref.variance_gradient.topRows(rows));
          EXPECT_TRUE(p.mean_gradient.bottomRows(m - rows).isZero(0.0));
          EXPECT_TRUE(p.variance_gradient.bottomRows(m - rows).isZero(0.0));
          ASSERT_EQ(p.covariance_gradient.size(), cov ? static_cast<size_t>(m) : 0u);
          for (Eigen::Index a = 0; a < static_cast<Eigen::Index>(p.covariance_gradient.size()); ++a) {
            ASSERT_EQ(p.covariance_gradient[a].rows(), d);
            ASSERT_EQ(p.covariance_gradient[a].cols(), m);
            if (a < rows) {
              EXPECT_EQ(p.covariance_gradient[a], ref.covariance_gradient[a]) << "a=" << a;
            } else {
              EXPECT_TRUE(p.covariance_gradient[a].isZero(0.0)) << "a=" << a;
            }
          }
        }
        // The full computation really has non-zero gradients in the rows that are zeroed (so the zero checks can
        // fail), except for a kernel without continuous inputs (categorical), whose input gradients are all zero.
        if (m > 1 && GetParam() != "categorical") {
          EXPECT_GT(ref.mean_gradient.bottomRows(m - 1).cwiseAbs().maxCoeff(), 0.0);
        }
      }
    }
  }
}

TEST_P(ExactGpTest, PredictCrossEqualsTheJointPosteriorWithTheFixedSet) {
  const ExactGp pending = WithPending();
  const ExactGp* const models[] = {gp_.get(), &pending};
  for (const ExactGp* model : models) {
    // B: observed points (where the cross-covariances are most cancelled) and fresh ones.
    Eigen::MatrixXd b(6, x_.cols());
    b << x_.topRows(3), RandomMixedPoints(3, &rng_, 0.0, 1.0);
    CrossBasis basis;
    ASSERT_TRUE(model->PrepareCross(b, &basis).ok());
    for (Eigen::Index m : {1, 4}) {
      const Eigen::MatrixXd xq = RandomMixedPoints(m, &rng_, 0.0, 1.0);
      Eigen::MatrixXd joint(m + b.rows(), xq.cols());
      joint << xq, b;
      const Posterior ref = model->Predict(joint, EverythingOptions());
      ASSERT_TRUE(ref.status.ok());
      for (bool gradients : {false, true}) {
        const CrossMoments p = model->PredictCross(xq, basis, gradients);
        ASSERT_TRUE(p.status.ok()) << p.status.message();
        const double scale = ref.variance.maxCoeff();
        EXPECT_LT((p.mean - ref.mean.head(m)).cwiseAbs().maxCoeff(), 1e-10 * (1 + ref.mean.cwiseAbs().maxCoeff()));
        EXPECT_LT((p.variance - ref.variance.head(m)).cwiseAbs().maxCoeff(), 1e-10 * scale);
        ASSERT_EQ(p.cross.rows(), m);
        ASSERT_EQ(p.cross.cols(), b.rows());
        EXPECT_LT((p.cross - ref.covariance.topRightCorner(m, b.rows())).cwiseAbs().maxCoeff(), 1e-10 * scale);
        if (!gradients) {
          EXPECT_EQ(p.mean_gradient.size(), 0);
          EXPECT_TRUE(p.cross_gradient.empty());
          continue;
        }
        ASSERT_EQ(p.cross_gradient.size(), static_cast<size_t>(m));
        const double gscale = 1e-9 * (1 + ref.covariance_gradient[0].cwiseAbs().maxCoeff());
        for (Eigen::Index a = 0; a < m; ++a) {
          EXPECT_LT((p.mean_gradient.row(a) - ref.mean_gradient.row(a)).cwiseAbs().maxCoeff(), gscale);
          EXPECT_LT((p.variance_gradient.row(a) - ref.variance_gradient.row(a)).cwiseAbs().maxCoeff(), gscale);
          EXPECT_LT((p.cross_gradient[a] - ref.covariance_gradient[a].rightCols(b.rows())).cwiseAbs().maxCoeff(),
                    gscale)
              << "a=" << a;
        }
      }
    }
  }
  // A basis from another model (other n) or other columns is refused, not read out of bounds.
  CrossBasis basis;
  ASSERT_TRUE(pending.PrepareCross(x_.topRows(2), &basis).ok());
  EXPECT_EQ(gp_->PredictCross(x_.topRows(1), basis, false).status.code(), GpCode::kInvalidArgument);
  ASSERT_TRUE(gp_->PrepareCross(x_.topRows(2), &basis).ok());
  EXPECT_EQ(gp_->PredictCross(Eigen::MatrixXd::Zero(1, x_.cols() + 1), basis, true).status.code(),
            GpCode::kInvalidArgument);
  EXPECT_EQ(gp_->PrepareCross(Eigen::MatrixXd(0, x_.cols()), &basis).code(), GpCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(AllKernels, ExactGpTest, ::testing::ValuesIn(KernelNames()),
                         [](const auto& info) { return info.param; });

std::unique_ptr<ExactGp> SimpleGp(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, ExactGpOptions o = {}) {
  auto gp = std::make_unique<ExactGp>(
      std::make_unique<StationaryKernel>(std::vector<int>{0, 1}, StationaryKernelOptions{}), o);
  EXPECT_TRUE(gp->SetData(x, y).ok());
  return gp;
}

TEST(ExactGpBasisTest, GlsProfilesConstantAndGradientStaysExact) {
  std::mt19937_64 rng(3);
  const Eigen::MatrixXd x = RandomMixedPoints(30, &rng).leftCols(2);
  Eigen::VectorXd y = (5 * x.col(0)).array().sin().matrix();
  y.array() += 100.0;  // a large offset the basis must absorb
  auto gp = SimpleGp(x, y);
  ASSERT_TRUE(gp->SetMeanBasis(Eigen::MatrixXd::Ones(30, 1)).ok());
  const Eigen::VectorXd theta = gp->Hyperparameters();
  Eigen::VectorXd grad;
  ASSERT_TRUE(std::isfinite(NegativeLogPosterior(gp.get(), theta, true, &grad)));
  EXPECT_NEAR(gp->mean_coefficients()[0], 100.0, 2.0);
  auto f = [&](const Eigen::VectorXd& t) { return NegativeLogPosterior(gp.get(), t, true, nullptr); };
  EXPECT_LT(MaxRelError(grad, FiniteDifference(f, theta, 1e-5), 1e-2), 1e-5);
  const Eigen::MatrixXd hq = Eigen::MatrixXd::Ones(1, 1);
  ASSERT_TRUE(gp->Factorize().ok());
  EXPECT_NEAR(gp->Predict(x.topRows(1), {}, &hq).mean[0], y[0], 0.1);
  EXPECT_FALSE(gp->Predict(x.topRows(1)).status.ok()) << "missing hq must be an error, not a crash";
}

TEST(ExactGpBasisTest, PredictCrossIsRefusedWithAMeanBasis) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(8, 2);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  auto gp = SimpleGp(x, x.col(0) + x.col(1));
  ASSERT_TRUE(gp->SetMeanBasis(Eigen::MatrixXd::Ones(8, 1)).ok());
  ASSERT_TRUE(gp->Factorize().ok());
  CrossBasis basis;
  EXPECT_EQ(gp->PrepareCross(x.topRows(2), &basis).code(), GpCode::kFailedPrecondition);
}

TEST(ExactGpJitterTest, DuplicatesWithoutNoiseClimbTheLadder) {
  Eigen::MatrixXd x(6, 2);
  x << 0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 0.5, 0.5, 0.5, 0.5, 0.9, 0.1;
  Eigen::VectorXd y(6);
  y << 1, 1.1, 0.9, 0, 0.2, 3;
  ExactGpOptions o;
  o.learn_noise = false;
  o.fixed_noise_variance = 0.0;
  auto gp = SimpleGp(x, y, o);
  ASSERT_TRUE(gp->Factorize().ok());
  EXPECT_GT(gp->jitter(), 0.0);
  EXPECT_TRUE(std::isfinite(gp->LogMarginalLikelihood()));
  EXPECT_TRUE(gp->Predict(x).mean.allFinite());
}

TEST(ExactGpJitterTest, LadderExhaustionIsAStatusNotACrash) {
  Eigen::MatrixXd x(3, 2);
  x << 0.1, 0.2, 0.1, 0.2, 0.3, 0.3;
  ExactGpOptions o;
  o.learn_noise = false;
  o.fixed_noise_variance = 0.0;
  o.jitter_ladder = {0.0};
  auto gp = SimpleGp(x, Eigen::Vector3d(1, 2, 3), o);
  const GpStatus s = gp->Factorize();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), GpCode::kNumerical);
  EXPECT_FALSE(gp->Predict(x).status.ok());
  Eigen::VectorXd g;
  EXPECT_FALSE(gp->LogMarginalLikelihoodGradient(&g).ok());
}

TEST(ExactGpOptionsTest, ValidateNamesTheField) {
  ExactGpOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.jitter_ladder = {1e-6, 1e-8};
  EXPECT_NE(o.Validate().message().find("jitter_ladder"), std::string::npos);
  o = ExactGpOptions();
  o.min_noise_variance = -1;
  EXPECT_NE(o.Validate().message().find("min_noise_variance"), std::string::npos);
}

TEST(FitTest, MapFitImprovesObjectiveAndWarmStartIsCheap) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> nd(0, 0.05);
  Eigen::MatrixXd x = RandomMixedPoints(40, &rng).leftCols(2);
  Eigen::VectorXd y(40);
  for (int i = 0; i < 40; ++i) y[i] = std::sin(6 * x(i, 0)) + 0.2 * x(i, 1) + nd(rng);
  auto gp = SimpleGp(x, y);
  const double before = -NegativeLogPosterior(gp.get(), gp->DefaultHyperparameters(), true, nullptr);
  FitOptions fo;
  const FitDiagnostics d = FitHyperparameters(gp.get(), fo);
  ASSERT_TRUE(d.success) << d.message;
  EXPECT_GT(d.log_posterior, before);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.starts, 3);
  EXPECT_GT(d.evaluations, 3);
  EXPECT_TRUE(std::isfinite(d.log_likelihood));
  // Lengthscale of the irrelevant-ish dimension is longer; noise is learned near 0.05^2.
  const Eigen::VectorXd theta = gp->Hyperparameters();
  EXPECT_LT(theta[0], theta[1]);
  EXPECT_LT(gp->noise_variance(), 0.05);
  // Warm start from the optimum: one local run, few evaluations.
  FitOptions warm = fo;
  warm.num_random_starts = 0;
  const FitDiagnostics w = FitHyperparameters(gp.get(), warm, &theta);
  EXPECT_TRUE(w.warm_started);
  EXPECT_EQ(w.starts, 1);
  EXPECT_LT(w.evaluations, d.evaluations / 2);
  EXPECT_NEAR(w.log_posterior, d.log_posterior, 1e-6 * std::abs(d.log_posterior) + 1e-6);
}

TEST(FitTest, InvalidOptionsAndEmptyModelAreReportedNotThrown) {
  auto gp = std::make_unique<ExactGp>(
      std::make_unique<StationaryKernel>(std::vector<int>{0}, StationaryKernelOptions{}));
  FitOptions fo;
  FitDiagnostics d = FitHyperparameters(gp.get(), fo);
  EXPECT_FALSE(d.success);
  EXPECT_FALSE(d.message.empty());
  fo.max_attempts = 0;
  d = FitHyperparameters(gp.get(), fo);
  EXPECT_NE(d.message.find("max_attempts"), std::string::npos);
}

// Data of the fit tests: 40 points in 2-d, one relevant and one weak input, noise sd 0.05.
void FitData(Eigen::MatrixXd* x, Eigen::VectorXd* y, int n = 40, uint64_t seed = 11) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0, 0.05);
  *x = RandomMixedPoints(n, &rng).leftCols(2);
  y->resize(n);
  for (int i = 0; i < n; ++i) (*y)[i] = std::sin(6 * (*x)(i, 0)) + 0.2 * (*x)(i, 1) + nd(rng);
}

TEST(FitTest, ObjectiveHessianMatchesSecondDifferencesOfTheValue) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  FitData(&x, &y);
  auto gp = SimpleGp(x, y);
  ASSERT_TRUE(FitHyperparameters(gp.get(), FitOptions()).success);
  const Eigen::VectorXd theta = gp->Hyperparameters();
  Eigen::MatrixXd hess;
  int evals = 0;
  ASSERT_TRUE(ObjectiveHessian(gp.get(), theta, true, &hess, &evals).ok());
  EXPECT_EQ(evals, theta.size() + 1);
  EXPECT_TRUE(gp->factorized());
  EXPECT_EQ(gp->Hyperparameters(), theta);
  // Independent of the analytic gradient: central second differences of the objective value.
  const double h = 1e-3;
  const auto f = [&](Eigen::VectorXd t) { return NegativeLogPosterior(gp.get(), t, true, nullptr); };
  Eigen::MatrixXd ref(theta.size(), theta.size());
  for (int i = 0; i < theta.size(); ++i) {
    for (int j = 0; j < theta.size(); ++j) {
      Eigen::VectorXd pp = theta, pm = theta, mp = theta, mm = theta;
      pp[i] += h, pp[j] += h;
      pm[i] += h, pm[j] -= h;
      mp[i] -= h, mp[j] += h;
      mm[i] -= h, mm[j] -= h;
      ref(i, j) = (f(pp) - f(pm) - f(mp) + f(mm)) / (4 * h * h);
    }
  }
  EXPECT_LT((hess - ref).cwiseAbs().maxCoeff(), 1e-3 * ref.cwiseAbs().maxCoeff()) << hess << "\n\n" << ref;
  EXPECT_EQ(hess, hess.transpose());
}

// Reference optimum of the warm local problem, by a tight L-BFGS run.
FitDiagnostics TightLocalFit(ExactGp gp, const Eigen::VectorXd& theta0) {
  FitOptions tight;
  tight.num_random_starts = 0;
  tight.ftol_rel = 1e-13;
  tight.xtol_rel = 1e-10;
  return FitHyperparameters(&gp, tight, &theta0);
}

TEST(FitTest, NewtonRefitAfterNewPointsReachesTheWarmLocalOptimum) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  FitData(&x, &y, 46);
  auto gp = SimpleGp(x.topRows(40), y.head(40));
  FitOptions fo;
  ASSERT_TRUE(FitHyperparameters(gp.get(), fo).success);
  const Eigen::VectorXd theta = gp->Hyperparameters();
  Eigen::MatrixXd hess;
  ASSERT_TRUE(ObjectiveHessian(gp.get(), theta, true, &hess).ok());
  // Six new points move the optimum measurably; Newton from the old curvature gets there in a few evaluations.
  ASSERT_TRUE(gp->AddObservations(x.bottomRows(6), y.tail(6)).ok());
  const FitDiagnostics ref = TightLocalFit(*gp, theta);
  ASSERT_TRUE(ref.success);
  NewtonRefitOptions no;
  no.max_evaluations = 6;
  const FitDiagnostics d = NewtonRefit(gp.get(), fo, no, theta, &hess);
  ASSERT_TRUE(d.success) << d.message;
  EXPECT_EQ(d.termination, "newton-converged");
  EXPECT_GE(d.evaluations, 2);
  EXPECT_LE(d.evaluations, 6);
  EXPECT_LT(d.evaluations, ref.evaluations);
  EXPECT_GT(d.log_posterior, ref.log_posterior - 2 * no.decrement_tol);
  EXPECT_LE(d.log_posterior, ref.log_posterior + 1e-9);
  EXPECT_TRUE(gp->factorized());
  EXPECT_NEAR(d.log_posterior, -NegativeLogPosterior(gp.get(), gp->Hyperparameters(), true, nullptr), 1e-9);
  EXPECT_TRUE(hess.allFinite());
}

TEST(FitTest, NewtonRefitKeepsAStationaryPointAfterOneEvaluation) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  FitData(&x, &y);
  auto gp = SimpleGp(x, y);
  FitOptions fo;
  fo.ftol_rel = 1e-13;
  fo.xtol_rel = 1e-10;
  ASSERT_TRUE(FitHyperparameters(gp.get(), fo).success);
  const Eigen::VectorXd theta = gp->Hyperparameters();
  Eigen::MatrixXd hess;
  ASSERT_TRUE(ObjectiveHessian(gp.get(), theta, true, &hess).ok());
  const FitDiagnostics d = NewtonRefit(gp.get(), fo, NewtonRefitOptions(), theta, &hess);
  ASSERT_TRUE(d.success);
  EXPECT_EQ(d.termination, "newton-converged");
  EXPECT_EQ(d.evaluations, 1);
  EXPECT_EQ(gp->Hyperparameters(), theta);
}

TEST(FitTest, NewtonRefitFromAPerturbedStartDescends) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  FitData(&x, &y);
  auto gp = SimpleGp(x, y);
  FitOptions fo;
  ASSERT_TRUE(FitHyperparameters(gp.get(), fo).success);
  const Eigen::VectorXd opt = gp->Hyperparameters();
  Eigen::MatrixXd hess;
  ASSERT_TRUE(ObjectiveHessian(gp.get(), opt, true, &hess).ok());
  Eigen::VectorXd start = opt;
  start[0] += 0.3;
  start[2] -= 0.3;
  const double f0 = NegativeLogPosterior(gp.get(), start, true, nullptr);
  const FitDiagnostics ref = TightLocalFit(*gp, start);
  NewtonRefitOptions no;
  no.max_evaluations = 8;
  const FitDiagnostics d = NewtonRefit(gp.get(), fo, no, start, &hess);
  ASSERT_TRUE(d.success) << d.message;
  EXPECT_LT(-d.log_posterior, f0);
  EXPECT_GT(d.log_posterior, ref.log_posterior - 2 * no.decrement_tol);
}

TEST(FitTest, NewtonRefitRejectsBadInputsWithAMessage) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  FitData(&x, &y);
  auto gp = SimpleGp(x, y);
  Eigen::MatrixXd hess = Eigen::MatrixXd::Identity(2, 2);  // wrong size: p = 4
  FitDiagnostics d = NewtonRefit(gp.get(), FitOptions(), NewtonRefitOptions(), gp->DefaultHyperparameters(), &hess);
  EXPECT_FALSE(d.success);
  EXPECT_FALSE(d.message.empty());
  NewtonRefitOptions bad;
  bad.max_evaluations = 0;
  hess = Eigen::MatrixXd::Identity(4, 4);
  d = NewtonRefit(gp.get(), FitOptions(), bad, gp->DefaultHyperparameters(), &hess);
  EXPECT_FALSE(d.success);
  EXPECT_NE(d.message.find("max_evaluations"), std::string::npos);
}

TEST(FitTest, ScreenedMultiStartReachesTheSameOptimumWithFewerEvaluations) {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  FitData(&x, &y, 60, 5);
  FitOptions fo;
  fo.num_random_starts = 4;
  auto full = SimpleGp(x, y);
  const FitDiagnostics a = FitHyperparameters(full.get(), fo);
  fo.screen_evaluations = 8;
  auto screened = SimpleGp(x, y);
  const FitDiagnostics b = FitHyperparameters(screened.get(), fo);
  ASSERT_TRUE(a.success && b.success);
  EXPECT_EQ(b.starts, 5);
  EXPECT_LT(b.evaluations, a.evaluations);
  EXPECT_NEAR(b.log_posterior, a.log_posterior, 1e-4 * std::abs(a.log_posterior));
  fo.screen_evaluations = -1;
  EXPECT_NE(FitHyperparameters(screened.get(), fo).message.find("screen_evaluations"), std::string::npos);
}

}  // namespace
}  // namespace bayesd::gp
