#include "src/study/space.h"

#include <algorithm>
#include <cmath>

namespace bayesd {
namespace {

double Clamp01(double u) { return std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : 0.5; }

// The continuous interval a numeric parameter is relaxed to, in the (possibly log) coordinate.
struct Interval {
  double lo, hi;
};

Interval NumericInterval(const ParameterSpec& p) {
  double lo = p.low, hi = p.high;
  if (p.type == ParamType::kInt) {
    lo -= 0.5;
    hi += 0.5;
    if (p.log) lo = std::max(lo, p.low * 0.5);  // keep positive; low > 0 is validated
  }
  if (p.log) return {std::log(lo), std::log(hi)};
  return {lo, hi};
}

}  // namespace

SearchSpace::SearchSpace(const std::vector<ParameterSpec>& parameters) : params_(parameters) {}

std::vector<double> SearchSpace::FromUnit(const std::vector<double>& u) const {
  std::vector<double> raw(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    const ParameterSpec& p = params_[i];
    const double ui = Clamp01(i < u.size() ? u[i] : 0.5);
    if (p.type == ParamType::kCategorical) {
      const double k = static_cast<double>(p.choices.size());
      raw[i] = std::min(std::floor(ui * k), k - 1);
      continue;
    }
    const Interval iv = NumericInterval(p);
    double x = iv.lo + ui * (iv.hi - iv.lo);
    if (p.log) x = std::exp(x);
    // The ends of the cube are the bounds exactly (exp(log(0.5)) is 0.49999999999999994).
    if (p.type == ParamType::kFloat && ui == 0.0) x = p.low;
    if (p.type == ParamType::kFloat && ui == 1.0) x = p.high;
    raw[i] = x;
  }
  return Snap(raw);
}

std::vector<double> SearchSpace::ToUnit(const std::vector<double>& raw) const {
  std::vector<double> u(params_.size(), 0.5);
  const std::vector<double> snapped = Snap(raw);
  for (size_t i = 0; i < params_.size(); ++i) {
    const ParameterSpec& p = params_[i];
    if (p.type == ParamType::kCategorical) {
      u[i] = (snapped[i] + 0.5) / static_cast<double>(p.choices.size());
      continue;
    }
    const Interval iv = NumericInterval(p);
    const double x = p.log ? std::log(snapped[i]) : snapped[i];
    u[i] = Clamp01((x - iv.lo) / (iv.hi - iv.lo));
  }
  return u;
}

std::vector<double> SearchSpace::Snap(const std::vector<double>& raw) const {
  std::vector<double> out(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    const ParameterSpec& p = params_[i];
    double v = i < raw.size() && std::isfinite(raw[i]) ? raw[i] : 0.0;
    switch (p.type) {
      case ParamType::kCategorical:
        v = std::clamp(std::round(v), 0.0, static_cast<double>(p.choices.size()) - 1);
        break;
      case ParamType::kInt:
        v = std::clamp(std::round(v), p.low, p.high);
        break;
      case ParamType::kFloat:
        v = std::clamp(v, p.low, p.high);
        break;
    }
    out[i] = v;
  }
  return out;
}

}  // namespace bayesd
