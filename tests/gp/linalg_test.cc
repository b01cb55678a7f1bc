// LAPACK-backed Cholesky, triangular inverse and K^-1 from a Cholesky factor against Eigen's solvers, across sizes.
#include <limits>

#include <Eigen/Cholesky>
#include <gtest/gtest.h>

#include "gp/linalg.h"

namespace bayesd::gp {
namespace {

class LinalgTest : public ::testing::TestWithParam<int> {};

TEST_P(LinalgTest, InverseFromCholeskyMatchesLltSolve) {
  const int n = GetParam();
  Eigen::MatrixXd b = Eigen::MatrixXd::Random(n, n);
  Eigen::MatrixXd k = b * b.transpose() + n * Eigen::MatrixXd::Identity(n, n);
  Eigen::LLT<Eigen::MatrixXd> llt(k);
  ASSERT_EQ(llt.info(), Eigen::Success);
  const Eigen::MatrixXd l = llt.matrixL();
  Eigen::MatrixXd linv = l;
  InvertLowerTriangularInPlace(linv);
  const Eigen::MatrixXd linv_lower = linv.triangularView<Eigen::Lower>();
  EXPECT_LT((linv_lower * l - Eigen::MatrixXd::Identity(n, n)).cwiseAbs().maxCoeff(), 1e-10);
  Eigen::MatrixXd kinv;
  InverseFromCholesky(l, &kinv);
  const Eigen::MatrixXd ref = llt.solve(Eigen::MatrixXd::Identity(n, n));
  EXPECT_LT((kinv - ref).cwiseAbs().maxCoeff(), 1e-12 * ref.cwiseAbs().maxCoeff() * n);
  EXPECT_LT((kinv - kinv.transpose()).cwiseAbs().maxCoeff(), 1e-15 * n);
}

TEST_P(LinalgTest, CholeskyMatchesEigenLlt) {
  const int n = GetParam();
  Eigen::MatrixXd b = Eigen::MatrixXd::Random(n, n);
  const Eigen::MatrixXd k = b * b.transpose() + n * Eigen::MatrixXd::Identity(n, n);
  const Eigen::MatrixXd ref = Eigen::LLT<Eigen::MatrixXd>(k).matrixL();
  Eigen::MatrixXd l = k;
  l.triangularView<Eigen::StrictlyUpper>().setConstant(7.0);  // must be ignored and zeroed
  ASSERT_TRUE(CholeskyLowerInPlace(l));
  EXPECT_LT((l - ref).cwiseAbs().maxCoeff(), 1e-12 * ref.cwiseAbs().maxCoeff());
  Eigen::MatrixXd lower_only = l;
  lower_only.triangularView<Eigen::StrictlyUpper>().setZero();
  EXPECT_EQ(l, lower_only);
}

TEST_P(LinalgTest, CholeskyRejectsIndefiniteAndNonFinite) {
  const int n = GetParam();
  Eigen::MatrixXd k = Eigen::MatrixXd::Identity(n, n);
  k(n - 1, n - 1) = -1e-3;
  EXPECT_FALSE(CholeskyLowerInPlace(k));
  k = Eigen::MatrixXd::Identity(n, n);
  k(n / 2, n / 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(CholeskyLowerInPlace(k));
}

INSTANTIATE_TEST_SUITE_P(Sizes, LinalgTest, ::testing::Values(1, 5, 96, 97, 250, 401));

}  // namespace
}  // namespace bayesd::gp
