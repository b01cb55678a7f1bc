#include "acquisition/normal.h"

#include <cmath>
#include <limits>

namespace bayesd::acquisition {
namespace {

constexpr double kInvSqrt2Pi = 0.39894228040143267794;
// Below this z the asymptotic expansion of log h is exact to double precision (Ament et al. 2023): -1/sqrt(eps).
const double kLogHAsymptoticZ = -1.0 / std::sqrt(std::numeric_limits<double>::epsilon());

}  // namespace

double Erfcx(double x) {
  if (x < 26.0) {
    // exp(x^2) computed as exp(hi) * exp(lo) with x^2 = hi + lo exactly (fma) to keep the relative error small;
    // |lo| <= ulp(hi) / 2 < 1e-13 here, so exp(lo) = 1 + lo to double precision (lo^2 / 2 < 1e-26) -- one exp call
    // fewer (noisy EI evaluates this per Monte Carlo sample).
    const double hi = x * x;
    const double lo = std::fma(x, x, -hi);
    return std::exp(hi) * (1.0 + lo) * std::erfc(x);
  }
  // Asymptotic series erfcx(x) = 1/(x sqrt(pi)) * sum_k (-1)^k (2k-1)!! / (2x^2)^k; 6 terms suffice for x >= 26.
  const double t = 1.0 / (2.0 * x * x);
  double term = 1.0, sum = 1.0;
  for (int k = 1; k <= 6; ++k) {
    term *= -(2.0 * k - 1.0) * t;
    sum += term;
  }
  return sum / (x * kSqrtPi);
}

double NormalPdf(double z) { return kInvSqrt2Pi * std::exp(-0.5 * z * z); }

double NormalCdf(double z) { return 0.5 * std::erfc(-z / kSqrt2); }

double LogNormalCdf(double z) {
  if (z > 0.0) return std::log1p(-0.5 * std::erfc(z / kSqrt2));
  // Phi(z) = erfcx(-z/sqrt2) exp(-z^2/2) / 2.
  return std::log(0.5 * Erfcx(-z / kSqrt2)) - 0.5 * z * z;
}

double NormalHazard(double z) {
  if (z > 0.0) return NormalPdf(z) / NormalCdf(z);
  return std::sqrt(2.0 / M_PI) / Erfcx(-z / kSqrt2);
}

double NormalQuantile(double p) {
  if (!(p > 0.0 && p < 1.0)) return p == 0.0 ? -INFINITY : (p == 1.0 ? INFINITY : NAN);
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double plow = 0.02425;
  double x;
  if (p < plow) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - plow) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step on Phi(x) - p.
  const double e = NormalCdf(x) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

double Log1mExp(double a) { return a > -M_LN2 ? std::log(-std::expm1(a)) : std::log1p(-std::exp(a)); }

namespace {

// log h(z) and, when `derivative` is non-null, d log h / dz = Phi(z) / h(z) (h' = Phi), from one evaluation of the
// normal functions: LogH, LogHDerivative and LogHWithDerivative all come here, so they agree bit for bit.
double LogHImpl(double z, double* derivative) {
  if (z > -1.0) {
    const double cdf = NormalCdf(z), h = NormalPdf(z) + z * cdf;  // h >= h(-1) = 0.083: no underflow
    if (derivative) *derivative = cdf / h;
    return std::log(h);
  }
  if (z > kLogHAsymptoticZ) {
    // h(z) = phi(z) (1 - u), u = |z| sqrt(pi/2) erfcx(|z|/sqrt2), and Phi(z) = erfcx(|z|/sqrt2) exp(-z^2/2) / 2, so
    // Phi / h = sqrt(pi/2) erfcx / (1 - u): one erfcx for both.
    const double c2 = 0.5 * std::log(M_PI / 2.0);
    const double e = Erfcx(-z / kSqrt2);
    const double log1mu = Log1mExp(std::log(e * -z) + c2);  // log(1 - u)
    if (derivative) *derivative = std::exp(c2 - log1mu) * e;
    return -0.5 * z * z - kLogSqrt2Pi + log1mu;
  }
  if (derivative) *derivative = -z - 2.0 / z;  // the derivative of the asymptotic branch
  return -0.5 * z * z - kLogSqrt2Pi - 2.0 * std::log(-z);
}

}  // namespace

double LogH(double z) { return LogHImpl(z, nullptr); }

double LogHDerivative(double z) {
  double derivative = 0;
  LogHImpl(z, &derivative);
  return derivative;
}

double LogHWithDerivative(double z, double* derivative) { return LogHImpl(z, derivative); }

double LogEiOfNormal(double mean, double variance, double best, double* d_mean, double* d_variance) {
  const double s = std::sqrt(variance), z = (mean - best) / s;
  if (!d_mean) return LogH(z) + std::log(s);
  double dz = 0;
  const double lh = LogHWithDerivative(z, &dz);
  *d_mean = dz / s;
  *d_variance = (1.0 - dz * z) / (2.0 * variance);
  return lh + std::log(s);
}

}  // namespace bayesd::acquisition
