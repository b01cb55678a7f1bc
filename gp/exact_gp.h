// ExactGp: exact Gaussian-process regression on already-transformed outputs (zero prior mean, or a GLS-profiled
// linear mean in given basis functions), with Cholesky factorization, a jitter ladder, log marginal likelihood and
// its analytic gradient, posterior mean / variance / covariance with input gradients, incremental updates and
// fantasies. Rasmussen & Williams (2006), Algorithm 2.1 and eq. 5.9.
//
// Model:  y_i = m(x_i) + f(x_i) + e_i,  f ~ GP(0, k),  e_i ~ N(0, noise + known_noise_i)
//         m(x) = h(x)' beta with beta profiled out by generalized least squares when a mean basis is set
//         (used by the co-kriging levels), else m = 0.
// Hyperparameters (log space): [kernel params..., log noise variance] (the last only when learn_noise).
//
// Thread safety: const methods are safe to call concurrently; mutating methods (SetData, SetHyperparameters,
// Factorize, AddObservations) need exclusive access. Copies are deep and independent.
#ifndef BAYESD_GP_EXACT_GP_H_
#define BAYESD_GP_EXACT_GP_H_

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gp/kernel.h"
#include "gp/prior.h"
#include "gp/status.h"

namespace bayesd::gp {

struct ExactGpOptions {
  bool learn_noise = true;            // learn a homoscedastic noise variance (in the units of y)
  double fixed_noise_variance = 1e-6;  // noise used when learn_noise is false (added to known noise)
  double min_noise_variance = 1e-6;   // bounds of the learned noise variance
  double max_noise_variance = 10.0;
  Prior noise_prior = Prior::LogNormal(-4.0, 1.0);  // BoTorch's default noise prior (standardized outputs)
  // Jitters tried in order until the Cholesky factorization succeeds, relative to mean(diag(K + noise)).
  std::vector<double> jitter_ladder = {0.0, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2};

  GpStatus Validate() const;
};

struct PosteriorOptions {
  bool full_covariance = false;       // fill Posterior::covariance (m x m)
  bool gradients = false;             // fill mean_gradient and variance_gradient
  bool covariance_gradients = false;  // fill covariance_gradient (needs full_covariance)
  // Gradients (and covariance gradients) only for the first this-many query rows; -1 (or any negative value, or a
  // value >= m) = all rows. Shapes are unchanged: mean_gradient and variance_gradient stay m x d and
  // covariance_gradient keeps m entries of d x m, but the rows / entries past the first gradient_rows are left ZERO
  // (they are not the derivatives). Values (mean, variance, covariance) and the computed rows are identical to the
  // full computation. Models that cannot exploit it may ignore it and fill every row.
  int gradient_rows = -1;
};

// Posterior of the latent f (no observation noise) at m query points, d input columns.
struct Posterior {
  GpStatus status;
  Eigen::VectorXd mean;        // m
  Eigen::VectorXd variance;    // m, clamped at >= 0
  Eigen::MatrixXd covariance;  // m x m, when requested
  Eigen::MatrixXd mean_gradient;      // m x d: row a = d mean(x_a) / d x_a
  Eigen::MatrixXd variance_gradient;  // m x d: row a = d var(x_a) / d x_a
  // m matrices of d x m: covariance_gradient[a](c, b) = d cov(x_a, x_b) / d x_{a,c}; column a holds the total
  // derivative of var(x_a) (both arguments move), i.e. variance_gradient.row(a).
  // With PosteriorOptions::gradient_rows = k (0 <= k < m), rows a >= k of mean_gradient / variance_gradient and
  // entries a >= k of covariance_gradient are zero, not derivatives.
  std::vector<Eigen::MatrixXd> covariance_gradient;
};

// What ExactGp::PredictCross reuses about a fixed set of points B (b x d): built once by PrepareCross for one
// factorization (it is stale after SetData, SetHyperparameters, Factorize or AddObservations*).
struct CrossBasis {
  Eigen::MatrixXd points;    // b x d: B
  Eigen::MatrixXd whitened;  // n x b: L^-1 K(X, B)
  Eigen::MatrixXd weights;   // n x b: K^-1 K(X, B) (the input gradients of the cross-covariances use it)
};

// Joint moments of m query points with B, without the covariance among the query points (which an acquisition over a
// fixed baseline or discretization never reads).
struct CrossMoments {
  GpStatus status;
  Eigen::VectorXd mean;      // m
  Eigen::VectorXd variance;  // m, clamped at >= 0
  Eigen::MatrixXd cross;     // m x b: cov(f(xq_a), f(B_j))
  // With gradients: row a = d mean(xq_a) / d xq_a (m x d), the same for the variance, and
  // cross_gradient[a](c, j) = d cov(f(xq_a), f(B_j)) / d xq_{a,c} (m matrices of d x b).
  Eigen::MatrixXd mean_gradient;
  Eigen::MatrixXd variance_gradient;
  std::vector<Eigen::MatrixXd> cross_gradient;
};

class ExactGp {
 public:
  explicit ExactGp(std::unique_ptr<Kernel> kernel, ExactGpOptions options = {});
  ExactGp(const ExactGp& other);
  ExactGp& operator=(const ExactGp& other);
  ExactGp(ExactGp&&) = default;
  ExactGp& operator=(ExactGp&&) = default;

  // x: n x d rows of inputs; y: n outputs; known_noise: empty or n known noise variances (units of y).
  // Invalidates the factorization.
  GpStatus SetData(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                   const Eigen::VectorXd& known_noise = Eigen::VectorXd());
  // h: n x q mean basis at the training inputs (empty: zero mean). Invalidates the factorization.
  GpStatus SetMeanBasis(const Eigen::MatrixXd& h);

  int NumHyperparameters() const;
  Eigen::VectorXd Hyperparameters() const;
  void SetHyperparameters(const Eigen::VectorXd& theta);  // invalidates the factorization
  Eigen::VectorXd LowerBounds() const;
  Eigen::VectorXd UpperBounds() const;
  Eigen::VectorXd DefaultHyperparameters() const;
  Eigen::VectorXd SampleHyperparameters(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const;
  std::vector<std::string> HyperparameterNames() const;
  // Log prior of the current hyperparameters; adds d/dtheta into *grad when non-null.
  double LogPrior(Eigen::VectorXd* grad) const;

  // Cholesky of K + noise I + diag(known) with the jitter ladder. O(n^3).
  GpStatus Factorize();
  bool factorized() const { return factorized_; }
  // Absolute jitter added to the diagonal by the last successful factorization (0 when none was needed).
  double jitter() const { return jitter_; }

  // After Factorize: log p(y | X, theta), and its gradient w.r.t. the hyperparameters (O(n^3)).
  double LogMarginalLikelihood() const;
  GpStatus LogMarginalLikelihoodGradient(Eigen::VectorXd* grad) const;

  // Posterior at xq (m x d). hq: m x q mean basis at xq, required iff a mean basis is set.
  Posterior Predict(const Eigen::MatrixXd& xq, const PosteriorOptions& options = {},
                    const Eigen::MatrixXd* hq = nullptr) const;

  // The posterior of [xq; B] restricted to what PredictCross returns, with B's share of the work done once:
  // PrepareCross is O(n^2 b); PredictCross is O(m n (b + n)) kernel and solve work instead of Predict's
  // O((m + b) n (m + b + n)) with full covariance. Values equal Predict's on [xq; B] up to rounding. Not available
  // with a mean basis (GpPrecondition).
  GpStatus PrepareCross(const Eigen::MatrixXd& b, CrossBasis* out) const;
  CrossMoments PredictCross(const Eigen::MatrixXd& xq, const CrossBasis& basis, bool gradients) const;

  // Appends observations and extends the Cholesky factor by a block (O(n^2 p)) without touching the
  // hyperparameters; falls back to a full Factorize when the Schur complement is not positive definite.
  // Not available with a mean basis.
  GpStatus AddObservations(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                           const Eigen::VectorXd& known_noise = Eigen::VectorXd());
  // AddObservations for a model with a mean basis: h (p x q) is the basis at the new rows; the factor is extended the
  // same way and beta re-solved by GLS on all rows (hyperparameters unchanged). O(n^2 p + n q^2).
  GpStatus AddObservationsWithBasis(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::MatrixXd& h,
                                    const Eigen::VectorXd& known_noise = Eigen::VectorXd());
  // Replaces the values of the mean basis (n x q, same q) of a factorized model, keeping the factor (K does not depend
  // on the basis) and re-solving beta and alpha. O(n^2 q).
  GpStatus ReplaceMeanBasis(const Eigen::MatrixXd& h);
  // A copy conditioned on (x_pending, y_fantasy) (e.g. the posterior mean or a posterior sample at pending points),
  // same hyperparameters, block-updated factor. O(n^2 p).
  GpStatus Fantasize(const Eigen::MatrixXd& x_pending, const Eigen::VectorXd& y_fantasy, ExactGp* out) const;

  const Kernel& kernel() const { return *kernel_; }
  const ExactGpOptions& options() const { return options_; }
  int num_observations() const { return static_cast<int>(y_.size()); }
  const Eigen::MatrixXd& x() const { return x_; }
  const Eigen::VectorXd& y() const { return y_; }
  double noise_variance() const;
  // GLS mean coefficients (q), empty without a mean basis.
  const Eigen::VectorXd& mean_coefficients() const { return beta_; }
  // K^-1 (y - H beta): n.
  const Eigen::VectorXd& alpha() const { return alpha_; }

 private:
  Eigen::MatrixXd NoisyKernelMatrix() const;
  // Appends rows (and basis rows when h is non-null) and extends the factor; the shared part of AddObservations*.
  GpStatus Extend(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const Eigen::VectorXd& known_noise,
                  const Eigen::MatrixXd* h);
  void SolveWeights();  // beta_, alpha_, quad_ from chol_
  // What Predict (unblocked) and PredictCross share: the posterior mean of xq without the basis term, the marginal
  // variance, and *whitened = L^-1 k(X, xq) (n x m), from which their covariance terms go on.
  void Moments(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean, Eigen::VectorXd* variance,
               Eigen::MatrixXd* whitened) const;
  // Row a's input gradients of the mean and of the marginal variance, given u = K^-1 k(X, xq) (n x m); returns
  // d k(x_a, X) / d x_a (d x n), from which the callers' covariance gradients go on.
  Eigen::MatrixXd PointGradients(const Eigen::MatrixXd& xq, const Eigen::MatrixXd& u, Eigen::Index a,
                                 Eigen::MatrixXd* mean_gradient, Eigen::MatrixXd* variance_gradient) const;

  std::unique_ptr<Kernel> kernel_;
  ExactGpOptions options_;
  Eigen::MatrixXd x_;            // n x d
  Eigen::VectorXd y_;            // n
  Eigen::VectorXd known_noise_;  // n (zeros when none given)
  Eigen::MatrixXd basis_;        // n x q or 0 x 0
  double log_noise_ = 0;
  bool factorized_ = false;
  double jitter_ = 0;
  Eigen::MatrixXd chol_;   // n x n lower-triangular L with L L' = K + noise + jitter (upper part zero)
  Eigen::VectorXd alpha_;  // n
  Eigen::VectorXd beta_;   // q
  double quad_ = 0;        // r' K^-1 r
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_EXACT_GP_H_
