#include "src/strategies/mf_cost.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace bayesd {

void MfCostModel::Learn(const std::vector<Trial>& trials) {
  fitted_ = false;
  reports_ = 0;
  if (spec_.discrete || spec_.cost_type != CostModelType::kLearned) return;
  std::vector<double> lf, lc;
  std::set<double> distinct;
  for (const Trial& t : trials) {
    if (t.state != TrialState::kCompleted || !t.cost || !t.fidelity) continue;
    if (!(*t.cost > 0) || !std::isfinite(*t.cost) || !(*t.fidelity > 0)) continue;
    lf.push_back(std::log(*t.fidelity));
    lc.push_back(std::log(*t.cost));
    distinct.insert(*t.fidelity);
  }
  reports_ = static_cast<int>(lf.size());
  if (lf.empty()) return;
  const double n = static_cast<double>(lf.size());
  double mf = 0, mc = 0;
  for (size_t i = 0; i < lf.size(); ++i) mf += lf[i] / n, mc += lc[i] / n;
  b_ = 1.0;
  if (distinct.size() >= 2) {
    double sxy = 0, sxx = 0;
    for (size_t i = 0; i < lf.size(); ++i) sxy += (lf[i] - mf) * (lc[i] - mc), sxx += (lf[i] - mf) * (lf[i] - mf);
    // Costs that fall with fidelity are not a cost model anyone declares: keep the slope >= 0.
    if (sxx > 0) b_ = std::max(0.0, sxy / sxx);
  }
  a_ = mc - b_ * mf;
  fitted_ = true;
}

double MfCostModel::Cost(double fidelity) const {
  if (spec_.discrete) {
    size_t best = 0;
    for (size_t i = 1; i < spec_.levels.size(); ++i) {
      if (std::abs(spec_.levels[i] - fidelity) < std::abs(spec_.levels[best] - fidelity)) best = i;
    }
    return spec_.costs[best];
  }
  const double rel = std::max(fidelity, 1e-300) / spec_.high;
  switch (spec_.cost_type) {
    case CostModelType::kLinear: return spec_.fixed_cost + rel;
    case CostModelType::kExponent: return spec_.fixed_cost + std::pow(rel, spec_.cost_exponent);
    case CostModelType::kLearned:
      if (fitted_) return std::max(1e-12, std::exp(a_ + b_ * std::log(std::max(fidelity, 1e-300))));
      return spec_.fixed_cost + rel;
  }
  return 1.0;
}

nlohmann::json MfCostModel::Describe() const {
  if (spec_.discrete) return {{"type", "levels"}, {"source", "declared"}};
  switch (spec_.cost_type) {
    case CostModelType::kLinear: return {{"type", "linear"}, {"source", "declared"}};
    case CostModelType::kExponent: return {{"type", "exponent"}, {"source", "declared"}};
    case CostModelType::kLearned:
      if (!fitted_) return {{"type", "learned"}, {"source", "prior (linear): no cost reported yet"}};
      return {{"type", "learned"}, {"source", "reported"}, {"reports", reports_}, {"log_intercept", a_},
              {"log_slope", b_}};
  }
  return {};
}

}  // namespace bayesd
