// The trust region's local model (src/strategies/gp_local_model.h): which observations it takes, and that its
// neighbourhood-scaled prior makes the fit of the neighbourhood what the global fit of the unit cube would be.
#include "src/strategies/gp_local_model.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace bayesd {
namespace {

TEST(LocalRowsTest, TakesTheBoxAroundTheCentreThenTheNearestAndNeverNaN) {
  const gp::InputSpec spec = gp::InputSpec::AllContinuous(2);
  Eigen::MatrixXd x(6, 2);
  x << 0.50, 0.50,   // 0: the centre
      0.55, 0.45,    // 1: inside the box of side 0.2 (Chebyshev 0.05)
      0.59, 0.41,    // 2: inside (0.09)
      0.50, 0.62,    // 3: outside (0.12)
      0.52, 0.51,    // 4: inside, but its value is NaN
      0.90, 0.10;    // 5: far (0.4)
  Eigen::VectorXd y(6);
  y << 1, 2, 3, 4, std::nan(""), 6;
  const Eigen::Vector2d c(0.5, 0.5);
  EXPECT_EQ(LocalRows(spec, x, y, c, 0.2, 0), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(LocalRows(spec, x, y, c, 0.2, 4), (std::vector<int>{0, 1, 2, 3}));  // + the nearest outside
  EXPECT_EQ(LocalRows(spec, x, y, c, 0.2, 10), (std::vector<int>{0, 1, 2, 3, 5}));  // all finite ones
  EXPECT_EQ(LocalRows(spec, x, y, c, 0.26, 0), (std::vector<int>{0, 1, 2, 3}));
}

// The local model of a neighbourhood of side s is the default (unit-cube) model of the same data mapped onto the
// unit cube, lengthscales scaled by s: the shifted prior and floor are exactly the unit cube's seen from the box.
TEST(LocalModelTest, EqualsTheUnitCubeFitOfTheRescaledNeighbourhood) {
  const int d = 3;
  const gp::InputSpec spec = gp::InputSpec::AllContinuous(d);
  const Eigen::Vector3d centre(0.4, 0.6, 0.5);
  const double length = 0.1, side = 0.2;  // neighbourhood = 2 sides
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  const int n = 30;
  Eigen::MatrixXd x(n, d);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = centre[j] + side * u(rng);  // all within the neighbourhood
    // structure at the neighbourhood's scale: period side / 2 in x0
    y[i] = std::cos(4 * M_PI * (x(i, 0) - centre[0]) / side) - 3 * std::pow((x(i, 1) - centre[1]) / side, 2);
  }
  LocalModelOptions lo;
  lo.neighbourhood = side / length;
  lo.seed = 3;
  const LocalModel local = FitLocalModel(spec, x, y, centre, length, lo);
  ASSERT_TRUE(local.model);
  EXPECT_EQ(static_cast<int>(local.rows.size()), n);
  EXPECT_NEAR(local.side, side, 1e-12);
  EXPECT_NEAR(local.incumbent, local.model->transform().ToModel(y.maxCoeff()), 1e-12);

  Eigen::MatrixXd xs = x;
  for (int j = 0; j < d; ++j) xs.col(j) = ((x.col(j).array() - centre[j]) / side + 0.5).matrix();
  OutcomeModelOptions mo;
  mo.fit.num_random_starts = lo.fit_random_starts;
  mo.fit.seed = lo.seed;
  OutcomeModel unit(spec, mo);
  unit.Fit(xs, y, Eigen::VectorXd(), FitMode::kFull);
  ASSERT_TRUE(unit.ok());
  const Eigen::VectorXd a = local.model->hyperparameters(), b = unit.hyperparameters();
  ASSERT_EQ(a.size(), b.size());
  for (int j = 0; j < d; ++j) EXPECT_NEAR(a[j], b[j] + std::log(side), 1e-3) << "lengthscale " << j;
  for (Eigen::Index k = d; k < a.size(); ++k) EXPECT_NEAR(a[k], b[k], 1e-3) << "parameter " << k;
  // The x0 structure is resolved: its lengthscale is a fraction of the neighbourhood, far below the global prior's.
  EXPECT_LT(std::exp(a[0]), side);

  // A model without the shift (the global prior on this small box) calls the same structure much smoother or noise.
  OutcomeModelOptions plain;
  plain.fit.num_random_starts = lo.fit_random_starts;
  plain.fit.seed = lo.seed;
  OutcomeModel global(spec, plain);
  global.Fit(x, y, Eigen::VectorXd(), FitMode::kFull);
  ASSERT_TRUE(global.ok());
  EXPECT_GT(global.hyperparameters()[0], a[0]);
}

// The closed-form leave-one-out density equals refitting without each point (same hyperparameters): the posterior of
// the held-out observation from the other n - 1, noise included, in the outcome's units.
TEST(LocalModelTest, LooLogPredictiveEqualsExplicitLeaveOneOut) {
  const int d = 2, n = 15;
  const gp::InputSpec spec = gp::InputSpec::AllContinuous(d);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(n, d);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = u(rng);
    x(i, 1) = u(rng);
    y[i] = 50 + 20 * std::sin(5 * x(i, 0)) + 7 * x(i, 1) + 0.5 * u(rng);  // units far from standardized
  }
  OutcomeModel model(spec, OutcomeModelOptions());
  model.Fit(x, y, Eigen::VectorXd(), FitMode::kFull);
  ASSERT_TRUE(model.ok());
  ASSERT_EQ(model.gp()->jitter(), 0.0);
  const std::vector<int> rows = {0, 3, 7, 14};
  double expected = 0;
  for (int i : rows) {
    Eigen::MatrixXd xo(n - 1, d);
    Eigen::VectorXd zo(n - 1);
    for (int k = 0, r = 0; k < n; ++k) {
      if (k == i) continue;
      xo.row(r) = x.row(k);
      zo[r++] = model.gp()->y()[k];  // model space: the full model's standardization
    }
    gp::ExactGp held(model.gp()->kernel().Clone(), model.gp()->options());
    ASSERT_TRUE(held.SetData(xo, zo).ok());
    held.SetHyperparameters(model.hyperparameters());
    ASSERT_TRUE(held.Factorize().ok());
    const gp::Posterior p = held.Predict(x.row(i), gp::PosteriorOptions());
    ASSERT_TRUE(p.status.ok());
    const double s = model.transform().scale();
    const double mean = model.transform().offset() + s * p.mean[0];
    const double var = s * s * (p.variance[0] + held.noise_variance());
    expected += -0.5 * std::log(2 * M_PI * var) - 0.5 * (y[i] - mean) * (y[i] - mean) / var;
  }
  EXPECT_NEAR(LooLogPredictive(model, rows), expected, 1e-6 * std::max(1.0, std::abs(expected)));
  EXPECT_TRUE(std::isnan(LooLogPredictive(model, {n})));  // not a training row
}

}  // namespace
}  // namespace bayesd
