#include "src/strategies/gp_composite.h"

#include <cmath>
#include <limits>

#include <muParser.h>

#include "src/study/composite.h"

namespace bayesd {

struct CompositeOuter::Parser {
  mu::Parser parser;
};

CompositeOuter::~CompositeOuter() = default;

StatusOr<std::shared_ptr<CompositeOuter>> CompositeOuter::Create(const StudyConfig& config) {
  std::shared_ptr<CompositeOuter> c(new CompositeOuter());
  const size_t k = config.outputs.size();
  if (k == 0 || !config.objective.composite()) {
    return InvalidArgument("the objective is not composite", "objective");
  }
  c->targets_.assign(k, 0.0);
  c->weights_.assign(k, 0.0);
  c->vars_.assign(k, 0.0);
  for (size_t i = 0; i < k; ++i) {
    const std::string& name = config.outputs[i].name;
    if (auto t = config.objective.targets.find(name); t != config.objective.targets.end()) {
      c->targets_[i] = t->second;
      c->weights_[i] = 1.0;
      if (auto w = config.objective.weights.find(name); w != config.objective.weights.end()) c->weights_[i] = w->second;
    }
  }
  if (config.objective.expression.empty()) return c;
  c->parser_ = std::make_unique<Parser>();
  try {
    for (size_t i = 0; i < k; ++i) c->parser_->parser.DefineVar(config.outputs[i].name, &c->vars_[i]);
    c->parser_->parser.SetExpr(config.objective.expression);
    (void)c->parser_->parser.Eval();
  } catch (const mu::Parser::exception_type& e) {
    return InvalidArgument("objective.expression: " + e.GetMsg(), "objective.expression");
  }
  return c;
}

double CompositeOuter::Evaluate(const Eigen::VectorXd& y, Eigen::VectorXd* grad) const {
  const Eigen::Index k = static_cast<Eigen::Index>(targets_.size());
  if (y.size() != k) return std::numeric_limits<double>::quiet_NaN();
  if (!parser_) {
    double sum = 0;
    if (grad) grad->resize(k);
    for (Eigen::Index i = 0; i < k; ++i) {
      const double r = y[i] - targets_[i];
      sum += weights_[i] * r * r;
      if (grad) (*grad)[i] = 2.0 * weights_[i] * r;
    }
    return sum;
  }
  std::lock_guard<std::mutex> lock(mu_);
  try {
    for (Eigen::Index i = 0; i < k; ++i) vars_[i] = y[i];
    const double value = parser_->parser.Eval();
    if (grad && std::isfinite(value)) {
      grad->resize(k);
      for (Eigen::Index i = 0; i < k; ++i) {
        (*grad)[i] = parser_->parser.Diff(&vars_[i], y[i], 1e-4 * std::max(1.0, std::abs(y[i])));
      }
    }
    return value;
  } catch (const mu::Parser::exception_type&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

bool CompositeOuter::OutputsOf(const std::map<std::string, double>& values, const std::vector<std::string>& names,
                               std::vector<double>* outputs, double* g) const {
  outputs->clear();
  for (const std::string& name : names) {
    auto it = values.find(name);
    if (it == values.end() || !std::isfinite(it->second)) return false;
    outputs->push_back(it->second);
  }
  *g = Evaluate(Eigen::Map<const Eigen::VectorXd>(outputs->data(), static_cast<Eigen::Index>(outputs->size())),
                nullptr);
  return true;
}

bool ModelledTrialValues(const StudyConfig& config, const CompositeOuter* outer,
                         const std::vector<std::string>& output_names, const std::map<std::string, double>& values,
                         double* objective, std::vector<double>* outputs, std::vector<double>* constraints) {
  outputs->clear();
  constraints->clear();
  if (outer) {
    double g = 0;
    if (!outer->OutputsOf(values, output_names, outputs, &g)) return false;
    *objective = std::isfinite(g) ? g : std::numeric_limits<double>::quiet_NaN();
  } else {
    const std::optional<double> v = ObjectiveValue(config, values);
    if (!v || !std::isfinite(*v)) return false;
    *objective = *v;
  }
  for (const ConstraintSpec& cs : config.constraints) {
    auto it = values.find(cs.name);
    if (it == values.end() || !std::isfinite(it->second)) return false;
    constraints->push_back(it->second);
  }
  return true;
}

}  // namespace bayesd
