// Composite EI (Astudillo & Frazier 2019) and CONFIG (Xu et al. 2023): the Monte Carlo estimate against closed-form
// EI in the identity-composite case, input gradients against central finite differences, non-finite outer values,
// and CONFIG's optimistic problem.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "acquisition/acquisition.h"
#include "acquisition/composite.h"
#include "acquisition/failure.h"
#include "acquisition/monte_carlo.h"
#include "gp/gp_classifier.h"
#include "acquisition/normal.h"
#include "gp/kernel_factory.h"
#include "tests/acquisition/test_models.h"

namespace bayesd::acquisition {
namespace {

using testing::SmallGp;

// S x K standard normals: stratified quantiles in column 0, shifted (Cranley-Patterson style) and permuted per
// column so the columns are not identical. Deterministic.
Eigen::MatrixXd BaseSamples(int s, int k) {
  Eigen::MatrixXd z(s, k);
  for (int j = 0; j < k; ++j) {
    const double shift = std::fmod(0.5 + 0.6180339887498949 * j, 1.0);
    for (int i = 0; i < s; ++i) {
      const int idx = (i * (2 * j + 1) + j) % s;  // a permutation when gcd(2j+1, s) = 1 (s a power of two)
      z(i, j) = NormalQuantile((idx + shift) / s);
    }
  }
  return z;
}

Eigen::VectorXd FiniteDifference(const Acquisition& a, const Eigen::VectorXd& x, double h = 1e-6) {
  Eigen::VectorXd g(x.size());
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    Eigen::VectorXd p = x, m = x;
    p[j] += h;
    m[j] -= h;
    g[j] = (a.Evaluate(p, nullptr) - a.Evaluate(m, nullptr)) / (2 * h);
  }
  return g;
}

TEST(CompositeEiTest, IdentityCompositeMatchesClosedFormEi) {
  auto gp = SmallGp(2, 8, 3);
  ASSERT_NE(gp, nullptr);
  // Outcome units: y = 1.5 + 2 z; g(y) = y; maximize.
  const double offset = 1.5, scale = 2.0;
  OuterFunction identity = [](const Eigen::VectorXd& y, Eigen::VectorXd* g) {
    if (g) *g = Eigen::VectorXd::Ones(1);
    return y[0];
  };
  const Eigen::MatrixXd z = BaseSamples(4096, 1);
  for (const Eigen::Vector2d& x : {Eigen::Vector2d(0.2, 0.7), Eigen::Vector2d(0.55, 0.1), Eigen::Vector2d(0.9, 0.9)}) {
    PointPosterior p;
    ASSERT_TRUE(PosteriorAtPoint(*gp, x, false, &p));
    for (double best_model : {p.mean - 1.0 * std::sqrt(p.variance), p.mean, p.mean + 0.8 * std::sqrt(p.variance)}) {
      const double best = offset + scale * best_model;
      CompositeExpectedImprovement cei({{gp, offset, scale}}, identity, 1.0, best, z, 1e-9);
      ExpectedImprovement closed(gp, best_model);
      const double exact = scale * closed.Evaluate(x, nullptr);  // EI in outcome units
      CompositeExpectedImprovement::Estimate e;
      ASSERT_TRUE(cei.EstimateAt(x, &e));
      EXPECT_NEAR(e.ei / exact, 1.0, 2e-3) << best_model;
      EXPECT_NEAR(cei.Evaluate(x, nullptr), std::log(exact), 2e-3);
      EXPECT_NEAR(e.mean, offset + scale * p.mean, 1e-3 * scale);
      EXPECT_NEAR(e.sd, scale * std::sqrt(p.variance), 5e-3 * scale * std::sqrt(p.variance));
    }
  }
  // Minimizing: g = y, sign -1 -> EI of -y over -best equals EI of N(-mu, var).
  const Eigen::Vector2d x(0.3, 0.4);
  PointPosterior p;
  ASSERT_TRUE(PosteriorAtPoint(*gp, x, false, &p));
  const double best_y = offset + scale * (p.mean - 0.3);  // a value to beat from below
  CompositeExpectedImprovement cei({{gp, offset, scale}}, identity, -1.0, -best_y, z, 1e-9);
  const double s = scale * std::sqrt(p.variance), m = offset + scale * p.mean, t = (best_y - m) / s;
  const double exact = s * (NormalPdf(t) + t * NormalCdf(t));
  CompositeExpectedImprovement::Estimate e;
  ASSERT_TRUE(cei.EstimateAt(x, &e));
  EXPECT_NEAR(e.ei / exact, 1.0, 2e-3);
}

TEST(CompositeEiTest, GradientMatchesFiniteDifferences) {
  // Three outputs on three GPs, a target-style composite (analytic gradient) and a nonlinear one.
  std::vector<OutputModel> outs = {{SmallGp(3, 10, 1), 0.5, 1.2}, {SmallGp(3, 9, 2), -1.0, 0.7},
                                   {SmallGp(3, 11, 3), 2.0, 3.0}};
  for (const OutputModel& o : outs) ASSERT_NE(o.model, nullptr);
  OuterFunction targets = [](const Eigen::VectorXd& y, Eigen::VectorXd* g) {
    const Eigen::Vector3d t(0.3, -0.8, 2.5), w(1.0, 2.0, 0.5);
    if (g) *g = 2.0 * w.cwiseProduct(y - t);
    return (w.array() * (y - t).array().square()).sum();
  };
  OuterFunction nonlinear = [](const Eigen::VectorXd& y, Eigen::VectorXd* g) {
    if (g) *g = Eigen::Vector3d(std::cos(y[0]) * y[1], std::sin(y[0]) + 2 * y[1] * y[2], y[1] * y[1]);
    return std::sin(y[0]) * y[1] + y[1] * y[1] * y[2];
  };
  const Eigen::MatrixXd z = BaseSamples(64, 3);
  for (const auto& [outer, sign, best] : {std::tuple{targets, -1.0, -1.0}, std::tuple{targets, -1.0, -40.0},
                                          std::tuple{nonlinear, 1.0, 0.5}, std::tuple{nonlinear, 1.0, 1e3}}) {
    // best = 1e3 (or -40 for the minimized one): far beyond every sample, the smoothed branch.
    CompositeExpectedImprovement cei(outs, outer, sign, best, z, 0.05);
    for (const Eigen::Vector3d& x : {Eigen::Vector3d(0.2, 0.3, 0.8), Eigen::Vector3d(0.7, 0.5, 0.1)}) {
      Eigen::VectorXd g;
      const double v = cei.Evaluate(x, &g);
      ASSERT_TRUE(std::isfinite(v)) << best;
      const Eigen::VectorXd fd = FiniteDifference(cei, x);
      EXPECT_LT((g - fd).norm(), 1e-4 * std::max(1.0, fd.norm())) << "best " << best << "\n" << g.transpose()
                                                                   << "\n" << fd.transpose();
    }
  }
}

TEST(CompositeEiTest, OuterGradientOnlyWhereTheSampleWeightMatters) {
  // A tiny softplus temperature (the strategy uses 1e-6 of the observed spread): samples that do not improve on
  // best have weights that underflow, so dg/dy is asked only for the improving ones; the gradient still matches
  // finite differences.
  std::vector<OutputModel> outs = {{SmallGp(3, 10, 1), 0.5, 1.2}, {SmallGp(3, 9, 2), -1.0, 0.7},
                                   {SmallGp(3, 11, 3), 2.0, 3.0}};
  for (const OutputModel& o : outs) ASSERT_NE(o.model, nullptr);
  int value_calls = 0, gradient_calls = 0;
  OuterFunction nonlinear = [&](const Eigen::VectorXd& y, Eigen::VectorXd* g) {
    ++(g ? gradient_calls : value_calls);
    if (g) *g = Eigen::Vector3d(std::cos(y[0]) * y[1], std::sin(y[0]) + 2 * y[1] * y[2], y[1] * y[1]);
    return std::sin(y[0]) * y[1] + y[1] * y[1] * y[2];
  };
  const Eigen::MatrixXd z = BaseSamples(64, 3);
  const Eigen::Vector3d x(0.2, 0.3, 0.8);
  // best at the median sample value: about half of the samples improve.
  std::vector<double> u;
  {
    std::vector<PointPosterior> post(3);
    for (int j = 0; j < 3; ++j) ASSERT_TRUE(PosteriorAtPoint(*outs[j].model, x, false, &post[j]));
    for (int s = 0; s < z.rows(); ++s) {
      Eigen::Vector3d y;
      for (int j = 0; j < 3; ++j) {
        y[j] = (post[j].mean + z(s, j) * std::sqrt(post[j].variance)) * outs[j].scale + outs[j].offset;
      }
      u.push_back(nonlinear(y, nullptr));
    }
  }
  std::vector<double> sorted = u;
  std::nth_element(sorted.begin(), sorted.begin() + 32, sorted.end());
  const double best = sorted[32];
  const int improving = static_cast<int>(std::count_if(u.begin(), u.end(), [&](double v) { return v > best; }));
  CompositeExpectedImprovement cei(outs, nonlinear, 1.0, best, z, 1e-9);
  Eigen::VectorXd g;
  value_calls = gradient_calls = 0;
  ASSERT_TRUE(std::isfinite(cei.Evaluate(x, &g)));
  EXPECT_EQ(value_calls, 64);
  EXPECT_GE(gradient_calls, improving);
  EXPECT_LE(gradient_calls, improving + 1);  // + the median sample itself (a = 0)
  EXPECT_LT(improving, 40);
  const Eigen::VectorXd fd = FiniteDifference(cei, x);
  EXPECT_LT((g - fd).norm(), 1e-4 * std::max(1.0, fd.norm())) << g.transpose() << "\n" << fd.transpose();
}

TEST(CompositeEiTest, NonFiniteOuterValuesCountAsNoImprovement) {
  auto gp = SmallGp(2, 8, 5);
  ASSERT_NE(gp, nullptr);
  // g(y) = 1 / y: samples with y = 0 exactly do not occur, but y <= 0 samples here return NaN ("log of a negative").
  OuterFunction partial = [](const Eigen::VectorXd& y, Eigen::VectorXd* g) {
    if (y[0] <= 0) return std::nan("");
    if (g) *g = Eigen::VectorXd::Constant(1, 1.0);
    return y[0];
  };
  OuterFunction never = [](const Eigen::VectorXd&, Eigen::VectorXd*) { return std::nan(""); };
  const Eigen::MatrixXd z = BaseSamples(256, 1);
  const Eigen::Vector2d x(0.4, 0.6);
  CompositeExpectedImprovement some(std::vector<OutputModel>{{gp, 0.0, 1.0}}, partial, 1.0, 0.0, z, 1e-6);
  CompositeExpectedImprovement::Estimate e;
  ASSERT_TRUE(some.EstimateAt(x, &e));
  // With best = 0, the improvement max(y, 0) is the same whether the y <= 0 samples are dropped or kept.
  ExpectedImprovement closed(gp, 0.0);
  EXPECT_NEAR(e.ei, closed.Evaluate(x, nullptr), 2e-2 * closed.Evaluate(x, nullptr));
  EXPECT_GT(e.nonfinite, 0);
  Eigen::VectorXd g;
  EXPECT_TRUE(std::isfinite(some.Evaluate(x, &g)));
  EXPECT_TRUE(g.allFinite());
  CompositeExpectedImprovement none(std::vector<OutputModel>{{gp, 0.0, 1.0}}, never, 1.0, 0.0, z, 1e-6);
  EXPECT_EQ(none.Evaluate(x, &g), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(g.allFinite());
  ASSERT_TRUE(none.EstimateAt(x, &e));
  EXPECT_EQ(e.nonfinite, 256);
  EXPECT_EQ(e.ei, 0.0);
}

TEST(ConfigTest, UcbWhereOptimisticallyFeasibleAndGradients) {
  auto f = SmallGp(2, 9, 7);
  auto c = SmallGp(2, 9, 8);
  ASSERT_NE(f, nullptr);
  ASSERT_NE(c, nullptr);
  const double beta = 4.0;
  // A bound every point satisfies optimistically: CONFIG equals UCB.
  ConfigAcquisition loose(f, {{c, 100.0, true}}, beta);
  UpperConfidenceBound ucb(f, beta);
  const Eigen::Vector2d x(0.35, 0.65);
  EXPECT_NEAR(loose.Evaluate(x, nullptr), ucb.Evaluate(x, nullptr), 1e-12);
  EXPECT_EQ(loose.Violation(x), 0.0);
  // A bound nothing satisfies: value = UCB - rho * violation, violation = mu - 2 sigma - bound.
  ConfigAcquisition tight(f, {{c, -100.0, true}, {c, 100.0, false}}, beta, 10.0);
  PointPosterior p;
  ASSERT_TRUE(PosteriorAtPoint(*c, x, false, &p));
  const double v = (p.mean - 2 * std::sqrt(p.variance) + 100.0) + (100.0 - p.mean - 2 * std::sqrt(p.variance));
  EXPECT_NEAR(tight.Violation(x), v, 1e-9);
  EXPECT_NEAR(tight.Evaluate(x, nullptr), ucb.Evaluate(x, nullptr) - 10.0 * v, 1e-9);
  // Gradients (away from the kinks).
  ConfigAcquisition mid(f, {{c, 0.0, true}}, beta);
  for (const Eigen::Vector2d& y : {Eigen::Vector2d(0.1, 0.2), Eigen::Vector2d(0.8, 0.3), Eigen::Vector2d(0.5, 0.9)}) {
    for (const ConfigAcquisition* a : {&mid, &tight}) {
      Eigen::VectorXd g;
      a->Evaluate(y, &g);
      const Eigen::VectorXd fd = FiniteDifference(*a, y);
      EXPECT_LT((g - fd).norm(), 1e-5 * std::max(1.0, fd.norm())) << g.transpose() << " | " << fd.transpose();
    }
  }
}

TEST(SampleSuccessesTest, FrequenciesMatchTheLatentMarginalsAndNearbyRowsAgree) {
  Eigen::MatrixXd x(8, 2);
  x << 0.1, 0.1, 0.2, 0.8, 0.5, 0.5, 0.9, 0.9, 0.8, 0.7, 0.3, 0.4, 0.95, 0.6, 0.6, 0.2;
  Eigen::VectorXd labels(8);
  labels << 1, 1, 1, -1, -1, 1, -1, 1;
  gp::GpClassifier c(gp::MakeKernel(gp::InputSpec::AllContinuous(2), gp::KernelOptions()));
  c.SetIsotropic(0.3, 4.0);
  ASSERT_TRUE(c.Fit(x, labels).ok());
  Eigen::MatrixXd q(4, 2);
  q << 0.85, 0.8, 0.86, 0.81, 0.5, 0.45, 0.1, 0.9;  // rows 0 and 1 are neighbours in the failing corner
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov;
  ASSERT_TRUE(c.LatentPosterior(q, &mean, &cov));
  const int draws = 4000;
  Eigen::VectorXd count = Eigen::VectorXd::Zero(4);
  int agree = 0;
  for (int s = 0; s < draws; ++s) {
    gp::GpStatus status;
    const std::vector<bool> ok = SampleSuccesses(c, q, 1000 + s, &status);
    ASSERT_TRUE(status.ok()) << status.message();
    ASSERT_EQ(ok.size(), 4u);
    for (int i = 0; i < 4; ++i) count[i] += ok[i];
    agree += ok[0] == ok[1];
  }
  for (int i = 0; i < 4; ++i) {
    const double p = NormalCdf(mean[i] / std::sqrt(cov(i, i)));
    EXPECT_NEAR(count[i] / draws, p, 4 * std::sqrt(p * (1 - p) / draws) + 1e-3) << i;
  }
  // Independent draws would agree with probability p0 p1 + (1 - p0)(1 - p1); the joint draw nearly always.
  const double p0 = count[0] / draws, p1 = count[1] / draws;
  EXPECT_GT(agree, 0.97 * draws);
  EXPECT_GT(agree - (p0 * p1 + (1 - p0) * (1 - p1)) * draws, 0.1 * draws);
}

TEST(WithSuccessProbabilityTest, AddsLogProbabilityAndItsGradient) {
  auto f = SmallGp(2, 9, 11);
  ASSERT_NE(f, nullptr);
  Eigen::MatrixXd x(8, 2);
  x << 0.1, 0.1, 0.2, 0.8, 0.5, 0.5, 0.9, 0.9, 0.8, 0.7, 0.3, 0.4, 0.95, 0.6, 0.6, 0.2;
  Eigen::VectorXd labels(8);
  labels << 1, 1, 1, -1, -1, 1, -1, 1;
  auto c = std::make_shared<gp::GpClassifier>(gp::MakeKernel(gp::InputSpec::AllContinuous(2), gp::KernelOptions()));
  c->SetIsotropic(0.3, 4.0);
  ASSERT_TRUE(c->Fit(x, labels).ok());
  auto base = std::make_shared<LogExpectedImprovement>(f, 0.5);
  WithSuccessProbability a(base, c);
  for (const Eigen::Vector2d& y : {Eigen::Vector2d(0.15, 0.3), Eigen::Vector2d(0.85, 0.8)}) {
    gp::ClassifierPrediction p;
    ASSERT_TRUE(c->PredictAt(y, false, &p));
    EXPECT_NEAR(a.Evaluate(y, nullptr), base->Evaluate(y, nullptr) + std::log(p.probability), 1e-10);
    Eigen::VectorXd g;
    a.Evaluate(y, &g);
    const Eigen::VectorXd fd = FiniteDifference(a, y);
    EXPECT_LT((g - fd).norm(), 1e-5 * std::max(1.0, fd.norm()));
  }
  EXPECT_EQ(a.name(), "log_ei+log_p_success");
  // A linear-scale base: EI times P, UCB's excess over the floor times P (a failure scores the floor).
  auto ei = std::make_shared<ExpectedImprovement>(f, 0.5);
  auto ucb = std::make_shared<UpperConfidenceBound>(f, 2.0);
  const WithSuccessProbability b(ei, c);
  const WithSuccessProbability u(ucb, c, -3.0);
  EXPECT_EQ(b.name(), "ei*p_success");
  EXPECT_FALSE(u.log_scale());
  for (const Eigen::Vector2d& y : {Eigen::Vector2d(0.15, 0.3), Eigen::Vector2d(0.85, 0.8)}) {
    gp::ClassifierPrediction p;
    ASSERT_TRUE(c->PredictAt(y, false, &p));
    EXPECT_NEAR(b.Evaluate(y, nullptr), ei->Evaluate(y, nullptr) * p.probability, 1e-12);
    EXPECT_NEAR(u.Evaluate(y, nullptr), (ucb->Evaluate(y, nullptr) + 3.0) * p.probability, 1e-10);
    for (const WithSuccessProbability* w : {&b, &u}) {
      Eigen::VectorXd g;
      w->Evaluate(y, &g);
      const Eigen::VectorXd fd = FiniteDifference(*w, y);
      EXPECT_LT((g - fd).norm(), 1e-5 * std::max(1.0, fd.norm())) << w->name();
    }
  }
}

}  // namespace
}  // namespace bayesd::acquisition
