// OutcomeTransform: maps raw outcomes y (the objective's own units) to the model space z where the GP lives, and
// maps Gaussian predictions back.
//
//   standardize only:  z = (y - mu) / s                                   (affine: exact mean and sd back)
//   + Yeo-Johnson:     z = (psi_lambda((y - mu) / s) - mu2) / s2          (Yeo & Johnson 2000, Biometrika 87(4))
//
// lambda maximizes the Yeo-Johnson profile log-likelihood (as scikit-learn's PowerTransformer) on [-3, 3] by golden
// section. Back-transform of a Gaussian N(m, v) in model space through the monotone warp g = z -> y:
//   median  = g(m)                         (exact: monotone maps carry quantiles)
//   lower / upper = g(m -/+ 1.96 sqrt(v))  (exact 95% quantiles)
//   sd      = |g'(m)| sqrt(v)              (delta method; reported as "sd", first-order accurate)
//   mean    = reported as the median g(m) when warped (the exact mean needs quadrature and is not what BO uses).
// With the affine transform all of these are exact: mean = mu + s m, sd = s sqrt(v).
// Degenerate outcomes: s = 1 when the outcomes are constant (or |mu| when that is larger), so constant data and
// a single observation give finite models; scales like 1e-12 or 1e12 are handled by s itself, and mu and s are
// computed on the outcomes scaled by a power of two (SampleMeanSd), so outcomes near 1e-300 or 1e300 are too.
//
// Thread safety: const methods are safe to call concurrently; Fit needs exclusive access.
#ifndef BAYESD_GP_OUTCOME_TRANSFORM_H_
#define BAYESD_GP_OUTCOME_TRANSFORM_H_

#include <Eigen/Core>

#include "gp/status.h"

namespace bayesd::gp {

// Sample mean and sd (n - 1 denominator; sd 0 for n < 2) of v, two-pass on v scaled by a power of two near its
// largest magnitude: no squares underflow or overflow, and for ordinary values the result is bit-for-bit that of
// the unscaled two-pass formula.
void SampleMeanSd(const Eigen::VectorXd& v, double* mean, double* sd);

struct OutcomeTransformOptions {
  enum class Warp { kNone, kYeoJohnson, kAuto };
  Warp warp = Warp::kNone;            // kAuto: Yeo-Johnson when |sample skewness| > auto_skew_threshold
  double auto_skew_threshold = 1.0;   // for kAuto
  int min_points_for_warp = 8;        // fewer outcomes: never warp (lambda would be noise)

  GpStatus Validate() const;
};

class OutcomeTransform {
 public:
  explicit OutcomeTransform(OutcomeTransformOptions options = {}) : options_(options) {}

  // Fits mu, s (and lambda, mu2, s2 when warping) on finite outcomes y (n >= 1).
  GpStatus Fit(const Eigen::VectorXd& y);

  double ToModel(double y) const;
  Eigen::VectorXd ToModel(const Eigen::VectorXd& y) const;
  double ToOutcome(double z) const;
  // dz/dy at outcome y (> 0).
  double ModelSlope(double y) const;
  // Outcome-unit noise variances to model units: var * (dz/dy)^2 at each y (delta method).
  Eigen::VectorXd NoiseToModel(const Eigen::VectorXd& y, const Eigen::VectorXd& noise_var) const;

  // Back-transform of N(mean_z, var_z) per point (see the file comment).
  void ToOutcomeGaussian(const Eigen::VectorXd& mean_z, const Eigen::VectorXd& var_z, Eigen::VectorXd* mean,
                         Eigen::VectorXd* sd, Eigen::VectorXd* lower, Eigen::VectorXd* upper) const;

  bool warped() const { return warped_; }
  // y = offset + scale * z exactly when !warped().
  double offset() const { return mu_; }
  double scale() const { return s_; }
  double lambda() const { return lambda_; }

 private:
  double Warp(double u) const;         // psi_lambda
  double Unwarp(double w) const;       // psi_lambda^-1
  double WarpSlope(double u) const;    // d psi / du

  OutcomeTransformOptions options_;
  double mu_ = 0, s_ = 1;
  bool warped_ = false;
  double lambda_ = 1, mu2_ = 0, s2_ = 1;
};

// Yeo-Johnson transform and its inverse (exposed for tests).
double YeoJohnson(double u, double lambda);
double YeoJohnsonInverse(double w, double lambda);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_OUTCOME_TRANSFORM_H_
