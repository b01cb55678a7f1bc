#include "src/study/composite.h"

#include <cmath>
#include <limits>

#include <muParser.h>

namespace bayesd {

struct CompositeObjective::Parser {
  mu::Parser parser;
};

CompositeObjective::~CompositeObjective() = default;

StatusOr<std::unique_ptr<CompositeObjective>> CompositeObjective::Create(
    const ObjectiveSpec& objective, const std::vector<OutputSpec>& outputs) {
  std::unique_ptr<CompositeObjective> c(new CompositeObjective());
  for (const OutputSpec& o : outputs) c->names_.push_back(o.name);
  const size_t k = c->names_.size();
  c->targets_.assign(k, 0.0);
  c->weights_.assign(k, 0.0);
  c->vars_.assign(k, 0.0);
  auto index_of = [&](const std::string& name) -> int {
    for (size_t i = 0; i < k; ++i)
      if (c->names_[i] == name) return static_cast<int>(i);
    return -1;
  };
  for (const auto& [name, target] : objective.targets) {
    const int i = index_of(name);
    if (i < 0) {
      return InvalidArgument("objective.targets names unknown output '" + name + "'",
                             "objective.targets." + name);
    }
    c->targets_[i] = target;
    c->weights_[i] = 1.0;
  }
  for (const auto& [name, weight] : objective.weights) {
    const int i = index_of(name);
    if (i < 0 || objective.targets.count(name) == 0) {
      return InvalidArgument("objective.weights names '" + name + "', which has no target",
                             "objective.weights." + name);
    }
    c->weights_[i] = weight;
  }
  if (objective.expression.empty()) return c;

  c->parser_ = std::make_unique<Parser>();
  try {
    for (size_t i = 0; i < k; ++i) c->parser_->parser.DefineVar(c->names_[i], &c->vars_[i]);
    c->parser_->parser.SetExpr(objective.expression);
    // Evaluating once forces a full parse; unknown variables and syntax errors throw here.
    (void)c->parser_->parser.Eval();
  } catch (const mu::Parser::exception_type& e) {
    return InvalidArgument("objective.expression: " + e.GetMsg(), "objective.expression");
  }
  return c;
}

double CompositeObjective::Evaluate(const std::vector<double>& output_values) const {
  const size_t k = names_.size();
  if (!parser_) {
    double sum = 0.0;
    for (size_t i = 0; i < k; ++i) {
      if (weights_[i] == 0.0) continue;
      const double y = i < output_values.size() ? output_values[i] : std::nan("");
      sum += weights_[i] * (y - targets_[i]) * (y - targets_[i]);
    }
    return sum;
  }
  for (size_t i = 0; i < k; ++i) vars_[i] = i < output_values.size() ? output_values[i] : std::nan("");
  try {
    return parser_->parser.Eval();
  } catch (const mu::Parser::exception_type&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

double CompositeObjective::Evaluate(const std::map<std::string, double>& values) const {
  std::vector<double> v(names_.size(), std::nan(""));
  for (size_t i = 0; i < names_.size(); ++i) {
    auto it = values.find(names_[i]);
    if (it != values.end()) v[i] = it->second;
  }
  return Evaluate(v);
}

std::optional<double> ObjectiveValue(const StudyConfig& config, const std::map<std::string, double>& values) {
  if (!config.objective.composite()) {
    auto it = values.find(config.objective.name);
    if (it == values.end() || !std::isfinite(it->second)) return std::nullopt;
    return it->second;
  }
  auto composite = CompositeObjective::Create(config.objective, config.outputs);
  if (!composite.ok()) return std::nullopt;
  const double v = (*composite)->Evaluate(values);
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace bayesd
