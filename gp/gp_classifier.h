// GpClassifier: binary Gaussian-process classification with a probit likelihood and the Laplace approximation
// (Rasmussen & Williams 2006, "Gaussian Processes for Machine Learning", ch. 3: Algorithm 3.1 for the posterior
// mode and the approximate log marginal likelihood, Algorithm 3.2 for predictions).
//
//   p(y_i | f_i) = Phi(y_i f_i),  y_i in {-1, +1},  f ~ GP(0, k).
//   Mode f^ by Newton's method in the numerically stable B = I + W^1/2 K W^1/2 form (Alg. 3.1), with
//   W = -d^2 log p / df^2 = r^2 + z r, r = phi(z) / Phi(z), z = y f (R&W eq. 3.16 for the probit).
//   log q(y | X) = -a' f^ / 2 + sum log Phi(y_i f^_i) - sum log diag(L),  L L' = B.
//   Predictive latent: mean k*' grad log p(y | f^), variance k(x, x) - |L^-1 W^1/2 k*|^2 (Alg. 3.2);
//   P(y* = +1) = Phi(mean / sqrt(1 + variance)) (exact for the probit, R&W eq. 3.82).
//   Input gradients of all three follow from the kernel's input gradients (checked by finite differences).
//
// Hyperparameters: the kernel's own (log-space); SelectHyperparameters picks an isotropic lengthscale and an output
// scale from a small grid by the Laplace evidence (no gradient-based fit).
//
// Thread safety: const methods are safe to call concurrently; Fit / SelectHyperparameters are not.
#ifndef BAYESD_GP_GP_CLASSIFIER_H_
#define BAYESD_GP_GP_CLASSIFIER_H_

#include <memory>
#include <vector>

#include <Eigen/Core>

#include "gp/kernel.h"
#include "gp/status.h"

namespace bayesd::gp {

struct GpClassifierOptions {
  int max_newton_iterations = 100;
  double tolerance = 1e-10;  // stop when the Laplace objective improves by less than this (relative)
  double jitter = 1e-8;      // added to diag K (relative to its mean)
};

struct ClassifierPrediction {
  double mean = 0;         // latent mean
  double variance = 0;     // latent variance
  double probability = 0;  // P(y = +1)
  double log_probability = 0;
  Eigen::VectorXd mean_gradient, variance_gradient, log_probability_gradient;  // d each, when asked
};

class GpClassifier {
 public:
  explicit GpClassifier(std::unique_ptr<Kernel> kernel, GpClassifierOptions options = {});
  GpClassifier(const GpClassifier& other);
  GpClassifier& operator=(const GpClassifier& other);

  // Finds the Laplace mode for x (n x d) and labels (n, each +1 or -1) at the current hyperparameters.
  GpStatus Fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& labels);
  // Fits at every (lengthscale, outputscale) pair of the grids -- every lengthscale of the kernel set to the same
  // value, every output scale to the same value -- and keeps the one with the largest approximate evidence.
  GpStatus SelectHyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& labels,
                                 const std::vector<double>& lengthscales, const std::vector<double>& outputscales);

  bool fitted() const { return fitted_; }
  double LogMarginalLikelihood() const { return log_evidence_; }
  const Eigen::VectorXd& mode() const { return f_; }
  int newton_iterations() const { return iterations_; }
  const Kernel& kernel() const { return *kernel_; }
  Kernel& mutable_kernel() { return *kernel_; }
  // Sets every lengthscale / output-scale parameter (by name) of the kernel.
  void SetIsotropic(double lengthscale, double outputscale);

  // Prediction at one point (d), with input gradients when asked; false when not fitted or not finite.
  bool PredictAt(const Eigen::VectorXd& x, bool gradients, ClassifierPrediction* out) const;
  // P(y = +1) at the rows of xq.
  Eigen::VectorXd Probability(const Eigen::MatrixXd& xq) const;
  // The joint Laplace posterior of the latent function at the rows of xq (m x d): mean K*' grad log p(y | f^) and
  // covariance K** - V'V, V = L^-1 W^1/2 K* (Alg. 3.2 for all rows at once; its diagonal is PredictAt's variance).
  // false when not fitted or not finite.
  bool LatentPosterior(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean, Eigen::MatrixXd* covariance) const;

 private:
  std::unique_ptr<Kernel> kernel_;
  GpClassifierOptions options_;
  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  Eigen::VectorXd f_;       // mode
  Eigen::VectorXd dlogp_;   // grad log p(y | f^)
  Eigen::VectorXd sqrt_w_;  // W^1/2 at the mode
  Eigen::MatrixXd chol_;    // L, B = L L'
  double log_evidence_ = 0;
  int iterations_ = 0;
  bool fitted_ = false;
};

// Probit helpers (accurate in the lower tail): log Phi(z) and phi(z) / Phi(z).
double ProbitLogCdf(double z);
double ProbitHazard(double z);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_GP_CLASSIFIER_H_
