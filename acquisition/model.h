// The seam between models and acquisitions: "posterior mean and covariance (and their gradients) at these points".
//
// Acquisitions see a model only through this interface. Points are rows of an m x d matrix laid out per the
// model's gp::InputSpec (continuous columns in [0, 1], categorical columns as category indices). All values are in
// the model's space (standardized outcomes, larger is better: the caller flips the sign of minimized outcomes).
//
// Thread safety: implementations are immutable after construction; const methods are safe to call concurrently.
#ifndef BAYESD_ACQUISITION_MODEL_H_
#define BAYESD_ACQUISITION_MODEL_H_

#include <cmath>
#include <memory>

#include <Eigen/Core>

#include "gp/exact_gp.h"
#include "gp/status.h"

namespace bayesd::acquisition {

// The joint posterior of query points with a fixed set of points B (b x d) that many calls share: noisy EI's baseline
// and knowledge gradient's discretization. Obtained from Model::WithFixedSet; it refers to that model and must not
// outlive it.
class FixedSetPosterior {
 public:
  virtual ~FixedSetPosterior() = default;
  // Moments of each row of xq (m x d) with B (see gp::CrossMoments; gradients for every row when asked). A failure
  // is reported in the status and covers every row.
  virtual gp::CrossMoments At(const Eigen::MatrixXd& xq, bool gradients) const = 0;
};

class Model {
 public:
  virtual ~Model() = default;

  // Input width d.
  virtual int dim() const = 0;
  // Latent posterior at xq (m x d) with what `options` asks for (see gp::Posterior for shapes).
  virtual gp::Posterior PosteriorAt(const Eigen::MatrixXd& xq, const gp::PosteriorOptions& options) const = 0;
  // Observation noise variance (model units) of a new evaluation; knowledge gradient uses it.
  virtual double NoiseVariance() const = 0;
  // A model further conditioned on values z (p, observed with the model's noise) at x (p x d): pending points
  // (kriging believer when z is the posterior mean) and fantasies. nullptr with *status set on failure.
  virtual std::unique_ptr<Model> Condition(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                                           gp::GpStatus* status) const = 0;
  // The joint posterior with B for many calls. This default asks PosteriorAt for the full covariance of [xq; B] at
  // every call; models that can keep B's share of the work between calls override it.
  virtual std::unique_ptr<const FixedSetPosterior> WithFixedSet(const Eigen::MatrixXd& b) const;
};

// A Model over a fitted, factorized gp::ExactGp (outputs already in model space).
class ExactGpModel : public Model {
 public:
  explicit ExactGpModel(std::shared_ptr<const gp::ExactGp> gp) : gp_(std::move(gp)) {}

  int dim() const override { return static_cast<int>(gp_->x().cols()); }
  gp::Posterior PosteriorAt(const Eigen::MatrixXd& xq, const gp::PosteriorOptions& options) const override {
    return gp_->Predict(xq, options);
  }
  double NoiseVariance() const override { return gp_->noise_variance(); }
  std::unique_ptr<Model> Condition(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                                   gp::GpStatus* status) const override;
  // B's kernel columns and solves are done once (gp::ExactGp::PrepareCross); each call then costs O(m n (b + n)).
  std::unique_ptr<const FixedSetPosterior> WithFixedSet(const Eigen::MatrixXd& b) const override;

  const gp::ExactGp& gp() const { return *gp_; }

 private:
  std::shared_ptr<const gp::ExactGp> gp_;
};

// Posterior mean and variance of one point with input gradients (d each); false when the model fails.
struct PointPosterior {
  double mean = 0;
  double variance = 0;
  Eigen::VectorXd mean_gradient;      // d
  Eigen::VectorXd variance_gradient;  // d
};
bool PosteriorAtPoint(const Model& model, const Eigen::VectorXd& x, bool gradients, PointPosterior* out);

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_MODEL_H_
