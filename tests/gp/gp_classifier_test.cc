// GpClassifier (probit Laplace, R&W Alg. 3.1/3.2) against an independent dense brute force: the mode by Newton's
// method on Psi(f) = log p(y|f) - f'K^-1 f / 2 with explicit inverses, the evidence by R&W eq. 3.32 with a full
// determinant, the predictive variance by eq. 3.24 ((K + W^-1)^-1), and the predictive probability by numerical
// quadrature of Phi(f) N(f | m, v). Input gradients by central finite differences.
#include <cmath>
#include <random>

#include <Eigen/Dense>
#include <gtest/gtest.h>

#include "gp/gp_classifier.h"
#include "gp/input_spec.h"
#include "gp/kernel_factory.h"

namespace bayesd::gp {
namespace {

double Phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
double Pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI); }

struct Data {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

// Success (+1) except in a disc around (0.75, 0.7), with a few flipped labels.
Data MakeData(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Data d{Eigen::MatrixXd(n, 2), Eigen::VectorXd(n)};
  for (int i = 0; i < n; ++i) {
    d.x(i, 0) = u(rng);
    d.x(i, 1) = u(rng);
    const double r = std::hypot(d.x(i, 0) - 0.75, d.x(i, 1) - 0.7);
    d.y[i] = r < 0.3 ? -1.0 : 1.0;
    if (i % 11 == 5) d.y[i] = -d.y[i];
  }
  return d;
}

GpClassifier MakeClassifier(double lengthscale, double outputscale) {
  GpClassifier c(MakeKernel(InputSpec::AllContinuous(2), KernelOptions()));
  c.SetIsotropic(lengthscale, outputscale);
  return c;
}

TEST(GpClassifierTest, ProbitHelpers) {
  for (double z : {-29.0, -5.0, -1.0, 0.0, 2.0, 6.0}) {
    EXPECT_NEAR(ProbitLogCdf(z), std::log(Phi(z)), 1e-10 * std::max(1.0, std::abs(std::log(Phi(z))))) << z;
    EXPECT_NEAR(ProbitHazard(z), Pdf(z) / Phi(z), 1e-10 * std::max(1.0, std::abs(z))) << z;
  }
  // The asymptotic branch below -30 agrees with the direct formula where erfc does not yet underflow.
  for (double z : {-30.5, -34.0, -37.0}) {
    EXPECT_NEAR(ProbitLogCdf(z) / std::log(Phi(z)), 1.0, 1e-12) << z;
    EXPECT_NEAR(ProbitHazard(z) / (Pdf(z) / Phi(z)), 1.0, 1e-10) << z;
  }
  EXPECT_TRUE(std::isfinite(ProbitLogCdf(-1e4)));
}

TEST(GpClassifierTest, MatchesDenseBruteForce) {
  const Data d = MakeData(30, 4);
  GpClassifier c = MakeClassifier(0.25, 3.0);
  ASSERT_TRUE(c.Fit(d.x, d.y).ok());
  const int n = static_cast<int>(d.y.size());
  Eigen::MatrixXd k = c.kernel().ComputeSymmetric(d.x);
  k.diagonal().array() += 1e-8 * k.diagonal().mean();  // the classifier's jitter
  const Eigen::MatrixXd k_inv = k.inverse();
  // Newton with explicit inverses: f <- (K^-1 + W)^-1 (W f + grad).
  Eigen::VectorXd f = Eigen::VectorXd::Zero(n), grad(n), w(n);
  for (int it = 0; it < 200; ++it) {
    for (int i = 0; i < n; ++i) {
      const double z = d.y[i] * f[i], r = Pdf(z) / Phi(z);
      grad[i] = d.y[i] * r;
      w[i] = r * r + z * r;
    }
    Eigen::MatrixXd h = k_inv;
    h.diagonal() += w;
    f = h.inverse() * (w.cwiseProduct(f) + grad);
  }
  for (int i = 0; i < n; ++i) {
    const double z = d.y[i] * f[i], r = Pdf(z) / Phi(z);
    grad[i] = d.y[i] * r;
    w[i] = r * r + z * r;
  }
  EXPECT_LT((c.mode() - f).norm(), 1e-6 * f.norm());
  // Evidence, R&W eq. 3.32: -f'K^-1 f / 2 + log p(y|f) - log|I + K W| / 2.
  double logp = 0;
  for (int i = 0; i < n; ++i) logp += std::log(Phi(d.y[i] * f[i]));
  const Eigen::MatrixXd b = Eigen::MatrixXd::Identity(n, n) + k * w.asDiagonal();
  const double evidence = -0.5 * f.dot(k_inv * f) + logp - 0.5 * std::log(b.determinant());
  EXPECT_NEAR(c.LogMarginalLikelihood(), evidence, 1e-6 * std::abs(evidence));
  // Predictions: mean k*' K^-1 f, variance k** - k*'(K + W^-1)^-1 k*, probability by quadrature.
  Eigen::MatrixXd kw = k;
  kw.diagonal() += w.cwiseInverse();
  const Eigen::MatrixXd kw_inv = kw.inverse();
  for (const Eigen::Vector2d& xq : {Eigen::Vector2d(0.1, 0.2), Eigen::Vector2d(0.75, 0.7), Eigen::Vector2d(0.5, 0.5),
                                    Eigen::Vector2d(0.95, 0.05)}) {
    const Eigen::VectorXd ks = c.kernel().Compute(xq.transpose(), d.x).row(0).transpose();
    const double kss = c.kernel().Diagonal(xq.transpose())[0];
    const double mean = ks.dot(k_inv * f), var = kss - ks.dot(kw_inv * ks);
    double prob = 0;
    const int m = 20001;
    const double lo = mean - 12 * std::sqrt(var), h = 24 * std::sqrt(var) / (m - 1);
    for (int i = 0; i < m; ++i) {
      const double t = lo + i * h;
      prob += (i == 0 || i == m - 1 ? 0.5 : 1.0) * Phi(t) * Pdf((t - mean) / std::sqrt(var)) / std::sqrt(var) * h;
    }
    ClassifierPrediction p;
    ASSERT_TRUE(c.PredictAt(xq, false, &p));
    EXPECT_NEAR(p.mean, mean, 1e-6 * std::max(1.0, std::abs(mean)));
    EXPECT_NEAR(p.variance, var, 1e-6 * std::max(1.0, var));
    EXPECT_NEAR(p.probability, prob, 1e-7);
    EXPECT_NEAR(p.log_probability, std::log(prob), 1e-6);
  }
  // The failure region is learnt.
  ClassifierPrediction in, out;
  ASSERT_TRUE(c.PredictAt(Eigen::Vector2d(0.75, 0.7), false, &in));
  ASSERT_TRUE(c.PredictAt(Eigen::Vector2d(0.15, 0.2), false, &out));
  EXPECT_LT(in.probability, 0.3);
  EXPECT_GT(out.probability, 0.7);
}

TEST(GpClassifierTest, InputGradientsMatchFiniteDifferences) {
  const Data d = MakeData(25, 9);
  GpClassifier c = MakeClassifier(0.3, 2.0);
  ASSERT_TRUE(c.Fit(d.x, d.y).ok());
  const double e = 1e-6;
  for (const Eigen::Vector2d& xq : {Eigen::Vector2d(0.2, 0.3), Eigen::Vector2d(0.7, 0.6), Eigen::Vector2d(0.9, 0.95)}) {
    ClassifierPrediction p;
    ASSERT_TRUE(c.PredictAt(xq, true, &p));
    for (int j = 0; j < 2; ++j) {
      Eigen::Vector2d a = xq, b = xq;
      a[j] += e;
      b[j] -= e;
      ClassifierPrediction pa, pb;
      ASSERT_TRUE(c.PredictAt(a, false, &pa));
      ASSERT_TRUE(c.PredictAt(b, false, &pb));
      EXPECT_NEAR(p.mean_gradient[j], (pa.mean - pb.mean) / (2 * e), 1e-6 * std::max(1.0, std::abs(p.mean_gradient[j])));
      EXPECT_NEAR(p.variance_gradient[j], (pa.variance - pb.variance) / (2 * e),
                  1e-6 * std::max(1.0, std::abs(p.variance_gradient[j])));
      EXPECT_NEAR(p.log_probability_gradient[j], (pa.log_probability - pb.log_probability) / (2 * e),
                  1e-6 * std::max(1.0, std::abs(p.log_probability_gradient[j])));
    }
  }
}

TEST(GpClassifierTest, JointLatentPosteriorMatchesPointPredictions) {
  const Data d = MakeData(25, 9);
  GpClassifier c = MakeClassifier(0.3, 2.0);
  ASSERT_TRUE(c.Fit(d.x, d.y).ok());
  Eigen::MatrixXd xq(4, 2);
  xq << 0.2, 0.3, 0.7, 0.6, 0.72, 0.62, 0.9, 0.95;
  Eigen::VectorXd mean;
  Eigen::MatrixXd cov;
  ASSERT_TRUE(c.LatentPosterior(xq, &mean, &cov));
  ASSERT_EQ(cov.rows(), 4);
  EXPECT_LT((cov - cov.transpose()).cwiseAbs().maxCoeff(), 1e-12);
  for (int i = 0; i < 4; ++i) {
    ClassifierPrediction p;
    ASSERT_TRUE(c.PredictAt(xq.row(i).transpose(), false, &p));
    EXPECT_NEAR(mean[i], p.mean, 1e-10);
    EXPECT_NEAR(cov(i, i), p.variance, 1e-10);
  }
  // Nearby points are strongly correlated, far ones much less.
  EXPECT_GT(cov(1, 2) / std::sqrt(cov(1, 1) * cov(2, 2)), 0.9);
  EXPECT_LT(std::abs(cov(0, 3)) / std::sqrt(cov(0, 0) * cov(3, 3)), 0.5);
  GpClassifier unfitted = MakeClassifier(0.3, 2.0);
  EXPECT_FALSE(unfitted.LatentPosterior(xq, &mean, &cov));
}

TEST(GpClassifierTest, GridSelectionPicksTheLargestEvidenceAndDegenerateInputs) {
  const Data d = MakeData(40, 2);
  GpClassifier c = MakeClassifier(0.3, 1.0);
  const std::vector<double> ls = {0.05, 0.2, 0.8}, os = {0.5, 4.0};
  ASSERT_TRUE(c.SelectHyperparameters(d.x, d.y, ls, os).ok());
  const double chosen = c.LogMarginalLikelihood();
  for (double l : ls) {
    for (double s : os) {
      GpClassifier other = MakeClassifier(l, s);
      ASSERT_TRUE(other.Fit(d.x, d.y).ok());
      EXPECT_LE(other.LogMarginalLikelihood(), chosen + 1e-9);
    }
  }
  // All one class, duplicated points, bad labels.
  GpClassifier one = MakeClassifier(0.3, 1.0);
  Eigen::MatrixXd x(4, 2);
  x << 0.1, 0.1, 0.1, 0.1, 0.5, 0.5, 0.9, 0.2;
  EXPECT_TRUE(one.Fit(x, Eigen::VectorXd::Ones(4)).ok());
  EXPECT_GT(one.Probability(x).minCoeff(), 0.5);
  EXPECT_TRUE(one.Fit(x, -Eigen::VectorXd::Ones(4)).ok());
  EXPECT_LT(one.Probability(x).maxCoeff(), 0.5);
  EXPECT_FALSE(one.Fit(x, Eigen::VectorXd::Zero(4)).ok());
  EXPECT_FALSE(one.Fit(Eigen::MatrixXd(0, 2), Eigen::VectorXd()).ok());
}

}  // namespace
}  // namespace bayesd::gp
