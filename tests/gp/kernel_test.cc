// Kernel properties shared by every kernel: symmetry, positive semi-definiteness, diagonal consistency, and
// hyperparameter / input gradients against central finite differences.
#include <algorithm>
#include <cmath>
#include <random>

#include <Eigen/Eigenvalues>
#include <gtest/gtest.h>

#include "tests/gp/test_util.h"

namespace bayesd::gp {
namespace {

using testing::FiniteDifference;
using testing::KernelNames;
using testing::MakeTestKernel;
using testing::MaxRelError;
using testing::RandomizeParams;
using testing::RandomMixedPoints;

class KernelTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    kernel_ = MakeTestKernel(GetParam());
    ASSERT_NE(kernel_, nullptr);
    RandomizeParams(kernel_.get(), &rng_);
  }
  std::mt19937_64 rng_{42};
  std::unique_ptr<Kernel> kernel_;
};

TEST_P(KernelTest, SymmetricPositiveSemiDefinite) {
  const Eigen::MatrixXd x = RandomMixedPoints(40, &rng_);
  const Eigen::MatrixXd k = kernel_->Compute(x, x);
  EXPECT_LT((k - k.transpose()).cwiseAbs().maxCoeff(), 1e-14);
  const Eigen::VectorXd eig = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(k).eigenvalues();
  EXPECT_GT(eig.minCoeff(), -1e-10 * eig.maxCoeff()) << "kernel " << GetParam();
  EXPECT_LT((k.diagonal() - kernel_->Diagonal(x)).cwiseAbs().maxCoeff(), 1e-13);
}

TEST_P(KernelTest, ParamGradientMatchesFiniteDifferences) {
  const Eigen::MatrixXd x = RandomMixedPoints(12, &rng_, 0.05, 0.9);
  Eigen::MatrixXd w = Eigen::MatrixXd::Random(12, 12);
  w = (w + w.transpose()).eval();
  const Eigen::VectorXd p0 = kernel_->Params();
  const Eigen::VectorXd analytic = kernel_->ContractParamGradient(x, w);
  auto f = [&](const Eigen::VectorXd& p) {
    auto k = kernel_->Clone();
    k->SetParams(p);
    return k->Compute(x, x).cwiseProduct(w).sum();
  };
  const Eigen::VectorXd numeric = FiniteDifference(f, p0, 1e-6);
  EXPECT_LT(MaxRelError(analytic, numeric, 1e-2), 1e-6) << "analytic " << analytic.transpose() << "\nnumeric "
                                                        << numeric.transpose();
}

TEST_P(KernelTest, InputGradientMatchesFiniteDifferences) {
  const Eigen::MatrixXd x2 = RandomMixedPoints(9, &rng_, 0.05, 0.9);
  const Eigen::MatrixXd xq = RandomMixedPoints(3, &rng_, 0.05, 0.9);
  for (int a = 0; a < xq.rows(); ++a) {
    const Eigen::RowVectorXd x = xq.row(a);
    const Eigen::MatrixXd g = kernel_->InputGradient(x, x2);  // d x n2
    ASSERT_EQ(g.rows(), 4);
    EXPECT_EQ(g.row(2).cwiseAbs().maxCoeff(), 0.0) << "categorical column must have zero gradient";
    for (int j = 0; j < x2.rows(); ++j) {
      for (int c : {0, 1, 3}) {
        auto f = [&](const Eigen::VectorXd& v) {
          Eigen::RowVectorXd xx = x;
          xx[c] = v[0];
          return kernel_->Compute(xx, x2.row(j))(0, 0);
        };
        const double num = FiniteDifference(f, Eigen::VectorXd::Constant(1, x[c]))[0];
        EXPECT_NEAR(g(c, j), num, 1e-6 * (1 + std::abs(num))) << "column " << c << " point " << j;
      }
    }
    auto fd = [&](const Eigen::VectorXd& v) {
      Eigen::RowVectorXd xx = x;
      xx[3] = v[0];
      return kernel_->Diagonal(xx)[0];
    };
    EXPECT_NEAR(kernel_->DiagonalInputGradient(x)[3], FiniteDifference(fd, Eigen::VectorXd::Constant(1, x[3]))[0],
                1e-6);
  }
}

TEST_P(KernelTest, CloneIsIndependent) {
  auto c = kernel_->Clone();
  Eigen::VectorXd p = c->Params();
  p.array() += 0.1;
  c->SetParams(p);
  EXPECT_GT((c->Params() - kernel_->Params()).cwiseAbs().minCoeff(), 0.05);
  EXPECT_EQ(c->ParamNames().size(), static_cast<size_t>(c->NumParams()));
}

INSTANTIATE_TEST_SUITE_P(AllKernels, KernelTest, ::testing::ValuesIn(KernelNames()),
                         [](const auto& info) { return info.param; });

TEST(KernelStructureTest, ColumnLengthscalesSkipColumnsWithoutOne) {
  InputSpec spec;
  spec.columns = {{ColumnType::kContinuous, 0}, {ColumnType::kCategorical, 3}, {ColumnType::kContinuous, 0}};
  for (const auto structure : {KernelOptions::Structure::kArd, KernelOptions::Structure::kAdditive,
                               KernelOptions::Structure::kAdditiveShared}) {
    KernelOptions ko;
    ko.structure = structure;
    const std::unique_ptr<Kernel> k = MakeKernel(spec, ko);
    ASSERT_NE(k, nullptr);
    Eigen::VectorXd p = k->Params();
    const std::vector<std::string> names = k->ParamNames();
    for (size_t i = 0; i < names.size(); ++i) p[i] = 0.1 * static_cast<double>(i + 1);
    k->SetParams(p);
    const Eigen::VectorXd ls = ColumnLengthscales(*k, 3);
    ASSERT_EQ(ls.size(), 3);
    EXPECT_EQ(ls[1], 0.0);  // the categorical column's cat_lengthscale is not a distance scale
    for (int c : {0, 2}) {
      const std::string want = structure == KernelOptions::Structure::kArd
                                   ? "lengthscale[" + std::to_string(c) + "]"
                                   : "additive[" + std::to_string(c) + "].lengthscale[" + std::to_string(c) + "]";
      const auto at = std::find(names.begin(), names.end(), want);
      ASSERT_NE(at, names.end()) << want;
      EXPECT_DOUBLE_EQ(ls[c], std::exp(p[at - names.begin()])) << want;
    }
  }
}

// The additive structure in closed form: k(x, y) = sum_c s2_c f(|x_c - y_c| / l_c), one Matérn-5/2 term per
// continuous column with its own lengthscale and output scale (or one shared s2 for all terms); ARD + additive adds s2 f(r) over all columns.
TEST(KernelStructureTest, AdditiveIsTheSumOfOneColumnTermsInClosedForm) {
  InputSpec spec;
  spec.columns = {{ColumnType::kContinuous, 0}, {ColumnType::kContinuous, 0}, {ColumnType::kContinuous, 0}};
  auto matern52 = [](double r) { return (1 + std::sqrt(5.0) * r + 5.0 / 3.0 * r * r) * std::exp(-std::sqrt(5.0) * r); };
  const Eigen::Vector3d l(0.3, 0.7, 1.9), s2(0.5, 2.0, 0.1);
  const double l_ard[3] = {0.4, 0.9, 0.25};
  const double s2_ard = 1.3;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd x(5, 3), y(4, 3);
  for (int i = 0; i < x.size(); ++i) x.data()[i] = u(rng);
  for (int i = 0; i < y.size(); ++i) y.data()[i] = u(rng);
  const double s2_shared = 0.7;
  using S = KernelOptions::Structure;
  for (const S structure : {S::kAdditive, S::kArdPlusAdditive, S::kAdditiveShared, S::kArdPlusAdditiveShared}) {
    KernelOptions ko;
    ko.structure = structure;
    const std::unique_ptr<Kernel> k = MakeKernel(spec, ko);
    ASSERT_NE(k, nullptr);
    const bool ard = ko.HasArd(), shared = ko.SharedAdditiveScale();
    ASSERT_EQ(k->NumParams(), (ard ? 4 : 0) + (shared ? 4 : 6));
    // Parameters: [ARD log l_1..3, log s2], then per column [log l_c, log s2_c] -- or, with one shared scale, the
    // three log l_c and then the shared log s2.
    Eigen::VectorXd p(k->NumParams());
    int at = 0;
    if (ard) {
      p.head(4) << std::log(l_ard[0]), std::log(l_ard[1]), std::log(l_ard[2]), std::log(s2_ard);
      at = 4;
    }
    if (shared) {
      p.tail(4) << std::log(l[0]), std::log(l[1]), std::log(l[2]), std::log(s2_shared);
      EXPECT_EQ(k->ParamNames().back(), "additive.outputscale");
    } else {
      for (int c = 0; c < 3; ++c) p.segment(at + 2 * c, 2) << std::log(l[c]), std::log(s2[c]);
    }
    k->SetParams(p);
    // The per-column lengthscales read back from the parameters: the ARD part's where there is one.
    const Eigen::VectorXd ls = ColumnLengthscales(*k, 3);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(ls[c], ard ? l_ard[c] : l[c], 1e-12) << "column " << c;
    const Eigen::MatrixXd got = k->Compute(x, y);
    for (int i = 0; i < x.rows(); ++i) {
      for (int j = 0; j < y.rows(); ++j) {
        double want = 0, r2 = 0;
        for (int c = 0; c < 3; ++c) {
          want += (shared ? s2_shared : s2[c]) * matern52(std::abs(x(i, c) - y(j, c)) / l[c]);
          r2 += std::pow((x(i, c) - y(j, c)) / l_ard[c], 2);
        }
        if (ard) want += s2_ard * matern52(std::sqrt(r2));
        EXPECT_NEAR(got(i, j), want, 1e-13 * (1 + want)) << "structure " << static_cast<int>(structure);
      }
    }
  }
}

TEST(PriorTest, DimensionScaledLengthscaleConstants) {
  const Prior p = Prior::DimensionScaledLengthscale(6);
  EXPECT_NEAR(p.a(), std::sqrt(2.0) + 0.5 * std::log(6.0), 1e-15);
  EXPECT_NEAR(p.b(), std::sqrt(3.0), 1e-15);
  // Density of a LogNormal(a, b) at v = e^theta, checked against the closed form.
  const double theta = 0.3, z = (theta - p.a()) / p.b();
  const double expected = -theta - std::log(p.b() * std::sqrt(2 * M_PI)) - 0.5 * z * z;
  double d = 0;
  EXPECT_NEAR(p.LogDensity(theta, &d), expected, 1e-14);
  EXPECT_NEAR(d, -1.0 - z / p.b(), 1e-14);
}

TEST(PriorTest, NormalOfLogIsTheLogSpaceDensityOfTheSameLogNormal) {
  // NormalOfLog(a, b) is the density of theta = log v: LogNormal's log density + theta (the Jacobian).
  const Prior ln = Prior::LogNormal(1.2, 1.7), nl = Prior::NormalOfLog(1.2, 1.7);
  for (double theta : {-3.0, -0.4, 0.0, 1.2, 4.5}) {
    double d = 0, d_ln = 0;
    EXPECT_NEAR(nl.LogDensity(theta, &d), ln.LogDensity(theta, &d_ln) + theta, 1e-13);
    EXPECT_NEAR(d, d_ln + 1.0, 1e-13);
    const double h = 1e-6;
    EXPECT_NEAR(d, (nl.LogDensity(theta + h, nullptr) - nl.LogDensity(theta - h, nullptr)) / (2 * h), 1e-7);
  }
  EXPECT_DOUBLE_EQ(nl.LogMode(), 1.2);
  EXPECT_DOUBLE_EQ(ln.LogMode(), 1.2 - 1.7 * 1.7);
  // Same MAP gradient as LogNormal(a + b^2, b): the density of v shifts the log-space centre by -b^2.
  const Prior shifted = Prior::LogNormal(1.2 + 1.7 * 1.7, 1.7);
  double d1 = 0, d2 = 0;
  nl.LogDensity(0.7, &d1);
  shifted.LogDensity(0.7, &d2);
  EXPECT_NEAR(d1, d2, 1e-13);
}

TEST(PriorTest, WithStartsChangesOnlyTheRestartDraws) {
  const Prior p = Prior::NormalOfLog(-1.0, 3.5), q = p.WithStarts(2.0, 0.5);
  EXPECT_DOUBLE_EQ(p.LogSample(1.0, 0.5), -1.0 + 3.5);
  EXPECT_DOUBLE_EQ(q.LogSample(1.0, 0.5), 2.0 + 0.5);
  double d1 = 0, d2 = 0;
  EXPECT_DOUBLE_EQ(p.LogDensity(0.3, &d1), q.LogDensity(0.3, &d2));
  EXPECT_DOUBLE_EQ(d1, d2);
  EXPECT_DOUBLE_EQ(p.LogMode(), q.LogMode());
}

TEST(PriorTest, StationaryKernelLengthscalePriorKnobs) {
  // Default: Hvarfner's LogNormal on l. Log-density form with shift -b^2 has the same gradient everywhere.
  StationaryKernelOptions base;
  StationaryKernelOptions logform = base;
  logform.lengthscale_prior_log_density = true;
  logform.lengthscale_prior_shift = -3.0;
  StationaryKernel a({0, 1}, base), b({0, 1}, logform);
  Eigen::VectorXd p(3);
  p << -0.5, 1.5, 0.7;
  a.SetParams(p);
  b.SetParams(p);
  Eigen::VectorXd ga = Eigen::VectorXd::Zero(3), gb = Eigen::VectorXd::Zero(3);
  a.LogPrior(&ga);
  b.LogPrior(&gb);
  EXPECT_LT((ga - gb).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((a.DefaultParams() - b.DefaultParams()).cwiseAbs().maxCoeff(), 1e-12);
  // A wider log-space prior pulls less far from its centre.
  StationaryKernelOptions wide = logform;
  wide.lengthscale_prior_scale = 3.5;
  StationaryKernel w({0, 1}, wide);
  w.SetParams(p);
  Eigen::VectorXd gw = Eigen::VectorXd::Zero(3);
  w.LogPrior(&gw);
  EXPECT_LT(std::abs(gw[1]), std::abs(gb[1]));
  EXPECT_EQ(gw[2], 0.0);  // output scale: flat
}

TEST(PriorTest, GammaGradientMatchesFiniteDifferences) {
  const Prior p = Prior::Gamma(3.0, 3.0);
  double d = 0;
  p.LogDensity(0.2, &d);
  const double h = 1e-6;
  EXPECT_NEAR(d, (p.LogDensity(0.2 + h, nullptr) - p.LogDensity(0.2 - h, nullptr)) / (2 * h), 1e-7);
}

TEST(InputSpecTest, RejectsBadPoints) {
  const InputSpec spec = testing::MixedSpec();
  ASSERT_TRUE(spec.Validate().ok());
  Eigen::MatrixXd x(1, 4);
  x << 0.5, 0.5, 1, 0.5;
  EXPECT_TRUE(spec.CheckPoints(x).ok());
  x(0, 2) = 3;  // category out of range
  EXPECT_FALSE(spec.CheckPoints(x).ok());
  x(0, 2) = 1.5;
  EXPECT_FALSE(spec.CheckPoints(x).ok());
  x(0, 2) = 1;
  x(0, 0) = 1.2;
  EXPECT_FALSE(spec.CheckPoints(x).ok());
  InputSpec bad;
  bad.columns = {{ColumnType::kCategorical, 1}};
  EXPECT_FALSE(bad.Validate().ok());
}

}  // namespace
}  // namespace bayesd::gp
