// Models for the acquisition tests: a small fitted ExactGp, and an analytic "model" with a known landscape.
#ifndef BAYESD_TESTS_ACQUISITION_TEST_MODELS_H_
#define BAYESD_TESTS_ACQUISITION_TEST_MODELS_H_

#include <cmath>
#include <memory>
#include <random>

#include <Eigen/Core>

#include "acquisition/model.h"
#include "gp/exact_gp.h"
#include "gp/kernel_factory.h"

namespace bayesd::acquisition::testing {

// A GP on n points of a smooth function in [0,1]^d with fixed, reasonable hyperparameters (no fit: deterministic).
inline std::shared_ptr<const ExactGpModel> SmallGp(int d, int n, uint64_t seed = 1, double noise = 1e-4) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd x(n, d);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < d; ++j) {
      x(i, j) = u(rng);
      s += std::sin(3.0 * x(i, j) + j) + 0.5 * x(i, j) * x(i, j);
    }
    y[i] = s;
  }
  y.array() -= y.mean();
  gp::ExactGpOptions options;
  options.learn_noise = false;
  options.fixed_noise_variance = noise;
  auto gp = std::make_shared<gp::ExactGp>(gp::MakeKernel(gp::InputSpec::AllContinuous(d), gp::KernelOptions()),
                                          options);
  gp->SetData(x, y);
  Eigen::VectorXd theta = gp->DefaultHyperparameters();
  // Lengthscales of ~0.3 in every dimension (log space), unit output variance; the layout is [log ls..., log s2].
  const std::vector<std::string> names = gp->HyperparameterNames();
  for (int i = 0; i < theta.size(); ++i) {
    if (names[i].find("lengthscale") != std::string::npos) theta[i] = std::log(0.3);
  }
  gp->SetHyperparameters(theta);
  if (!gp->Factorize().ok()) return nullptr;
  return std::make_shared<ExactGpModel>(gp);
}

// mean(x) = height * exp(-|x - c|^2 / (2 w^2)) (+ per-category offsets), variance(x) = v0 + v1 |x - c|^2.
class LandscapeModel : public Model {
 public:
  LandscapeModel(Eigen::VectorXd centre, gp::InputSpec spec) : c_(std::move(centre)), spec_(std::move(spec)) {}
  int dim() const override { return static_cast<int>(c_.size()); }
  double NoiseVariance() const override { return 1e-4; }
  std::unique_ptr<Model> Condition(const Eigen::MatrixXd&, const Eigen::VectorXd&,
                                   gp::GpStatus* status) const override {
    *status = gp::GpPrecondition("not supported");
    return nullptr;
  }
  gp::Posterior PosteriorAt(const Eigen::MatrixXd& xq, const gp::PosteriorOptions& options) const override {
    gp::Posterior p;
    const Eigen::Index m = xq.rows(), d = xq.cols();
    p.mean.resize(m);
    p.variance.resize(m);
    p.mean_gradient = Eigen::MatrixXd::Zero(m, d);
    p.variance_gradient = Eigen::MatrixXd::Zero(m, d);
    for (Eigen::Index a = 0; a < m; ++a) {
      Eigen::VectorXd diff = xq.row(a).transpose() - c_;
      double offset = 0;
      for (Eigen::Index j = 0; j < d; ++j) {
        if (spec_.columns[j].type == gp::ColumnType::kCategorical) {
          offset += (xq(a, j) == c_[j]) ? 0.0 : -0.5;
          diff[j] = 0;
        }
      }
      const double r2 = diff.squaredNorm();
      const double e = std::exp(-r2 / (2 * 0.04));
      p.mean[a] = e + offset;
      p.variance[a] = 0.01 + 0.02 * r2;
      if (options.gradients) {
        p.mean_gradient.row(a) = (-e / 0.04) * diff.transpose();
        p.variance_gradient.row(a) = 0.04 * diff.transpose();
      }
    }
    return p;
  }

 private:
  Eigen::VectorXd c_;
  gp::InputSpec spec_;
};

}  // namespace bayesd::acquisition::testing

#endif  // BAYESD_TESTS_ACQUISITION_TEST_MODELS_H_
