// Closed forms, tail behaviour and input gradients of every acquisition in acquisition/.
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "acquisition/acquisition.h"
#include "acquisition/monte_carlo.h"
#include "acquisition/normal.h"
#include "acquisition/penalty.h"
#include "tests/acquisition/test_models.h"

namespace bayesd::acquisition {
namespace {

using testing::SmallGp;

TEST(NormalTest, ErfcxMatchesDefinitionAndAsymptotics) {
  for (double x : {-3.0, -0.5, 0.0, 0.7, 2.0, 5.0, 10.0, 20.0}) {
    EXPECT_NEAR(Erfcx(x) / (std::exp(x * x) * std::erfc(x)), 1.0, 1e-12) << x;
  }
  // Both sides of the switch at 26 agree; far out erfcx(x) ~ 1 / (x sqrt(pi)).
  EXPECT_NEAR(Erfcx(25.999999) / Erfcx(26.0), 1.0, 1e-6);
  EXPECT_NEAR(Erfcx(1e6) * 1e6 * kSqrtPi, 1.0, 1e-12);
}

TEST(NormalTest, LogCdfAndQuantile) {
  for (double z : {-30.0, -5.0, -1.0, 0.0, 1.5, 8.0}) {
    if (z > -30) {
      EXPECT_NEAR(LogNormalCdf(z), std::log(NormalCdf(z)), 1e-10) << z;
    }
  }
  // log Phi(-30) = -30^2/2 - log(30 sqrt(2 pi)) + log(1 - 1/900 + 3/900^2 ...).
  const double z = -30.0;
  const double asym = -0.5 * z * z - std::log(-z) - kLogSqrt2Pi + std::log1p(-1 / 900.0 + 3 / 810000.0);
  EXPECT_NEAR(LogNormalCdf(z), asym, 1e-7);
  for (double p : {1e-10, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9}) EXPECT_NEAR(NormalCdf(NormalQuantile(p)) / p, 1.0, 1e-9);
}

TEST(NormalTest, LogHMatchesClosedFormWhereItDoesNotUnderflow) {
  for (double z = -20; z <= 6; z += 0.37) {
    const double h = NormalPdf(z) + z * NormalCdf(z);
    if (z > -5) {
      EXPECT_NEAR(LogH(z), std::log(h), 1e-9) << z;
    }
    // d log h / dz = Phi / h (central differences).
    const double e = 1e-6;
    EXPECT_NEAR(LogHDerivative(z), (LogH(z + e) - LogH(z - e)) / (2 * e), 1e-5 * std::max(1.0, std::abs(z))) << z;
  }
}

// Against long double arithmetic (64-bit mantissa, exponent range to 1e-4951), where phi + z Phi neither underflows
// nor loses more than ~log10(z^2) of its 19 digits to cancellation down to z = -30: log h to 1e-13; Phi / h to
// ~eps z^2, the cancellation in 1 - u = h / phi (worst 4.7e-13 at z = -27; exp(log Phi - log h) was 4.8e-13).
TEST(NormalTest, LogHAndDerivativeMatchLongDoubleReference) {
  for (double z = -30; z <= 8; z += 0.0173) {
    const long double zl = z;
    const long double cdf = 0.5L * std::erfc(-zl / std::sqrt(2.0L));
    const long double h = std::exp(-0.5L * zl * zl) / std::sqrt(2.0L * static_cast<long double>(M_PI)) + zl * cdf;
    double dz = 0;
    const double lh = LogHWithDerivative(z, &dz);
    EXPECT_NEAR(lh, static_cast<double>(std::log(h)), 1e-13 * std::max(1.0, std::abs(lh))) << z;
    EXPECT_NEAR(dz / static_cast<double>(cdf / h), 1.0, 1e-15 * std::max(10.0, z * z)) << z;
  }
  for (double x = -5; x < 26; x += 0.0317) {  // both sides of erfcx's switch to the asymptotic series
    const long double xl = x;
    EXPECT_NEAR(Erfcx(x) / static_cast<double>(std::exp(xl * xl) * std::erfc(xl)), 1.0, 1e-13) << x;
  }
}

// The combined LogH + derivative is the same arithmetic as the two separate functions: bitwise equal everywhere,
// including the asymptotic branch and the branch boundaries.
TEST(NormalTest, LogHWithDerivativeEqualsTheSeparateFunctions) {
  std::vector<double> zs = {-1e9, -1e4, -100.0, -40.0, -1.0, -0.999999, 0.0, 1e-300, 3.0, 40.0};
  const double asym = -1.0 / std::sqrt(std::numeric_limits<double>::epsilon());
  zs.insert(zs.end(), {asym, std::nextafter(asym, 0.0), std::nextafter(asym, -1e300)});
  for (double z = -30; z <= 8; z += 0.173) zs.push_back(z);
  for (double z : zs) {
    double dz = -1;
    const double lh = LogHWithDerivative(z, &dz);
    EXPECT_EQ(lh, LogH(z)) << z;
    EXPECT_EQ(dz, LogHDerivative(z)) << z;
  }
}

TEST(NormalTest, LogHFarInTheTail) {
  // h(z) = phi(z) / z^2 (1 - 3/z^2 + 15/z^4 - 105/z^6 + ...) as z -> -inf.
  for (double z : {-40.0, -100.0, -1e4, -1e9}) {
    const double w = 1.0 / (z * z);
    const double expected = -0.5 * z * z - kLogSqrt2Pi - 2 * std::log(-z) + std::log1p(-3 * w + 15 * w * w - 105 * w * w * w);
    EXPECT_NEAR(LogH(z), expected, 1e-9 * std::abs(expected)) << z;
    EXPECT_TRUE(std::isfinite(LogHDerivative(z)));
    EXPECT_NEAR(LogHDerivative(z) / (-z - 2.0 / z), 1.0, 1e-5);  // |z| + 2/|z| + O(|z|^-3)
  }
  // The naive formula underflows at z = -40 and gives -inf; log h does not.
  EXPECT_EQ(std::log(NormalPdf(-40) + -40 * NormalCdf(-40)), -INFINITY);
}

TEST(AnalyticTest, ClosedFormsAgainstThePosterior) {
  auto model = SmallGp(2, 8);
  ASSERT_NE(model, nullptr);
  const double best = 0.3;
  LogExpectedImprovement log_ei(model, best);
  ExpectedImprovement ei(model, best);
  LogProbabilityOfImprovement pi(model, best);
  UpperConfidenceBound ucb(model, 2.0);
  for (Eigen::Vector2d x : {Eigen::Vector2d(0.1, 0.9), Eigen::Vector2d(0.5, 0.5), Eigen::Vector2d(0.95, 0.02)}) {
    PointPosterior p;
    ASSERT_TRUE(PosteriorAtPoint(*model, x, false, &p));
    const double s = std::sqrt(p.variance), z = (p.mean - best) / s;
    const double ei_closed = s * (NormalPdf(z) + z * NormalCdf(z));
    EXPECT_NEAR(ei.Evaluate(x, nullptr), ei_closed, 1e-12);
    EXPECT_NEAR(std::exp(log_ei.Evaluate(x, nullptr)), ei_closed, 1e-10 * std::max(1.0, ei_closed));
    EXPECT_NEAR(pi.Evaluate(x, nullptr), std::log(NormalCdf(z)), 1e-10);
    EXPECT_NEAR(ucb.Evaluate(x, nullptr), p.mean + std::sqrt(2.0) * s, 1e-12);
  }
}

TEST(AnalyticTest, LogEiStaysFiniteWhereEiUnderflows) {
  auto model = SmallGp(2, 8);
  const Eigen::Vector2d x(0.5, 0.5);
  PointPosterior p;
  ASSERT_TRUE(PosteriorAtPoint(*model, x, false, &p));
  const double s = std::sqrt(p.variance);
  const double best = p.mean + 60.0 * s;  // z = -60
  EXPECT_EQ(ExpectedImprovement(model, best).Evaluate(x, nullptr), 0.0);
  const double v = LogExpectedImprovement(model, best).Evaluate(x, nullptr);
  EXPECT_TRUE(std::isfinite(v));
  EXPECT_NEAR(v, LogH(-60.0) + std::log(s), 1e-9 * std::abs(v));
  Eigen::VectorXd g;
  LogExpectedImprovement(model, best).Evaluate(x, &g);
  EXPECT_TRUE(g.allFinite());
  EXPECT_GT(g.norm(), 0.0);  // a usable gradient even 60 sd below the incumbent
}

TEST(AnalyticTest, GpUcbBetaSchedule) {
  // beta_t = 2 log(d t^2 pi^2 / (6 delta)), scaled.
  EXPECT_NEAR(GpUcbBeta(10, 3, 0.1, 1.0), 2 * std::log(3 * 100 * M_PI * M_PI / 0.6), 1e-12);
  EXPECT_NEAR(GpUcbBeta(10, 3, 0.1, 0.2), 0.2 * GpUcbBeta(10, 3, 0.1, 1.0), 1e-12);
  EXPECT_GT(GpUcbBeta(100, 3, 0.1, 1.0), GpUcbBeta(10, 3, 0.1, 1.0));
}

// ---- gradients of every acquisition vs central finite differences ----

using Factory = std::function<std::shared_ptr<const Acquisition>(std::shared_ptr<const ExactGpModel>)>;
struct GradientCase {
  std::string name;
  Factory make;
};

Eigen::MatrixXd Baseline(const ExactGpModel& m, int k) { return m.gp().x().topRows(k); }

// Every acquisition of the suite on the same small 3-d GP.
class GradientTest : public ::testing::TestWithParam<GradientCase> {
 protected:
  static constexpr int d = 3;  // input width
  void SetUp() override {
    model_ = SmallGp(d, 12, 3, 1e-3);
    ASSERT_NE(model_, nullptr);
    acq_ = GetParam().make(model_);
  }
  std::shared_ptr<const ExactGpModel> model_;
  std::shared_ptr<const Acquisition> acq_;
};

TEST_P(GradientTest, MatchesCentralDifferences) {
  const auto& acq = acq_;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.05, 0.95);
  for (int trial = 0; trial < 6; ++trial) {
    Eigen::VectorXd x(d);
    for (int j = 0; j < d; ++j) x[j] = u(rng);
    Eigen::VectorXd g;
    const double v = acq->Evaluate(x, &g);
    ASSERT_TRUE(std::isfinite(v)) << GetParam().name;
    ASSERT_EQ(g.size(), d);
    for (int j = 0; j < d; ++j) {
      const double e = 1e-6;
      Eigen::VectorXd xp = x, xm = x;
      xp[j] += e;
      xm[j] -= e;
      const double fd = (acq->Evaluate(xp, nullptr) - acq->Evaluate(xm, nullptr)) / (2 * e);
      EXPECT_NEAR(g[j], fd, 1e-4 * std::max(1.0, std::abs(fd))) << GetParam().name << " x=" << x.transpose()
                                                                  << " j=" << j;
    }
  }
}

std::vector<ConstraintModel> OneConstraint() {
  return {ConstraintModel{SmallGp(3, 10, 9, 1e-3), 0.2, true}, ConstraintModel{SmallGp(3, 7, 5, 1e-3), -0.5, false}};
}

// Batch scoring (EvaluateMany, whichever implementation the acquisition has) equals point scoring, on random rows
// and on a training point (zero-ish variance).
TEST_P(GradientTest, EvaluateManyMatchesEvaluate) {
  const auto& acq = acq_;
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd x(70, d);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  x.row(7) = model_->gp().x().row(2);
  const Eigen::VectorXd many = acq->EvaluateMany(x);
  ASSERT_EQ(many.size(), x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const double one = acq->Evaluate(x.row(i).transpose(), nullptr);
    ASSERT_TRUE(std::isfinite(one)) << GetParam().name << " row " << i;
    EXPECT_NEAR(many[i], one, 1e-8 * std::max(1.0, std::abs(one))) << GetParam().name << " row " << i;
  }
}

TEST(ConstrainedAcquisitionTest, EvaluateManyFailsOnlyTheRowsThatFail) {
  auto model = SmallGp(3, 12, 3, 1e-3);
  ASSERT_NE(model, nullptr);
  const ConstrainedAcquisition acq(std::make_shared<LogExpectedImprovement>(model, 0.5), OneConstraint());
  Eigen::MatrixXd x(4, 3);
  x << 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.3, 0.9, 0.1;
  x(1, 2) = std::numeric_limits<double>::quiet_NaN();
  const Eigen::VectorXd many = acq.EvaluateMany(x);
  ASSERT_EQ(many.size(), 4);
  EXPECT_EQ(many[1], -std::numeric_limits<double>::infinity());
  for (int i : {0, 2, 3}) {
    const double one = acq.Evaluate(x.row(i).transpose(), nullptr);
    ASSERT_TRUE(std::isfinite(one)) << i;
    EXPECT_NEAR(many[i], one, 1e-10 * std::max(1.0, std::abs(one))) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Acquisitions, GradientTest,
    ::testing::Values(
        GradientCase{"log_ei", [](auto m) { return std::make_shared<LogExpectedImprovement>(m, 0.5); }},
        GradientCase{"log_ei_tail", [](auto m) { return std::make_shared<LogExpectedImprovement>(m, 25.0); }},
        GradientCase{"ei", [](auto m) { return std::make_shared<ExpectedImprovement>(m, 0.5); }},
        GradientCase{"pi", [](auto m) { return std::make_shared<LogProbabilityOfImprovement>(m, 0.5); }},
        GradientCase{"ucb", [](auto m) { return std::make_shared<UpperConfidenceBound>(m, 3.0); }},
        GradientCase{"log_pof", [](auto) { return std::make_shared<LogProbabilityOfFeasibility>(OneConstraint()); }},
        GradientCase{"log_ei+log_pof",
                     [](auto m) {
                       return std::make_shared<ConstrainedAcquisition>(
                           std::make_shared<LogExpectedImprovement>(m, 0.5), OneConstraint());
                     }},
        GradientCase{"nei", [](auto m) { return std::make_shared<NoisyExpectedImprovement>(m, Baseline(*m, 5), 32, 7); }},
        GradientCase{"kg", [](auto m) { return std::make_shared<KnowledgeGradient>(m, Baseline(*m, 6), 64); }},
        GradientCase{"mes",
                     [](auto m) { return std::make_shared<MaxValueEntropySearch>(m, m->gp().x(), 0.5, 8); }},
        GradientCase{"log_ei+region_penalty",
                     [](auto m) {
                       Eigen::MatrixXd centres(2, 3);
                       centres << 0.3, 0.6, 0.2, 0.9, 0.1, 0.5;
                       return std::make_shared<RegionPenalty>(std::make_shared<LogExpectedImprovement>(m, 0.5),
                                                              centres, Eigen::Vector3d(0.2, 1.5, 0.4));
                     }},
        // Linear scale: the penalty multiplies EI, or UCB's excess over a floor.
        GradientCase{"ei*region_penalty",
                     [](auto m) {
                       Eigen::MatrixXd centres(2, 3);
                       centres << 0.3, 0.6, 0.2, 0.9, 0.1, 0.5;
                       return std::make_shared<RegionPenalty>(std::make_shared<ExpectedImprovement>(m, 0.5), centres,
                                                              Eigen::Vector3d(0.2, 1.5, 0.4));
                     }},
        GradientCase{"ucb*region_penalty",
                     [](auto m) {
                       Eigen::MatrixXd centres(1, 3);
                       centres << 0.5, 0.5, 0.5;
                       return std::make_shared<RegionPenalty>(std::make_shared<UpperConfidenceBound>(m, 3.0), centres,
                                                              Eigen::Vector3d(0.3, 0.3, 0.3), -10.0);
                     }}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return n;
    });

// ---- Monte Carlo / information acquisitions: sanity ----

TEST(NoisyEiTest, ReducesToEiForANoiselessSinglePointBaseline) {
  // With one baseline point of (almost) zero posterior variance, best_s = f(B) for every sample and v(x) = var(x)
  // - cov^2 / var(B) = var(x): NEI equals log EI over f(B).
  auto model = SmallGp(2, 8, 1, 1e-10);
  const Eigen::MatrixXd b = model->gp().x().topRows(1);
  NoisyExpectedImprovement nei(model, b, 16, 3);
  ASSERT_TRUE(nei.ok());
  PointPosterior pb;
  ASSERT_TRUE(PosteriorAtPoint(*model, b.row(0).transpose(), false, &pb));
  LogExpectedImprovement log_ei(model, pb.mean);
  const Eigen::Vector2d x(0.3, 0.6);
  EXPECT_NEAR(nei.Evaluate(x, nullptr), log_ei.Evaluate(x, nullptr), 1e-3);
}

// Batch scoring of NEI (chunks of [rows; B] in one joint posterior) equals point scoring, across chunk boundaries.
void ExpectEvaluateManyMatchesEvaluate(const NoisyExpectedImprovement& nei, const Eigen::MatrixXd& baseline,
                                       uint64_t seed) {
  const Eigen::Index k = NoisyExpectedImprovement::kChunkRows;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  for (Eigen::Index count : {Eigen::Index{1}, k - 1, k, k + 1, Eigen::Index{200}}) {
    Eigen::MatrixXd x(count, baseline.cols());
    for (Eigen::Index i = 0; i < count; ++i) {
      for (Eigen::Index j = 0; j < x.cols(); ++j) x(i, j) = u(rng);
    }
    // A row equal to a baseline point (the degenerate conditional variance), and rows on both sides of a boundary.
    x.row(count / 2) = baseline.row(1);
    const Eigen::VectorXd many = nei.EvaluateMany(x);
    ASSERT_EQ(many.size(), count);
    for (Eigen::Index i = 0; i < count; ++i) {
      const double one = nei.Evaluate(x.row(i).transpose(), nullptr);
      ASSERT_TRUE(std::isfinite(one)) << "count=" << count << " row=" << i;
      // At the baseline point the conditional variance var - |L_B^-1 S_Bx|^2 is a difference of equal numbers, so
      // its value is rounding (a matrix product over a chunk rounds differently from one over a single row): log NEI
      // there agrees to ~1e-9 relative, elsewhere to 1e-10.
      const double tol = i == count / 2 ? 1e-8 : 1e-10;
      EXPECT_NEAR(many[i], one, tol * std::max(1.0, std::abs(one))) << "count=" << count << " row=" << i;
    }
  }
}

TEST(NoisyEiTest, EvaluateManyMatchesEvaluate) {
  auto model = SmallGp(3, 12, 3, 1e-3);
  ASSERT_NE(model, nullptr);
  const Eigen::MatrixXd b = Baseline(*model, 5);
  NoisyExpectedImprovement nei(model, b, 32, 7);
  ASSERT_TRUE(nei.ok());
  ExpectEvaluateManyMatchesEvaluate(nei, b, 21);
}

TEST(NoisyEiTest, EvaluateManyMatchesEvaluateOnAModelWithPendingPoints) {
  auto model = SmallGp(3, 12, 3, 1e-3);
  ASSERT_NE(model, nullptr);
  Eigen::MatrixXd pending(2, 3);
  pending << 0.2, 0.7, 0.4, 0.8, 0.1, 0.6;
  PointPosterior p0, p1;
  ASSERT_TRUE(PosteriorAtPoint(*model, pending.row(0).transpose(), false, &p0));
  ASSERT_TRUE(PosteriorAtPoint(*model, pending.row(1).transpose(), false, &p1));
  gp::GpStatus status;
  std::shared_ptr<const Model> conditioned = model->Condition(pending, Eigen::Vector2d(p0.mean, p1.mean), &status);
  ASSERT_TRUE(status.ok());
  ASSERT_NE(conditioned, nullptr);
  const Eigen::MatrixXd b = Baseline(*model, 6);
  NoisyExpectedImprovement nei(conditioned, b, 64, 9);
  ASSERT_TRUE(nei.ok());
  ExpectEvaluateManyMatchesEvaluate(nei, b, 22);
  // Conditioning changed the acquisition (so the comparison above ran on a different posterior).
  NoisyExpectedImprovement unconditioned(model, b, 64, 9);
  const Eigen::Vector3d near_pending(0.21, 0.69, 0.41);
  EXPECT_LT(nei.Evaluate(near_pending, nullptr), unconditioned.Evaluate(near_pending, nullptr) - 1e-3);
}

TEST(NoisyEiTest, EvaluateManyFailsOnlyTheRowsThatFail) {
  // A non-finite row makes its whole chunk's posterior fail; the other rows of the chunk keep their values.
  auto model = SmallGp(3, 12, 3, 1e-3);
  ASSERT_NE(model, nullptr);
  NoisyExpectedImprovement nei(model, Baseline(*model, 5), 32, 7);
  ASSERT_TRUE(nei.ok());
  Eigen::MatrixXd x(5, 3);
  x << 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.3, 0.9, 0.1, 0.5, 0.5, 0.5;
  x(2, 1) = std::numeric_limits<double>::quiet_NaN();
  const Eigen::VectorXd many = nei.EvaluateMany(x);
  ASSERT_EQ(many.size(), 5);
  EXPECT_EQ(many[2], -std::numeric_limits<double>::infinity());
  EXPECT_EQ(nei.Evaluate(x.row(2).transpose(), nullptr), -std::numeric_limits<double>::infinity());
  for (int i : {0, 1, 3, 4}) {
    const double one = nei.Evaluate(x.row(i).transpose(), nullptr);
    ASSERT_TRUE(std::isfinite(one)) << i;
    EXPECT_NEAR(many[i], one, 1e-10 * std::max(1.0, std::abs(one))) << i;
  }
}

// An ExactGpModel seen only through PosteriorAt: Model::WithFixedSet's general path (the full joint posterior of
// [x; B] per call), against which ExactGpModel's cached path is checked.
class PosteriorOnlyModel : public Model {
 public:
  explicit PosteriorOnlyModel(std::shared_ptr<const Model> inner) : inner_(std::move(inner)) {}
  int dim() const override { return inner_->dim(); }
  gp::Posterior PosteriorAt(const Eigen::MatrixXd& xq, const gp::PosteriorOptions& options) const override {
    return inner_->PosteriorAt(xq, options);
  }
  double NoiseVariance() const override { return inner_->NoiseVariance(); }
  std::unique_ptr<Model> Condition(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                                   gp::GpStatus* status) const override {
    return inner_->Condition(x, z, status);
  }

 private:
  std::shared_ptr<const Model> inner_;
};

TEST(FixedSetPosteriorTest, CachedPathEqualsTheJointPosteriorForNeiAndKg) {
  auto model = SmallGp(3, 15, 5, 1e-3);
  ASSERT_NE(model, nullptr);
  auto general = std::make_shared<PosteriorOnlyModel>(model);
  const Eigen::MatrixXd b = Baseline(*model, 6);
  // The moments themselves, for several rows at once with gradients.
  Eigen::MatrixXd xq(3, 3);
  xq << 0.1, 0.5, 0.9, 0.4, 0.4, 0.2, b.row(2);
  const gp::CrossMoments fast = model->WithFixedSet(b)->At(xq, true);
  const gp::CrossMoments slow = general->WithFixedSet(b)->At(xq, true);
  ASSERT_TRUE(fast.status.ok());
  ASSERT_TRUE(slow.status.ok());
  EXPECT_LT((fast.mean - slow.mean).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((fast.variance - slow.variance).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((fast.cross - slow.cross).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((fast.mean_gradient - slow.mean_gradient).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LT((fast.variance_gradient - slow.variance_gradient).cwiseAbs().maxCoeff(), 1e-10);
  ASSERT_EQ(fast.cross_gradient.size(), 3u);
  ASSERT_EQ(slow.cross_gradient.size(), 3u);
  for (int a = 0; a < 3; ++a) EXPECT_LT((fast.cross_gradient[a] - slow.cross_gradient[a]).cwiseAbs().maxCoeff(), 1e-10);
  // And the acquisitions built on them: values, gradients and batch scores.
  const NoisyExpectedImprovement nei_fast(model, b, 32, 7), nei_slow(general, b, 32, 7);
  const KnowledgeGradient kg_fast(model, b, 32), kg_slow(general, b, 32);
  const Acquisition* const pairs[][2] = {{&nei_fast, &nei_slow}, {&kg_fast, &kg_slow}};
  for (const auto& pair : pairs) {
    for (Eigen::Index i = 0; i < xq.rows(); ++i) {
      Eigen::VectorXd g_fast, g_slow;
      const double v_fast = pair[0]->Evaluate(xq.row(i).transpose(), &g_fast);
      const double v_slow = pair[1]->Evaluate(xq.row(i).transpose(), &g_slow);
      ASSERT_TRUE(std::isfinite(v_fast)) << pair[0]->name() << " row " << i;
      EXPECT_NEAR(v_fast, v_slow, 1e-9 * std::max(1.0, std::abs(v_slow))) << pair[0]->name() << " row " << i;
      EXPECT_LT((g_fast - g_slow).cwiseAbs().maxCoeff(), 1e-7 * std::max(1.0, g_slow.cwiseAbs().maxCoeff()))
          << pair[0]->name() << " row " << i;
    }
  }
  const Eigen::VectorXd many_fast = nei_fast.EvaluateMany(xq), many_slow = nei_slow.EvaluateMany(xq);
  EXPECT_LT((many_fast - many_slow).cwiseAbs().maxCoeff(), 1e-9 * std::max(1.0, many_slow.cwiseAbs().maxCoeff()));
}

// A model that answers a full-covariance request with marginals only (as the co-kriging target model refuses it):
// the general path reports the failure instead of reading a covariance that is not there.
class MarginalsOnlyModel : public PosteriorOnlyModel {
 public:
  using PosteriorOnlyModel::PosteriorOnlyModel;
  gp::Posterior PosteriorAt(const Eigen::MatrixXd& xq, const gp::PosteriorOptions& options) const override {
    gp::PosteriorOptions marginal = options;
    marginal.full_covariance = false;
    marginal.covariance_gradients = false;
    return PosteriorOnlyModel::PosteriorAt(xq, marginal);
  }
};

TEST(FixedSetPosteriorTest, AModelWithoutTheJointCovarianceIsReportedNotRead) {
  auto model = std::make_shared<MarginalsOnlyModel>(SmallGp(3, 15, 5, 1e-3));
  const gp::CrossMoments p = model->WithFixedSet(Eigen::MatrixXd::Constant(2, 3, 0.5))->At(
      Eigen::MatrixXd::Constant(1, 3, 0.2), true);
  EXPECT_EQ(p.status.code(), gp::GpCode::kNumerical);
  // Noisy EI over such a model is not ok (its baseline has no joint covariance either) and scores -inf.
  const NoisyExpectedImprovement nei(model, Eigen::MatrixXd::Constant(2, 3, 0.5), 16, 1);
  EXPECT_FALSE(nei.ok());
  EXPECT_EQ(nei.Evaluate(Eigen::Vector3d(0.2, 0.2, 0.2), nullptr), -std::numeric_limits<double>::infinity());
}

TEST(KnowledgeGradientTest, NonNegativeAndLargerWhereUncertain) {
  auto model = SmallGp(2, 8);
  KnowledgeGradient kg(model, model->gp().x(), 128);
  const Eigen::Vector2d observed = model->gp().x().row(0).transpose();
  for (Eigen::Vector2d x : {Eigen::Vector2d(0.1, 0.1), Eigen::Vector2d(0.9, 0.4)}) {
    EXPECT_GE(kg.Evaluate(x, nullptr), -1e-9);
  }
  EXPECT_LT(kg.Evaluate(observed, nullptr), 1e-3);
}

TEST(MaxValueEntropySearchTest, MaxSamplesAboveTheIncumbent) {
  auto model = SmallGp(2, 8);
  const double incumbent = model->gp().y().maxCoeff();
  MaxValueEntropySearch mes(model, model->gp().x(), incumbent, 10);
  EXPECT_EQ(mes.max_samples().size(), 10);
  EXPECT_TRUE((mes.max_samples().array() >= incumbent).all());
  EXPECT_GT(mes.Evaluate(Eigen::Vector2d(0.5, 0.5), nullptr), 0.0);
}

TEST(ThompsonSamplingTest, JointSampleIsDeterministicPerSeedAndInterpolates) {
  auto model = SmallGp(2, 8, 1, 1e-8);
  gp::GpStatus status;
  const Eigen::MatrixXd x = model->gp().x();
  const Eigen::VectorXd a = SampleJointPosterior(*model, x, 5, &status);
  ASSERT_TRUE(status.ok());
  const Eigen::VectorXd b = SampleJointPosterior(*model, x, 5, &status);
  EXPECT_EQ(a, b);
  // At (nearly) noiseless observed points the sample equals the data.
  EXPECT_LT((a - model->gp().y()).cwiseAbs().maxCoeff(), 1e-2);
}

TEST(RegionPenaltyTest, ClosedFormAndExclusionAtTheCentre) {
  auto model = SmallGp(2, 8, 4, 1e-3);
  ASSERT_NE(model, nullptr);
  auto base = std::make_shared<LogExpectedImprovement>(model, 0.5);
  Eigen::MatrixXd centre(1, 2);
  centre << 0.4, 0.6;
  // Radius 0.1 in x0; column 1 has no radius (ignored), so only x0 counts.
  const RegionPenalty p(base, centre, Eigen::Vector2d(0.1, 0.0));
  const Eigen::Vector2d one_radius(0.5, 0.1);  // q = 1
  EXPECT_NEAR(p.LogPenalty(one_radius, nullptr), std::log(1 - std::exp(-0.5)), 1e-12);
  EXPECT_NEAR(p.Evaluate(one_radius, nullptr), base->Evaluate(one_radius, nullptr) + std::log(1 - std::exp(-0.5)),
              1e-12);
  const Eigen::Vector2d three_radii(0.1, 0.9);  // q = 9: nearly no penalty
  EXPECT_NEAR(p.LogPenalty(three_radii, nullptr), std::log(1 - std::exp(-4.5)), 1e-12);
  // At the centre (whatever the ignored column): excluded, and a zero gradient rather than NaN.
  Eigen::VectorXd g;
  EXPECT_EQ(p.Evaluate(Eigen::Vector2d(0.4, 0.05), &g), -std::numeric_limits<double>::infinity());
  ASSERT_EQ(g.size(), 2);
  EXPECT_TRUE(g.allFinite());
  // Batch scoring equals point scoring.
  Eigen::MatrixXd xs(3, 2);
  xs << 0.5, 0.1, 0.1, 0.9, 0.45, 0.3;
  const Eigen::VectorXd many = p.EvaluateMany(xs);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(many[i], p.Evaluate(xs.row(i).transpose(), nullptr), 1e-10);
}

TEST(RegionPenaltyTest, MultipliesALinearScaleAcquisitionAboveItsFloor) {
  auto model = SmallGp(2, 8, 4, 1e-3);
  ASSERT_NE(model, nullptr);
  Eigen::MatrixXd centre(1, 2);
  centre << 0.4, 0.6;
  const Eigen::Vector2d radii(0.1, 0.0);
  const Eigen::Vector2d one_radius(0.5, 0.1);  // q = 1: factor 1 - e^-1/2
  const double factor = 1 - std::exp(-0.5);
  // EI (nonnegative): EI times the factor, still on the linear scale.
  auto ei = std::make_shared<ExpectedImprovement>(model, 0.5);
  const RegionPenalty pe(ei, centre, radii);
  EXPECT_FALSE(pe.log_scale());
  EXPECT_TRUE(pe.nonnegative());
  EXPECT_EQ(pe.name(), "ei*region_penalty");
  EXPECT_GT(ei->Evaluate(one_radius, nullptr), 0.0);
  EXPECT_NEAR(pe.Evaluate(one_radius, nullptr), ei->Evaluate(one_radius, nullptr) * factor, 1e-14);
  // UCB (signed): its excess over the floor times the factor; 0 at or below the floor and at a centre.
  auto ucb = std::make_shared<UpperConfidenceBound>(model, 3.0);
  const double u = ucb->Evaluate(one_radius, nullptr);
  const RegionPenalty pu(ucb, centre, radii, u - 2.0);
  EXPECT_NEAR(pu.Evaluate(one_radius, nullptr), 2.0 * factor, 1e-12);
  const RegionPenalty above(ucb, centre, radii, u + 1.0);
  Eigen::VectorXd g;
  EXPECT_EQ(above.Evaluate(one_radius, &g), 0.0);
  EXPECT_TRUE(g.isZero());
  EXPECT_EQ(pu.Evaluate(Eigen::Vector2d(0.4, 0.3), &g), 0.0);
  EXPECT_TRUE(g.isZero());
  // Batch scoring equals point scoring.
  Eigen::MatrixXd xs(3, 2);
  xs << 0.5, 0.1, 0.4, 0.9, 0.45, 0.3;
  const Eigen::VectorXd many = pu.EvaluateMany(xs);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(many[i], pu.Evaluate(xs.row(i).transpose(), nullptr), 1e-10);
}

}  // namespace
}  // namespace bayesd::acquisition
