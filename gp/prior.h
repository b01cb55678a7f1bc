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
  enum class Kind { kNone, kLogNormal, kGamma, kNormalOfLog };

  Prior() = default;  // flat (no contribution)
  static Prior None() { return Prior(); }
  // log v ~ Normal(loc, scale^2).
  static Prior LogNormal(double loc, double scale) { return Prior(Kind::kLogNormal, loc, scale); }
  // theta = log v ~ Normal(loc, scale^2), the density of theta itself (log p(v) + log v: the Jacobian of the log
  // map included). Same distribution as LogNormal(loc, scale); the MAP point differs: in log space this prior's
  // mode is loc, while the density of v (LogNormal above) adds a pull of -1 per unit of theta (mode loc - scale^2).
  static Prior NormalOfLog(double loc, double scale) { return Prior(Kind::kNormalOfLog, loc, scale); }
  // v ~ Gamma(concentration, rate).
  static Prior Gamma(double concentration, double rate) { return Prior(Kind::kGamma, concentration, rate); }

  // Hvarfner, Hellsten & Nardi (2024), "Vanilla Bayesian optimization performs great in high dimensions":
  // lengthscale ~ LogNormal(sqrt(2) + log(d) / 2, sqrt(3)), d = number of ARD dimensions. Same constants as
  // BoTorch's get_covar_module_with_dim_scaled_prior.
  static Prior DimensionScaledLengthscale(int d);

  // The same prior, with optimizer restarts (LogSample) drawn from log v ~ Normal(loc, scale^2) instead.
  Prior WithStarts(double loc, double scale) const {
    Prior p = *this;
    p.start_loc_ = loc;
    p.start_scale_ = scale;
    p.custom_starts_ = true;
    return p;
  }

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
  bool custom_starts_ = false;
  double start_loc_ = 0;
  double start_scale_ = 1;
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_PRIOR_H_
