#include "src/study/config.h"

#include <algorithm>

namespace bayesd {

std::vector<std::string> StudyConfig::MeasuredOutcomes() const {
  std::vector<std::string> names;
  if (objective.composite()) {
    for (const OutputSpec& o : outputs) names.push_back(o.name);
  } else {
    names.push_back(objective.name);
  }
  for (const ConstraintSpec& c : constraints) {
    if (std::find(names.begin(), names.end(), c.name) == names.end()) names.push_back(c.name);
  }
  return names;
}

int StudyConfig::ParameterIndex(const std::string& name) const {
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool IsFeasible(const StudyConfig& config, const std::map<std::string, double>& values) {
  for (const ConstraintSpec& c : config.constraints) {
    auto it = values.find(c.name);
    if (it == values.end()) return false;
    const bool holds = c.op == ConstraintOp::kLessEqual ? it->second <= c.bound : it->second >= c.bound;
    if (!holds) return false;
  }
  return true;
}

}  // namespace bayesd
