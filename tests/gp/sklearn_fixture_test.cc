// Posterior and log marginal likelihood at fixed hyperparameters against scikit-learn's GaussianProcessRegressor
// (fixtures from scripts/make_gp_fixtures.py, ConstantKernel * Matern/RBF(ARD) + WhiteKernel, optimizer=None).
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gp/exact_gp.h"
#include "gp/stationary_kernel.h"

#ifndef BAYESD_SOURCE_DIR_DEFAULT
#define BAYESD_SOURCE_DIR_DEFAULT "."
#endif

namespace bayesd::gp {
namespace {

nlohmann::json LoadFixture(const std::string& name) {
  const char* env = std::getenv("BAYESD_SOURCE_DIR");
  const std::string root = env ? env : BAYESD_SOURCE_DIR_DEFAULT;
  std::ifstream in(root + "/tests/fixtures/gp/" + name + ".json");
  if (!in) return nlohmann::json();
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

Eigen::MatrixXd ToMatrix(const nlohmann::json& j) {
  Eigen::MatrixXd m(j.size(), j[0].size());
  for (size_t i = 0; i < j.size(); ++i)
    for (size_t c = 0; c < j[i].size(); ++c) m(i, c) = j[i][c].get<double>();
  return m;
}

Eigen::VectorXd ToVector(const nlohmann::json& j) {
  Eigen::VectorXd v(j.size());
  for (size_t i = 0; i < j.size(); ++i) v[i] = j[i].get<double>();
  return v;
}

// |a - b| <= tol * max(|b|, 1) elementwise (relative, with a unit floor for values near zero).
void ExpectClose(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, double tol, const std::string& what) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.cols(), b.cols());
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    EXPECT_LE(std::abs(a(i) - b(i)), tol * std::max(std::abs(b(i)), 1.0)) << what << " entry " << i;
  }
}

class SklearnFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SklearnFixtureTest, MatchesScikitLearn) {
  const nlohmann::json f = LoadFixture(GetParam());
  ASSERT_TRUE(f.is_object()) << "fixture " << GetParam() << " not found; set BAYESD_SOURCE_DIR";
  const std::string kind = f["kernel"];
  StationaryKernelOptions so;
  so.type = kind == "matern52" ? StationaryType::kMatern52
            : kind == "matern32" ? StationaryType::kMatern32 : StationaryType::kRbf;
  const Eigen::MatrixXd x = ToMatrix(f["x"]);
  ExactGp gp(std::make_unique<StationaryKernel>(std::vector<int>{0, 1, 2}, so));
  const Eigen::VectorXd known = f["known_noise"].empty() ? Eigen::VectorXd() : ToVector(f["known_noise"]);
  ASSERT_TRUE(gp.SetData(x, ToVector(f["y"]), known).ok());
  const Eigen::VectorXd ls = ToVector(f["lengthscales"]);
  const double outputscale = f["outputscale"], noise = f["noise"];
  Eigen::VectorXd theta(5);
  theta << ls.array().log(), std::log(outputscale), std::log(noise);
  gp.SetHyperparameters(theta);
  ASSERT_TRUE(gp.Factorize().ok());
  EXPECT_EQ(gp.jitter(), 0.0);

  constexpr double kTol = 1e-8;
  EXPECT_NEAR(gp.LogMarginalLikelihood(), f["lml"].get<double>(), kTol * std::abs(f["lml"].get<double>()));
  Eigen::VectorXd grad;
  ASSERT_TRUE(gp.LogMarginalLikelihoodGradient(&grad).ok());
  const Eigen::VectorXd sk = ToVector(f["lml_grad"]);  // [constant, lengthscales..., noise]
  Eigen::VectorXd sk_ours(5);
  sk_ours << sk.segment(1, 3), sk[0], sk[4];
  ExpectClose(grad, sk_ours, 1e-7, "lml gradient");

  const Eigen::MatrixXd xq = ToMatrix(f["xq"]);
  PosteriorOptions po;
  po.full_covariance = true;
  const Posterior post = gp.Predict(xq, po);
  ASSERT_TRUE(post.status.ok());
  ExpectClose(post.mean, ToVector(f["mean"]), kTol, "mean");
  // sklearn's predictive variance includes the WhiteKernel noise; ours is the latent variance.
  ExpectClose((post.variance.array() + noise).matrix(), ToVector(f["var_with_noise"]), kTol, "variance");
  Eigen::MatrixXd cov = post.covariance;
  cov.diagonal().array() += noise;
  ExpectClose(cov, ToMatrix(f["cov_with_noise"]), kTol, "covariance");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SklearnFixtureTest,
                         ::testing::Values("matern52", "matern32", "rbf", "matern52_known_noise"));

}  // namespace
}  // namespace bayesd::gp
