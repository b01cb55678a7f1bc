// The acquisition optimizer: finds a known maximum, respects exclusions and categorical columns; pending points
// conditioned into the model give distinct batch points.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <set>

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

TEST(OptimizerTest, BoltzmannRestartsAlwaysRefineTheBestRawCandidate) {
  // One restart: Boltzmann selection must still start from the best raw candidate (BoTorch's guarantee), so the
  // unimodal landscape's maximum is found for every seed of the draws.
  const int d = 3;
  Eigen::VectorXd c(d);
  c << 0.62, 0.18, 0.44;
  auto model = std::make_shared<LandscapeModel>(c, gp::InputSpec::AllContinuous(d));
  UpperConfidenceBound ucb(model, 0.0);
  OptimizationDomain domain{gp::InputSpec::AllContinuous(d), nullptr, Eigen::MatrixXd()};
  const Eigen::MatrixXd raw = Uniform(512, d, 11);
  for (uint64_t seed = 0; seed < 8; ++seed) {
    OptimizerOptions o;
    o.restart_selection = OptimizerOptions::RestartSelection::kBoltzmann;
    o.num_restarts = 1;
    o.seed = seed;
    const OptimizerResult r = OptimizeAcquisition(ucb, raw, domain, o);
    ASSERT_TRUE(r.found);
    EXPECT_EQ(r.restarts, 1);
    EXPECT_LT((r.x - c).cwiseAbs().maxCoeff(), 1e-4) << "seed " << seed << ": " << r.x.transpose();
  }
}

// Records the points of single-point evaluations (the optimizer's restart starts when there is no gradient).
class RecordingAcquisition : public Acquisition {
 public:
  explicit RecordingAcquisition(const Acquisition* inner) : inner_(inner) {}
  std::string name() const override { return "recording"; }
  bool log_scale() const override { return false; }
  bool has_gradient() const override { return false; }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override {
    points.push_back(x);
    return inner_->Evaluate(x, grad);
  }
  Eigen::VectorXd EvaluateMany(const Eigen::MatrixXd& x) const override { return inner_->EvaluateMany(x); }
  mutable std::vector<Eigen::VectorXd> points;

 private:
  const Acquisition* inner_;
};

TEST(OptimizerTest, BoltzmannRestartsSpreadOverTheCandidates) {
  // 20 starts drawn from 256 candidates: the best candidate is always among them, the draws favour good candidates
  // (mean start value above the mean candidate value) without being the top 20, and two seeds draw differently.
  const int d = 2;
  Eigen::VectorXd c(d);
  c << 0.5, 0.5;
  auto model = std::make_shared<LandscapeModel>(c, gp::InputSpec::AllContinuous(d));
  UpperConfidenceBound ucb(model, 0.0);
  OptimizationDomain domain{gp::InputSpec::AllContinuous(d), nullptr, Eigen::MatrixXd()};
  const Eigen::MatrixXd raw = Uniform(256, d, 12);
  const Eigen::VectorXd values = ucb.EvaluateMany(raw);
  std::vector<double> sorted(values.data(), values.data() + values.size());
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  auto starts = [&](uint64_t seed) {
    RecordingAcquisition rec(&ucb);
    OptimizerOptions o;
    o.restart_selection = OptimizerOptions::RestartSelection::kBoltzmann;
    o.num_restarts = 20;
    o.seed = seed;
    EXPECT_TRUE(OptimizeAcquisition(rec, raw, domain, o).found);
    std::set<double> v;  // distinct start values
    for (const Eigen::VectorXd& x : rec.points) v.insert(ucb.Evaluate(x, nullptr));
    return v;
  };
  const std::set<double> a = starts(1), b = starts(2);
  ASSERT_EQ(a.size(), 20u);
  EXPECT_EQ(*a.rbegin(), sorted[0]);
  EXPECT_EQ(*b.rbegin(), sorted[0]);
  EXPECT_LT(*a.begin(), sorted[19]);  // not just the top 20
  double mean_start = 0;
  for (double v : a) mean_start += v / a.size();
  EXPECT_GT(mean_start, values.mean());
  EXPECT_NE(a, b);
}

TEST(OptimizerTest, RefinementStaysInTheDomainBox) {
  // The landscape decreases with the distance to c, so its maximum over a box not containing c is c's projection
  // onto the box; neither refinement nor the result may leave the box.
  const int d = 3;
  Eigen::VectorXd c(d);
  c << 0.8, 0.1, 0.5;
  auto model = std::make_shared<LandscapeModel>(c, gp::InputSpec::AllContinuous(d));
  UpperConfidenceBound ucb(model, 0.0);
  Eigen::VectorXd lower(d), upper(d);
  lower << 0.2, 0.3, 0.4;
  upper << 0.6, 0.7, 0.9;
  Eigen::MatrixXd raw = Uniform(128, d, 13);
  for (int j = 0; j < d; ++j) raw.col(j) = (lower[j] + raw.col(j).array() * (upper[j] - lower[j])).matrix();
  OptimizationDomain domain{gp::InputSpec::AllContinuous(d), nullptr, Eigen::MatrixXd()};
  OptimizerOptions o;
  o.lower = lower;
  o.upper = upper;
  const OptimizerResult r = OptimizeAcquisition(ucb, raw, domain, o);
  ASSERT_TRUE(r.found);
  const Eigen::VectorXd projection = c.cwiseMax(lower).cwiseMin(upper);  // (0.6, 0.3, 0.5)
  EXPECT_LT((r.x - projection).cwiseAbs().maxCoeff(), 1e-4) << r.x.transpose();
  EXPECT_TRUE(((r.x - lower).array() >= 0).all() && ((upper - r.x).array() >= 0).all()) << r.x.transpose();
}

TEST(OptimizerTest, BoltzmannEtaIsValidated) {
  OptimizerOptions o;
  o.boltzmann_eta = 0;
  EXPECT_FALSE(o.Validate().ok());
  o.boltzmann_eta = 2;
  EXPECT_TRUE(o.Validate().ok());
}

}  // namespace
}  // namespace bayesd::acquisition
