// The acquisition optimizer: finds a known maximum, respects exclusions and categorical columns; pending points
// conditioned into the model give distinct batch points.
#include <cmath>
#include <memory>
#include <random>

#include <gtest/gtest.h>

#include "acquisition/acquisition.h"
#include "acquisition/optimizer.h"
#include "tests/acquisition/test_models.h"

namespace bayesd::acquisition {
namespace {

using testing::LandscapeModel;
using testing::SmallGp;

Eigen::MatrixXd Uniform(int m, int d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(m, d);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = u(rng);
  }
  return x;
}

TEST(OptimizerTest, FindsTheMaximumOfAKnownLandscape) {
  const int d = 4;
  Eigen::VectorXd c(d);
  c << 0.23, 0.71, 0.05, 0.9;
  auto model = std::make_shared<LandscapeModel>(c, gp::InputSpec::AllContinuous(d));
  UpperConfidenceBound ucb(model, 0.0);  // the mean only: maximum exactly at c
  OptimizationDomain domain{gp::InputSpec::AllContinuous(d), nullptr, Eigen::MatrixXd()};
  const OptimizerResult r = OptimizeAcquisition(ucb, Uniform(256, d, 1), domain, OptimizerOptions());
  ASSERT_TRUE(r.found);
  EXPECT_LT((r.x - c).cwiseAbs().maxCoeff(), 1e-4) << r.x.transpose();
  EXPECT_NEAR(r.value, 1.0, 1e-8);
  EXPECT_GE(r.value, r.raw_best_value);
  EXPECT_GT(r.restarts, 0);
}

TEST(OptimizerTest, NeverReturnsAnExcludedPoint) {
  const int d = 2;
  Eigen::VectorXd c(d);
  c << 0.5, 0.5;
  auto model = std::make_shared<LandscapeModel>(c, gp::InputSpec::AllContinuous(d));
  UpperConfidenceBound ucb(model, 0.0);
  // Integers: snap to a 5 x 5 grid of cell centres; the maximizer's cell (0.5, 0.5) is excluded.
  auto snap = [](const Eigen::VectorXd& x) {
    Eigen::VectorXd s = x;
    for (int j = 0; j < s.size(); ++j) s[j] = (std::min(std::floor(x[j] * 5), 4.0) + 0.5) / 5;
    return s;
  };
  Eigen::MatrixXd excluded(1, d);
  excluded << 0.5, 0.5;
  OptimizationDomain domain{gp::InputSpec::AllContinuous(d), snap, excluded};
  const OptimizerResult r = OptimizeAcquisition(ucb, Uniform(64, d, 2), domain, OptimizerOptions());
  ASSERT_TRUE(r.found);
  EXPECT_FALSE(IsNearRow(r.x, excluded, 1e-9));
  EXPECT_EQ(r.x, snap(r.x));                                  // rounded
  EXPECT_NEAR((r.x - c).cwiseAbs().maxCoeff(), 0.2, 1e-12);  // a neighbouring cell
}

TEST(OptimizerTest, ReportsNotFoundWhenEverythingIsExcluded) {
  auto model = std::make_shared<LandscapeModel>(Eigen::VectorXd::Constant(1, 0.5), gp::InputSpec::AllContinuous(1));
  UpperConfidenceBound ucb(model, 1.0);
  auto snap = [](const Eigen::VectorXd& x) { return Eigen::VectorXd::Constant(1, x[0] < 0.5 ? 0.25 : 0.75); };
  Eigen::MatrixXd excluded(2, 1);
  excluded << 0.25, 0.75;
  OptimizationDomain domain{gp::InputSpec::AllContinuous(1), snap, excluded};
  EXPECT_FALSE(OptimizeAcquisition(ucb, Uniform(16, 1, 3), domain, OptimizerOptions()).found);
}

TEST(OptimizerTest, EnumeratesCategoricalColumns) {
  gp::InputSpec spec;
  spec.columns = {{gp::ColumnType::kContinuous, 0}, {gp::ColumnType::kCategorical, 4},
                  {gp::ColumnType::kContinuous, 0}};
  Eigen::VectorXd c(3);
  c << 0.3, 2, 0.8;  // best category 2
  auto model = std::make_shared<LandscapeModel>(c, spec);
  UpperConfidenceBound ucb(model, 0.0);
  Eigen::MatrixXd raw = Uniform(32, 3, 4);
  raw.col(1).setZero();  // the raw candidates never even try category 2
  OptimizationDomain domain{spec, nullptr, Eigen::MatrixXd()};
  const OptimizerResult r = OptimizeAcquisition(ucb, raw, domain, OptimizerOptions());
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.x[1], 2.0);
  EXPECT_NEAR(r.x[0], 0.3, 1e-4);
  EXPECT_NEAR(r.x[2], 0.8, 1e-4);
}

TEST(OptimizerTest, PendingConditioningGivesDistinctBatchPoints) {
  // Greedy batch with the kriging believer: after each pick, condition the model on the pick at its posterior mean.
  const int d = 2;
  std::shared_ptr<const Model> model = SmallGp(d, 10, 7, 1e-6);
  const double best = 0.8;
  OptimizationDomain domain{gp::InputSpec::AllContinuous(d), nullptr, Eigen::MatrixXd()};
  const Eigen::MatrixXd raw = Uniform(512, d, 5);
  Eigen::MatrixXd picks(0, d);
  for (int k = 0; k < 4; ++k) {
    LogExpectedImprovement acq(model, best);
    const OptimizerResult r = OptimizeAcquisition(acq, raw, domain, OptimizerOptions());
    ASSERT_TRUE(r.found);
    for (int i = 0; i < picks.rows(); ++i) {
      EXPECT_GT((picks.row(i).transpose() - r.x).norm(), 1e-2) << "pick " << k << " repeats pick " << i;
    }
    picks.conservativeResize(picks.rows() + 1, Eigen::NoChange);
    picks.row(picks.rows() - 1) = r.x.transpose();
    PointPosterior p;
    ASSERT_TRUE(PosteriorAtPoint(*model, r.x, false, &p));
    gp::GpStatus status;
    std::shared_ptr<const Model> next = model->Condition(r.x.transpose(), Eigen::VectorXd::Constant(1, p.mean),
                                                         &status);
    ASSERT_TRUE(status.ok()) << status.message();
    model = next;
  }
}

}  // namespace
}  // namespace bayesd::acquisition
