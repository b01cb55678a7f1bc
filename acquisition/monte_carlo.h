// Acquisitions that look at the joint posterior of a candidate x and a fixed set of points B (b x d):
//
//   NoisyExpectedImprovement  (Letham, Karrer, Ottoni & Bakshy 2019, "Constrained Bayesian optimization with noisy
//       experiments", Bayesian Analysis): the incumbent is itself uncertain under noise, so EI is averaged over
//       joint posterior samples of f at the baseline B (the best observed points). Here the samples f_B^s are drawn
//       once with fixed base samples (common random numbers, so the function is deterministic and smooth in x) and
//       f(x) | f_B = f_B^s is integrated analytically:
//           NEI(x) = log (1/S) sum_s EI(m_s(x), v(x); best_s),   best_s = max_j f_B^s_j,
//           m_s(x) = mu(x) + S_xB L_B^-T z_s,   v(x) = var(x) - |L_B^-1 S_xB'|^2,   L_B L_B' = S_BB,
//       with log EI evaluated through log h (Ament et al. 2023) and the average as a log-sum-exp.
//   KnowledgeGradient  discretized KG (Frazier, Powell & Dayanik 2009, INFORMS J. Computing; Scott, Frazier &
//       Powell 2011): the expected increase of the maximum posterior mean over A U {x} after observing y(x),
//           KG(x) = E_Z[max_i (a_i + b_i(x) Z)] - max_j mu(A_j),
//           a = [mu(A); mu(x)],  b = [S(A, x); var(x)] / sqrt(var(x) + noise),
//       the expectation over Z ~ N(0, 1) by an S-point stratified rule (Z_s = Phi^-1((s + 1/2) / S)).
//   MaxValueEntropySearch  (Wang & Jegelka 2017, "Max-value entropy search for efficient Bayesian optimization",
//       ICML, eq. 6): max values y* are drawn from the Gumbel approximation of P(max f <= y) over a candidate set
//       (their Sec. 3.1; quantiles at (k + 1/2) / K so the draws are fixed), and
//           MES(x) = (1/K) sum_k [gamma_k phi(gamma_k) / (2 Phi(gamma_k)) - log Phi(gamma_k)],
//           gamma_k = (y*_k - mu(x)) / sigma(x).
//   SampleJointPosterior  Thompson sampling on a candidate set (Thompson 1933; Kandasamy et al. 2018 for batches):
//       one joint draw of f over the rows of a candidate matrix.
//
// Thread safety: immutable after construction; Evaluate is const and safe to call concurrently.
#ifndef BAYESD_ACQUISITION_MONTE_CARLO_H_
#define BAYESD_ACQUISITION_MONTE_CARLO_H_

#include <cstdint>
#include <memory>
#include <vector>

#include <Eigen/Core>

#include "acquisition/acquisition.h"
#include "gp/gp_classifier.h"

namespace bayesd::acquisition {

// Joint posterior of one point x with a fixed set B (b x d): one row of a gp::CrossMoments.
struct CrossPosterior {
  double mean = 0;
  double variance = 0;
  Eigen::VectorXd cross;              // b: cov(f(x), f(B_j))
  Eigen::VectorXd mean_gradient;      // d
  Eigen::VectorXd variance_gradient;  // d
  Eigen::MatrixXd cross_gradient;     // d x b: d cov(f(x), f(B_j)) / d x_c
};
// Row a of `moments`, with its gradients when `gradients`; false when the call failed, a gradient asked for is
// missing, or the row is not finite.
bool CrossPosteriorRow(const gp::CrossMoments& moments, Eigen::Index a, bool gradients, CrossPosterior* out);

class NoisyExpectedImprovement : public Acquisition {
 public:
  // baseline: b x d (the best observed points); num_samples base samples drawn from `seed`.
  NoisyExpectedImprovement(std::shared_ptr<const Model> model, Eigen::MatrixXd baseline, int num_samples,
                           uint64_t seed);
  std::string name() const override { return "nei"; }
  bool log_scale() const override { return true; }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  // Scores the rows in chunks of kChunkRows with one cross posterior of the chunk with B per chunk (instead of one
  // per row); each row's value is that of Evaluate(x, nullptr) up to floating-point rounding.
  Eigen::VectorXd EvaluateMany(const Eigen::MatrixXd& x) const override;
  bool ok() const { return ok_; }

  static constexpr Eigen::Index kChunkRows = 64;

 private:
  // log NEI from the joint moments of f(x) and f(B) (p.mean, p.variance, p.cross); with grad non-null also its
  // input gradient from p's moment gradients. The one place the math lives: Evaluate and EvaluateMany share it.
  double FromCrossPosterior(const CrossPosterior& p, Eigen::VectorXd* grad) const;

  std::shared_ptr<const Model> model_;
  Eigen::MatrixXd baseline_;  // b x d
  std::unique_ptr<const FixedSetPosterior> cross_;  // joint posterior with the baseline (refers to *model_)
  Eigen::MatrixXd chol_;      // b x b, L_B
  Eigen::MatrixXd shift_;     // b x S: L_B^-T z_s
  Eigen::VectorXd best_;      // S: max_j f_B^s_j
  bool ok_ = false;
};

class KnowledgeGradient : public Acquisition {
 public:
  // discretization: a x d (e.g. the best observed points and the best raw candidates by posterior mean).
  KnowledgeGradient(std::shared_ptr<const Model> model, Eigen::MatrixXd discretization, int num_quadrature = 64);
  std::string name() const override { return "kg"; }
  bool log_scale() const override { return false; }
  bool nonnegative() const override { return true; }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;

 private:
  std::shared_ptr<const Model> model_;
  Eigen::MatrixXd discretization_;  // a x d
  std::unique_ptr<const FixedSetPosterior> cross_;  // joint posterior with the discretization (refers to *model_)
  Eigen::VectorXd mean_a_;          // a: mu(A)
  double best_mean_ = 0;            // max_j mu(A_j)
  Eigen::VectorXd z_;               // S quadrature nodes
  bool ok_ = false;
};

class MaxValueEntropySearch : public Acquisition {
 public:
  // candidates: m x d points whose marginals define the Gumbel approximation; incumbent: the best observed value
  // (model space) -- draws below it are raised to it (the max cannot be lower than what was seen).
  MaxValueEntropySearch(std::shared_ptr<const Model> model, const Eigen::MatrixXd& candidates, double incumbent,
                        int num_max_samples = 16);
  std::string name() const override { return "mes"; }
  bool log_scale() const override { return false; }
  bool nonnegative() const override { return true; }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  const Eigen::VectorXd& max_samples() const { return y_star_; }

 private:
  std::shared_ptr<const Model> model_;
  Eigen::VectorXd y_star_;  // K sampled max values
};

// Which rows of x (m x d) succeed in one sampled world of a failure classifier, from `seed`: a joint draw g of the
// latent function (GpClassifier::LatentPosterior), and row i succeeds when g_i > 0 -- the latent as a sampled
// feasibility margin, as Thompson sampling treats a sampled constraint, so nearby rows succeed or fail together.
// (Adding the probit's per-point noise would make the rows independent given g: a region likely to fail would
// still hold many succeeding candidates among hundreds.) P(success) = Phi(mu / sigma) of the latent marginal.
// Empty on failure (*status set).
std::vector<bool> SampleSuccesses(const gp::GpClassifier& classifier, const Eigen::MatrixXd& x, uint64_t seed,
                                  gp::GpStatus* status);

// One joint posterior draw at the rows of x (m x d), from `seed`; empty on failure (*status set).
Eigen::VectorXd SampleJointPosterior(const Model& model, const Eigen::MatrixXd& x, uint64_t seed,
                                     gp::GpStatus* status);

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_MONTE_CARLO_H_
