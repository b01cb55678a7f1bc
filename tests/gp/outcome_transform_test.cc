// OutcomeTransform: standardization, Yeo-Johnson round trips, back-transform of Gaussians, degenerate outcomes.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "gp/outcome_transform.h"

namespace bayesd::gp {
namespace {

TEST(YeoJohnsonTest, InverseRoundTripsOverLambdas) {
  for (double lambda : {-2.5, -1.0, 0.0, 0.5, 1.0, 2.0, 3.0}) {
    for (double u : {-5.0, -1.0, -0.1, 0.0, 0.2, 1.0, 7.0}) {
      EXPECT_NEAR(YeoJohnsonInverse(YeoJohnson(u, lambda), lambda), u, 1e-10 * (1 + std::abs(u)))
          << "lambda " << lambda << " u " << u;
    }
  }
  EXPECT_DOUBLE_EQ(YeoJohnson(3.0, 1.0), 3.0);  // lambda = 1 is the identity
}

TEST(OutcomeTransformTest, AffineStandardizationIsExact) {
  OutcomeTransform t;
  Eigen::VectorXd y(4);
  y << 1, 2, 3, 10;
  ASSERT_TRUE(t.Fit(y).ok());
  EXPECT_FALSE(t.warped());
  const Eigen::VectorXd z = t.ToModel(y);
  EXPECT_NEAR(z.mean(), 0, 1e-12);
  EXPECT_NEAR(std::sqrt(z.squaredNorm() / 3), 1, 1e-12);
  Eigen::VectorXd mean, sd, lo, hi;
  t.ToOutcomeGaussian(Eigen::Vector2d(0.5, -1), Eigen::Vector2d(0.25, 4), &mean, &sd, &lo, &hi);
  EXPECT_NEAR(mean[0], t.offset() + 0.5 * t.scale(), 1e-12);
  EXPECT_NEAR(sd[0], 0.5 * t.scale(), 1e-12);
  EXPECT_NEAR(sd[1], 2 * t.scale(), 1e-12);
  EXPECT_NEAR(hi[0] - mean[0], 1.959963984540054 * sd[0], 1e-10);
}

TEST(OutcomeTransformTest, YeoJohnsonReducesSkewAndMapsQuantilesMonotonically) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> ln(0.0, 1.0);
  Eigen::VectorXd y(200);
  for (int i = 0; i < 200; ++i) y[i] = ln(rng);
  OutcomeTransformOptions o;
  o.warp = OutcomeTransformOptions::Warp::kAuto;
  OutcomeTransform t(o);
  ASSERT_TRUE(t.Fit(y).ok());
  ASSERT_TRUE(t.warped());
  EXPECT_LT(t.lambda(), 1.0);  // right-skewed data compresses the upper tail
  for (int i = 0; i < 20; ++i) EXPECT_NEAR(t.ToOutcome(t.ToModel(y[i])), y[i], 1e-9 * (1 + y[i]));
  const Eigen::VectorXd z = t.ToModel(y);
  const double m = z.mean();
  const double skew = (z.array() - m).cube().mean() / std::pow((z.array() - m).square().mean(), 1.5);
  EXPECT_LT(std::abs(skew), 0.3);
  Eigen::VectorXd mean, sd, lo, hi;
  t.ToOutcomeGaussian(Eigen::Vector2d(0.0, 1.0), Eigen::Vector2d(0.1, 0.1), &mean, &sd, &lo, &hi);
  EXPECT_LT(lo[0], mean[0]);
  EXPECT_LT(mean[0], hi[0]);
  EXPECT_LT(mean[0], mean[1]);
  // Delta method: sd = |dy/dz| sd_z, checked by finite differences of the inverse map.
  const double h = 1e-6;
  const double slope = (t.ToOutcome(1.0 + h) - t.ToOutcome(1.0 - h)) / (2 * h);
  EXPECT_NEAR(sd[1], slope * std::sqrt(0.1), 1e-6 * slope);
  // Noise variance maps with the same slope.
  const Eigen::VectorXd nz = t.NoiseToModel(mean.tail(1), Eigen::VectorXd::Constant(1, 4.0));
  EXPECT_NEAR(nz[0], 4.0 / (slope * slope), 1e-5 * nz[0]);
}

TEST(OutcomeTransformTest, DegenerateOutcomesStayFinite) {
  for (double scale : {1e-12, 1.0, 1e12}) {
    OutcomeTransformOptions o;
    o.warp = OutcomeTransformOptions::Warp::kYeoJohnson;
    OutcomeTransform t(o);
    ASSERT_TRUE(t.Fit(Eigen::VectorXd::Constant(10, 3.0 * scale)).ok());
    EXPECT_TRUE(std::isfinite(t.ToModel(3.0 * scale)));
    EXPECT_GT(t.scale(), 0);
    ASSERT_TRUE(t.Fit(Eigen::VectorXd::Constant(1, scale)).ok());
    EXPECT_NEAR(t.ToOutcome(t.ToModel(scale)), scale, 1e-12 * scale);
  }
  OutcomeTransform t;
  EXPECT_FALSE(t.Fit(Eigen::VectorXd()).ok());
  EXPECT_FALSE(t.Fit(Eigen::Vector2d(1, NAN)).ok());
}

TEST(OutcomeTransformTest, StandardizationDoesNotDependOnTheOutcomesScale) {
  // Squares of outcomes near 1e-160 underflow and near 1e160 overflow: a naive sd made such outcomes constant (a
  // flat model) or infinite. Scaled by a power of two, the standardized outcomes are bit-for-bit the same, and by
  // any factor the same to rounding.
  Eigen::VectorXd y(6);
  y << 0.3, -1.2, 2.5, 0.9, 4.0, -0.7;
  OutcomeTransform unit;
  ASSERT_TRUE(unit.Fit(y).ok());
  const Eigen::VectorXd z = unit.ToModel(y);
  for (int e : {-1000, -900, -600, -300, 300, 600, 900, 1000}) {
    const double c = std::ldexp(1.0, e);
    OutcomeTransform t;
    ASSERT_TRUE(t.Fit(y * c).ok()) << e;
    EXPECT_EQ(t.scale(), unit.scale() * c) << e;
    EXPECT_EQ(t.offset(), unit.offset() * c) << e;
    for (int i = 0; i < y.size(); ++i) EXPECT_EQ(t.ToModel(y[i] * c), z[i]) << e << " " << i;
    EXPECT_NEAR(t.ToOutcome(z[2]) / c, y[2], 1e-14) << e;
  }
  for (double c : {1e-250, 1e-170, 1e170, 1e250}) {
    OutcomeTransform t;
    ASSERT_TRUE(t.Fit(y * c).ok()) << c;
    EXPECT_NEAR(t.scale() / c, unit.scale(), 1e-12) << c;
    for (int i = 0; i < y.size(); ++i) EXPECT_NEAR(t.ToModel(y[i] * c), z[i], 1e-12) << c << " " << i;
  }
}

TEST(SampleMeanSdTest, TwoPassAndScaled) {
  double mean = -1, sd = -1;
  SampleMeanSd(Eigen::Vector4d(1, 2, 3, 4), &mean, &sd);
  EXPECT_DOUBLE_EQ(mean, 2.5);
  EXPECT_DOUBLE_EQ(sd, std::sqrt(5.0 / 3.0));
  // A large offset: the one-pass sum of squares (sum2 - sum^2 / n) loses this spread entirely.
  Eigen::VectorXd v(5);
  v << 1e8 + 1e-3, 1e8 - 1e-3, 1e8 + 2e-3, 1e8 - 2e-3, 1e8;
  SampleMeanSd(v, &mean, &sd);
  EXPECT_NEAR(sd, std::sqrt(10e-6 / 4), 1e-8);
  const double sum = v.sum(), sum2 = v.squaredNorm();
  EXPECT_GT(std::abs(std::sqrt(std::max(0.0, (sum2 - sum * sum / 5) / 4)) - std::sqrt(10e-6 / 4)), 1e-4);
  SampleMeanSd(Eigen::VectorXd::Constant(3, 1e-310), &mean, &sd);  // subnormal values
  EXPECT_EQ(mean, 1e-310);
  EXPECT_EQ(sd, 0);
  SampleMeanSd(Eigen::VectorXd::Constant(1, 7.0), &mean, &sd);
  EXPECT_EQ(mean, 7.0);
  EXPECT_EQ(sd, 0);
  SampleMeanSd(Eigen::VectorXd(), &mean, &sd);
  EXPECT_EQ(mean, 0);
  EXPECT_EQ(sd, 0);
}

}  // namespace
}  // namespace bayesd::gp
