#include "bench/harness/bench_study.h"

#include <algorithm>
#include <cmath>

namespace bayesd::bench {
namespace {

using nlohmann::json;

std::vector<std::string> Names(const char* prefix, int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(prefix + std::to_string(i));
  return names;
}

FidelitySetup DiscreteSetup(const DiscreteFidelity& d) {
  FidelitySetup f;
  f.discrete = true;
  f.cost_source = "problems.json";
  for (size_t i = 0; i < d.names.size(); ++i) {
    f.levels.push_back(static_cast<double>(i));
    if (!d.costs[i]) f.cost_source = "bench_default";
  }
  for (size_t i = 0; i < d.names.size(); ++i) {
    // All or nothing: a partial cost list from the source would mix scales.
    f.costs.push_back(f.cost_source == "problems.json" ? *d.costs[i] : std::pow(10.0, static_cast<double>(i)));
  }
  return f;
}

FidelitySetup ContinuousSetup(const ContinuousFidelity& c, bool discrete_variant) {
  FidelitySetup f;
  if (discrete_variant && !c.discrete_values.empty() && c.discrete_cost) {
    f.discrete = true;
    f.levels = c.discrete_values;
    for (double s : f.levels) f.costs.push_back(c.discrete_cost->At(s));
    f.cost_source = "problems.json";
    return f;
  }
  f.low = std::max(c.low, kMinContinuousFidelity);
  f.high = c.high;
  f.cost = c.cost.value_or(AffineCost{5.0, 1.0});
  f.cost_source = c.cost ? "problems.json" : "bench_default";
  return f;
}

// Index of the level nearest to `fidelity`.
int NearestLevel(const FidelitySetup& f, double fidelity) {
  int best = 0;
  for (int i = 1; i < static_cast<int>(f.levels.size()); ++i) {
    if (std::abs(f.levels[i] - fidelity) < std::abs(f.levels[best] - fidelity)) best = i;
  }
  return best;
}

json FidelityBody(const FidelitySetup& f) {
  if (f.discrete) return {{"name", "fidelity"}, {"levels", f.levels}, {"costs", f.costs}};
  // bayesd's linear cost model is proportional to fidelity / high; with high = 1 this is fixed + s.
  json cost = {{"type", "linear"}};
  if (f.cost.fixed > 0) cost["fixed"] = f.cost.fixed;
  return {{"name", "fidelity"}, {"low", f.low}, {"high", f.high}, {"cost", cost}};
}

bool AllFinite(const std::map<std::string, double>& values) {
  return std::all_of(values.begin(), values.end(), [](const auto& kv) { return std::isfinite(kv.second); });
}

}  // namespace

double FidelitySetup::Cost(double fidelity) const {
  return discrete ? costs[NearestLevel(*this, fidelity)] : cost.At(fidelity);
}

json FidelitySetup::ToJson() const {
  json j = {{"discrete", discrete}, {"target", target()}, {"cost_source", cost_source}};
  if (discrete) {
    j["levels"] = levels;
    j["costs"] = costs;
  } else {
    j["low"] = low;
    j["high"] = high;
    j["cost"] = {{"fixed", cost.fixed}, {"slope", cost.slope}};
  }
  return j;
}

BenchStudy MakeBenchStudy(const Problem& problem, bool discrete_variant) {
  BenchStudy s;
  s.problem = &problem;
  s.params = Names("x", problem.DesignDim());
  s.outputs = Names("y", problem.num_outputs);
  s.constraints = Names("c", problem.num_constraints);
  if (problem.discrete_fidelity) s.fidelity = DiscreteSetup(*problem.discrete_fidelity);
  if (problem.continuous_fidelity) s.fidelity = ContinuousSetup(*problem.continuous_fidelity, discrete_variant);
  return s;
}

json CreateStudyBody(const BenchStudy& study, const std::string& name, const std::string& strategy,
                     const json& options, uint64_t seed) {
  const Problem& p = *study.problem;
  json params = json::array();
  auto bounds = p.DesignBounds();
  for (size_t i = 0; i < study.params.size(); ++i) {
    params.push_back({{"name", study.params[i]}, {"type", "float"}, {"low", bounds[i].first},
                      {"high", bounds[i].second}});
  }
  json body = {{"name", name}, {"parameters", params}, {"seed", seed}};
  json objective = {{"name", "f"}, {"goal", p.minimize ? "minimize" : "maximize"}};
  if (p.composite()) {
    objective["expression"] = p.outer_expression;
    json outputs = json::array();
    for (const std::string& y : study.outputs) outputs.push_back({{"name", y}});
    body["outputs"] = outputs;
  }
  body["objective"] = objective;
  if (!study.constraints.empty()) {
    json constraints = json::array();
    for (const std::string& c : study.constraints) {
      constraints.push_back({{"name", c}, {"op", "<="}, {"bound", 0.0}});
    }
    body["constraints"] = constraints;
  }
  if (study.fidelity && study.fidelity_in_study) body["fidelity"] = FidelityBody(*study.fidelity);
  json strat = options.is_object() ? options : json::object();
  strat["name"] = strategy;
  body["strategy"] = strat;
  return body;
}

Outcome Evaluate(const BenchStudy& study, const std::vector<double>& design, std::optional<double> fidelity) {
  const Problem& p = *study.problem;
  Outcome out;
  Vec x = design, x_target = design;
  int level = -1;  // discrete problem level, when the problem has discrete levels
  if (study.fidelity) {
    const FidelitySetup& f = *study.fidelity;
    double fid = fidelity.value_or(f.target());
    out.cost = f.Cost(fid);
    out.cost_charged = *out.cost;
    if (!study.fidelity_in_study) out.cost.reset();  // nothing to report to a study without fidelity
    if (p.continuous_fidelity) {
      double s = f.discrete ? f.levels[NearestLevel(f, fid)] : fid;
      x = p.FullX(design, s);
      x_target = p.FullX(design, p.continuous_fidelity->target);
      out.at_target = s == p.continuous_fidelity->target;
    } else {
      level = NearestLevel(f, fid);
      out.at_target = level == p.discrete_fidelity->target();
    }
  }
  out.value = level >= 0 ? p.Objective(x, level) : p.Objective(x);
  out.target_value = p.Objective(x_target);
  out.constraint_values = p.Constraints(x);
  for (size_t i = 0; i < out.constraint_values.size(); ++i) {
    out.values[study.constraints[i]] = out.constraint_values[i];
    if (!(out.constraint_values[i] <= 0.0)) out.feasible = false;
  }
  if (p.composite()) {
    Vec y = level >= 0 ? p.Outputs(x, level) : p.Outputs(x);
    for (size_t i = 0; i < y.size(); ++i) out.values[study.outputs[i]] = y[i];
  } else {
    out.values["f"] = out.value;
  }
  out.finite = AllFinite(out.values);
  return out;
}

}  // namespace bayesd::bench
