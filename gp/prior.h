// Priors on positive hyperparameters, evaluated on the natural value v = exp(theta) where theta is the log-space
// parameter the optimizer sees. Following BoTorch/GPyTorch, the MAP objective adds log p(v) (the density of the
// natural parameter, no log-Jacobian term); LogDensity returns d log p(v) / d theta for the gradient.
//
// Thread safety: immutable value type.
#ifndef BAYESD_GP_PRIOR_H_
#define BAYESD_GP_PRIOR_H_

namespace bayesd::gp {

class Prior {
 public:
  enum class Kind { kNone, kLogNormal, kGamma };

  Prior() = default;  // flat (no contribution)
  static Prior None() { return Prior(); }
  // log v ~ Normal(loc, scale^2).
  static Prior LogNormal(double loc, double scale) { return Prior(Kind::kLogNormal, loc, scale); }
  // v ~ Gamma(concentration, rate).
  static Prior Gamma(double concentration, double rate) { return Prior(Kind::kGamma, concentration, rate); }

  // Hvarfner, Hellsten & Nardi (2024), "Vanilla Bayesian optimization performs great in high dimensions":
  // lengthscale ~ LogNormal(sqrt(2) + log(d) / 2, sqrt(3)), d = number of ARD dimensions. Same constants as
  // BoTorch's get_covar_module_with_dim_scaled_prior.
  static Prior DimensionScaledLengthscale(int d);

  Kind kind() const { return kind_; }
  double a() const { return a_; }
  double b() const { return b_; }

  // log p(exp(theta)); writes d/dtheta into *dtheta when non-null. Returns 0 for kNone.
  double LogDensity(double theta, double* dtheta) const;
  // The mode in log space (log of the natural-scale mode); 0 for kNone.
  double LogMode() const;
  // A random log-space draw from the prior given a standard normal z and a uniform u in (0, 1).
  double LogSample(double z, double u) const;

 private:
  Prior(Kind kind, double a, double b) : kind_(kind), a_(a), b_(b) {}
  Kind kind_ = Kind::kNone;
  double a_ = 0;  // loc or concentration
  double b_ = 1;  // scale or rate
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_PRIOR_H_
