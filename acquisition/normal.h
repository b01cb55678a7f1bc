// Numerically robust standard-normal helpers for acquisition functions.
//
// Everything here is accurate far into the tails where the naive formulas underflow: log Phi(z) for z << 0, and
// log h(z) = log(phi(z) + z Phi(z)), the log of the expected improvement of a standard normal over 0, following
// Ament, Daulton, Eriksson, Balandat & Bakshy (2023), "Unexpected improvements to expected improvement for
// Bayesian optimization", NeurIPS, eq. (9) (the erfcx-based branch for -1/sqrt(eps) < z <= -1 and the
// asymptotic branch below it).
//
// Thread safety: pure functions.
#ifndef BAYESD_ACQUISITION_NORMAL_H_
#define BAYESD_ACQUISITION_NORMAL_H_

namespace bayesd::acquisition {

inline constexpr double kSqrt2 = 1.4142135623730950488;
inline constexpr double kSqrtPi = 1.7724538509055160273;
inline constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(2 pi) / 2

// Scaled complementary error function exp(x^2) erfc(x), relative error ~1e-13 for all finite x (x >= 26 uses the
// asymptotic series, which is exact to double precision there).
double Erfcx(double x);

double NormalPdf(double z);
double NormalCdf(double z);
// log Phi(z), accurate for z -> -inf (via erfcx) and z -> +inf (via log1p).
double LogNormalCdf(double z);
// phi(z) / Phi(z) (the inverse Mills ratio of -z), accurate for z -> -inf where it tends to -z.
double NormalHazard(double z);
// Phi^-1(p) for p in (0, 1): Acklam's rational approximation polished by one Halley step (~1e-15).
double NormalQuantile(double p);

// log(1 - exp(a)) for a < 0 (Maechler 2012).
double Log1mExp(double a);
// log h(z), h(z) = phi(z) + z Phi(z) = E[max(Z + z, 0)] for Z ~ N(0, 1) (Ament et al. 2023, eq. 9).
double LogH(double z);
// d log h / dz = Phi(z) / h(z), accurate in the tail (where it behaves as |z| + 2/|z|).
double LogHDerivative(double z);
// LogH(z), and LogHDerivative(z) into *derivative, sharing the work.
double LogHWithDerivative(double z, double* derivative);
// log EI of N(mean, variance) over `best`: log h(z) + log s with s = sqrt(variance), z = (mean - best) / s; when
// d_mean is non-null, its partials into *d_mean and *d_variance (both non-null). The analytic log-EI and the
// per-sample log-EI of noisy EI share it.
double LogEiOfNormal(double mean, double variance, double best, double* d_mean, double* d_variance);

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_NORMAL_H_
