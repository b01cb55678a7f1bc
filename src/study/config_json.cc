#include "src/study/config_json.h"

#include <cmath>
#include <random>
#include <set>

#include "src/strategies/strategy.h"
#include "src/study/composite.h"
#include "src/study/json_fields.h"

namespace bayesd {
namespace {

constexpr size_t kMaxParameters = 10000;
constexpr size_t kMaxChoices = 10000;
constexpr size_t kMaxOutcomes = 100;
constexpr size_t kMaxNameLength = 128;
constexpr double kMaxIntMagnitude = 9007199254740992.0;  // 2^53: ints are exact in a double up to here

Status CheckName(const std::string& name, const std::string& field) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return InvalidArgument(field + " must be 1 to 128 characters", field);
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return InvalidArgument(field + " must not contain control characters", field);
  }
  return OkStatus();
}

// Registers `name` as taken; kInvalidArgument when a parameter or outcome already uses it.
Status Claim(std::set<std::string>* taken, const std::string& name, const std::string& field) {
  if (!taken->insert(name).second) {
    return InvalidArgument(field + " '" + name + "' duplicates another parameter or outcome name", field);
  }
  return OkStatus();
}

StatusOr<Choice> ParseChoice(const Json& j, const std::string& path) {
  Choice c;
  if (j.is_string()) {
    c.str = j.get<std::string>();
    if (c.str.size() > 1024) return InvalidArgument(path + " must be at most 1024 characters", path);
    return c;
  }
  if (j.is_number()) {
    ASSIGN_OR_RETURN(c.num, AsFiniteNumber(j, path));
    c.is_string = false;
    return c;
  }
  return InvalidArgument(path + " must be a string or a number (got " + std::string(JsonTypeName(j)) + ")",
                         path);
}

Status ParseNumericBounds(const Json& j, const std::string& path, ParameterSpec* p) {
  ASSIGN_OR_RETURN(auto low, ReadNumber(j, path, "low", true));
  ASSIGN_OR_RETURN(auto high, ReadNumber(j, path, "high", true));
  ASSIGN_OR_RETURN(auto log, ReadBool(j, path, "log", false));
  p->low = *low;
  p->high = *high;
  p->log = log.value_or(false);
  if (!(p->low < p->high)) {
    return InvalidArgument(path + ".low must be < high (got " + Json(p->low).dump() + " >= " +
                               Json(p->high).dump() + ")",
                           path + ".low");
  }
  if (p->log && p->low <= 0) {
    return InvalidArgument(path + ".low must be > 0 for a log-scaled parameter (got " + Json(p->low).dump() + ")",
                           path + ".low");
  }
  if (!p->log && !std::isfinite(p->high - p->low)) {
    // The unit-cube map low + u (high - low) would be infinite: every suggestion came out as the same point.
    return InvalidArgument(path + ".high - low must be a finite number (got " + Json(p->low).dump() + " to " +
                               Json(p->high).dump() + ", which overflows; use a log scale or a narrower range)",
                           path + ".high");
  }
  if (p->type == ParamType::kInt) {
    for (auto [v, key] : {std::pair{p->low, "low"}, std::pair{p->high, "high"}}) {
      if (v != std::floor(v) || std::fabs(v) > kMaxIntMagnitude) {
        return InvalidArgument(path + "." + key + " must be a whole number of magnitude <= 2^53 for an int "
                                   "parameter (got " + Json(v).dump() + ")",
                               path + "." + key);
      }
    }
  }
  return OkStatus();
}

StatusOr<ParameterSpec> ParseParameter(const Json& j, const std::string& path) {
  RETURN_IF_ERROR(RequireObject(j, path));
  ParameterSpec p;
  ASSIGN_OR_RETURN(auto name, ReadString(j, path, "name", true));
  p.name = *name;
  RETURN_IF_ERROR(CheckName(p.name, path + ".name"));
  ASSIGN_OR_RETURN(auto type, ReadString(j, path, "type", true));
  if (*type == "float") {
    p.type = ParamType::kFloat;
  } else if (*type == "int") {
    p.type = ParamType::kInt;
  } else if (*type == "categorical") {
    p.type = ParamType::kCategorical;
  } else {
    return InvalidArgument(path + ".type must be float, int or categorical (got '" + *type + "')",
                           path + ".type");
  }
  if (p.type != ParamType::kCategorical) {
    RETURN_IF_ERROR(RejectUnknownKeys(j, path, {"name", "type", "low", "high", "log"}));
    RETURN_IF_ERROR(ParseNumericBounds(j, path, &p));
    return p;
  }
  RETURN_IF_ERROR(RejectUnknownKeys(j, path, {"name", "type", "choices"}));
  const std::string cpath = path + ".choices";
  auto it = j.find("choices");
  if (it == j.end() || it->is_null()) return InvalidArgument(cpath + " is required", cpath);
  if (!it->is_array()) return InvalidArgument(cpath + " must be an array", cpath);
  if (it->empty() || it->size() > kMaxChoices) {
    return InvalidArgument(cpath + " must have 1 to 10000 choices", cpath);
  }
  for (size_t i = 0; i < it->size(); ++i) {
    ASSIGN_OR_RETURN(Choice c, ParseChoice((*it)[i], IndexPath(cpath, i)));
    for (const Choice& prev : p.choices) {
      if (prev == c) return InvalidArgument(IndexPath(cpath, i) + " duplicates an earlier choice", IndexPath(cpath, i));
    }
    p.choices.push_back(std::move(c));
  }
  return p;
}

StatusOr<std::map<std::string, double>> ParseNumberMap(const Json& j, const std::string& path, bool nonnegative) {
  RETURN_IF_ERROR(RequireObject(j, path));
  std::map<std::string, double> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string field = JoinPath(path, it.key());
    ASSIGN_OR_RETURN(double v, AsFiniteNumber(*it, field));
    if (nonnegative && v < 0) return InvalidArgument(field + " must be >= 0", field);
    out[it.key()] = v;
  }
  return out;
}

Status ParseObjective(const Json& body, StudyConfig* config) {
  auto it = body.find("objective");
  if (it == body.end() || it->is_null()) return InvalidArgument("objective is required", "objective");
  const Json& j = *it;
  RETURN_IF_ERROR(RequireObject(j, "objective"));
  RETURN_IF_ERROR(RejectUnknownKeys(j, "objective", {"name", "goal", "targets", "weights", "expression"}));
  ObjectiveSpec& o = config->objective;
  ASSIGN_OR_RETURN(auto name, ReadString(j, "objective", "name", true));
  o.name = *name;
  RETURN_IF_ERROR(CheckName(o.name, "objective.name"));
  ASSIGN_OR_RETURN(auto goal, ReadString(j, "objective", "goal", true));
  if (*goal == "minimize") {
    o.goal = Goal::kMinimize;
  } else if (*goal == "maximize") {
    o.goal = Goal::kMaximize;
  } else {
    return InvalidArgument("objective.goal must be minimize or maximize (got '" + *goal + "')", "objective.goal");
  }
  if (j.contains("targets") && !j["targets"].is_null()) {
    ASSIGN_OR_RETURN(o.targets, ParseNumberMap(j["targets"], "objective.targets", false));
    if (o.targets.empty()) return InvalidArgument("objective.targets must not be empty", "objective.targets");
  }
  if (j.contains("weights") && !j["weights"].is_null()) {
    ASSIGN_OR_RETURN(o.weights, ParseNumberMap(j["weights"], "objective.weights", true));
  }
  ASSIGN_OR_RETURN(auto expr, ReadString(j, "objective", "expression", false));
  o.expression = expr.value_or("");
  if (expr && o.expression.empty()) {
    return InvalidArgument("objective.expression must not be empty", "objective.expression");
  }
  if (o.expression.size() > 4096) {
    return InvalidArgument("objective.expression must be at most 4096 characters", "objective.expression");
  }
  if (!o.targets.empty() && !o.expression.empty()) {
    return InvalidArgument("objective has both targets and expression; give one", "objective.expression");
  }
  if (!o.weights.empty() && o.targets.empty()) {
    return InvalidArgument("objective.weights needs objective.targets", "objective.weights");
  }
  return OkStatus();
}

Status ParseOutputs(const Json& body, StudyConfig* config, std::set<std::string>* taken) {
  auto it = body.find("outputs");
  const bool composite = config->objective.composite();
  if (it == body.end() || it->is_null()) {
    if (composite) {
      return InvalidArgument("outputs is required when the objective has targets or an expression", "outputs");
    }
    return OkStatus();
  }
  if (!it->is_array()) return InvalidArgument("outputs must be an array", "outputs");
  if (!composite && it->empty()) return OkStatus();  // the canonical form spells out "outputs": []
  if (!composite) {
    return InvalidArgument("outputs given but the objective has neither targets nor expression", "outputs");
  }
  if (it->empty() || it->size() > kMaxOutcomes) {
    return InvalidArgument("outputs must list 1 to 100 outputs", "outputs");
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string path = IndexPath("outputs", i);
    const Json& o = (*it)[i];
    RETURN_IF_ERROR(RequireObject(o, path));
    RETURN_IF_ERROR(RejectUnknownKeys(o, path, {"name"}));
    ASSIGN_OR_RETURN(auto name, ReadString(o, path, "name", true));
    RETURN_IF_ERROR(CheckName(*name, path + ".name"));
    RETURN_IF_ERROR(Claim(taken, *name, path + ".name"));
    config->outputs.push_back({*name});
  }
  auto c = CompositeObjective::Create(config->objective, config->outputs);
  return c.ok() ? OkStatus() : c.status();
}

Status ParseConstraints(const Json& body, StudyConfig* config, std::set<std::string>* taken) {
  auto it = body.find("constraints");
  if (it == body.end() || it->is_null()) return OkStatus();
  if (!it->is_array()) return InvalidArgument("constraints must be an array", "constraints");
  if (it->size() > kMaxOutcomes) return InvalidArgument("constraints must list at most 100", "constraints");
  std::set<std::string> outputs;
  for (const OutputSpec& o : config->outputs) outputs.insert(o.name);
  std::set<std::string> declared;  // constraint outcomes declared by constraints themselves
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string path = IndexPath("constraints", i);
    const Json& c = (*it)[i];
    RETURN_IF_ERROR(RequireObject(c, path));
    RETURN_IF_ERROR(RejectUnknownKeys(c, path, {"name", "op", "bound"}));
    ConstraintSpec spec;
    ASSIGN_OR_RETURN(auto name, ReadString(c, path, "name", true));
    spec.name = *name;
    RETURN_IF_ERROR(CheckName(spec.name, path + ".name"));
    ASSIGN_OR_RETURN(auto op, ReadString(c, path, "op", true));
    if (*op == "<=") {
      spec.op = ConstraintOp::kLessEqual;
    } else if (*op == ">=") {
      spec.op = ConstraintOp::kGreaterEqual;
    } else {
      return InvalidArgument(path + ".op must be <= or >= (got '" + *op + "')", path + ".op");
    }
    ASSIGN_OR_RETURN(auto bound, ReadNumber(c, path, "bound", true));
    spec.bound = *bound;
    if (config->objective.composite()) {
      // With outputs listed, constraints refer to measured outputs.
      if (outputs.count(spec.name) == 0) {
        return InvalidArgument(path + ".name '" + spec.name + "' is not a measured output (outputs: list it there)",
                               path + ".name");
      }
    } else if (spec.name != config->objective.name && declared.insert(spec.name).second) {
      RETURN_IF_ERROR(Claim(taken, spec.name, path + ".name"));
    }
    config->constraints.push_back(spec);
  }
  return OkStatus();
}

Status ParseCostModel(const Json& j, FidelitySpec* f) {
  if (j.is_null()) return OkStatus();
  RETURN_IF_ERROR(RequireObject(j, "fidelity.cost"));
  RETURN_IF_ERROR(RejectUnknownKeys(j, "fidelity.cost", {"type", "exponent", "fixed"}));
  ASSIGN_OR_RETURN(auto type, ReadString(j, "fidelity.cost", "type", true));
  if (*type == "linear") {
    f->cost_type = CostModelType::kLinear;
  } else if (*type == "exponent") {
    f->cost_type = CostModelType::kExponent;
  } else if (*type == "learned") {
    f->cost_type = CostModelType::kLearned;
  } else {
    return InvalidArgument("fidelity.cost.type must be linear, exponent or learned (got '" + *type + "')",
                           "fidelity.cost.type");
  }
  ASSIGN_OR_RETURN(auto exponent, ReadNumber(j, "fidelity.cost", "exponent", false));
  if (exponent && f->cost_type != CostModelType::kExponent) {
    return InvalidArgument("fidelity.cost.exponent applies only to type exponent", "fidelity.cost.exponent");
  }
  if (f->cost_type == CostModelType::kExponent) {
    if (!exponent) return InvalidArgument("fidelity.cost.exponent is required", "fidelity.cost.exponent");
    if (*exponent <= 0) return InvalidArgument("fidelity.cost.exponent must be > 0", "fidelity.cost.exponent");
    f->cost_exponent = *exponent;
  }
  ASSIGN_OR_RETURN(auto fixed, ReadNumber(j, "fidelity.cost", "fixed", false));
  if (fixed && *fixed < 0) return InvalidArgument("fidelity.cost.fixed must be >= 0", "fidelity.cost.fixed");
  f->fixed_cost = fixed.value_or(0.0);
  return OkStatus();
}

Status ParseLevels(const Json& j, FidelitySpec* f) {
  auto lv = j.find("levels");
  auto cs = j.find("costs");
  if (!lv->is_array()) return InvalidArgument("fidelity.levels must be an array", "fidelity.levels");
  if (lv->size() < 2 || lv->size() > 100) {
    return InvalidArgument("fidelity.levels must list 2 to 100 levels", "fidelity.levels");
  }
  if (cs == j.end() || cs->is_null()) return InvalidArgument("fidelity.costs is required with levels", "fidelity.costs");
  if (!cs->is_array() || cs->size() != lv->size()) {
    return InvalidArgument("fidelity.costs must be an array with one cost per level", "fidelity.costs");
  }
  for (size_t i = 0; i < lv->size(); ++i) {
    ASSIGN_OR_RETURN(double level, AsFiniteNumber((*lv)[i], IndexPath("fidelity.levels", i)));
    ASSIGN_OR_RETURN(double cost, AsFiniteNumber((*cs)[i], IndexPath("fidelity.costs", i)));
    if (!f->levels.empty() && level <= f->levels.back()) {
      return InvalidArgument("fidelity.levels must be strictly increasing", IndexPath("fidelity.levels", i));
    }
    if (cost <= 0) return InvalidArgument("fidelity.costs must be > 0", IndexPath("fidelity.costs", i));
    f->levels.push_back(level);
    f->costs.push_back(cost);
  }
  f->discrete = true;
  f->low = f->levels.front();
  f->high = f->levels.back();
  return OkStatus();
}

Status ParseFidelity(const Json& body, StudyConfig* config, std::set<std::string>* taken) {
  auto it = body.find("fidelity");
  if (it == body.end() || it->is_null()) return OkStatus();
  const Json& j = *it;
  RETURN_IF_ERROR(RequireObject(j, "fidelity"));
  RETURN_IF_ERROR(RejectUnknownKeys(j, "fidelity", {"name", "low", "high", "levels", "costs", "cost"}));
  FidelitySpec f;
  ASSIGN_OR_RETURN(auto name, ReadString(j, "fidelity", "name", true));
  f.name = *name;
  RETURN_IF_ERROR(CheckName(f.name, "fidelity.name"));
  RETURN_IF_ERROR(Claim(taken, f.name, "fidelity.name"));
  if (j.contains("levels")) {
    if (j.contains("low") || j.contains("high") || j.contains("cost")) {
      return InvalidArgument("fidelity has levels; low, high and cost apply to a continuous fidelity only",
                             "fidelity.levels");
    }
    RETURN_IF_ERROR(ParseLevels(j, &f));
  } else {
    if (j.contains("costs")) return InvalidArgument("fidelity.costs needs fidelity.levels", "fidelity.costs");
    ASSIGN_OR_RETURN(auto low, ReadNumber(j, "fidelity", "low", true));
    ASSIGN_OR_RETURN(auto high, ReadNumber(j, "fidelity", "high", true));
    f.low = *low;
    f.high = *high;
    if (!(f.low < f.high)) return InvalidArgument("fidelity.low must be < high", "fidelity.low");
    if (f.low <= 0) return InvalidArgument("fidelity.low must be > 0 (costs scale with the fidelity)", "fidelity.low");
    if (j.contains("cost")) RETURN_IF_ERROR(ParseCostModel(j["cost"], &f));
  }
  config->fidelity = std::move(f);
  return OkStatus();
}

Status ParseStrategy(const Json& body, StudyConfig* config, bool validate) {
  auto it = body.find("strategy");
  if (it == body.end() || it->is_null()) return validate ? ValidateStrategy(*config) : OkStatus();
  RETURN_IF_ERROR(RequireObject(*it, "strategy"));
  ASSIGN_OR_RETURN(auto name, ReadString(*it, "strategy", "name", false));
  config->strategy.name = name.value_or("gp");
  config->strategy.options = Json::object();
  for (auto kv = it->begin(); kv != it->end(); ++kv) {
    if (kv.key() != "name") config->strategy.options[kv.key()] = kv.value();
  }
  return validate ? ValidateStrategy(*config) : OkStatus();
}

Status ParseParameters(const Json& body, StudyConfig* config, std::set<std::string>* taken) {
  auto it = body.find("parameters");
  if (it == body.end() || it->is_null()) return InvalidArgument("parameters is required", "parameters");
  if (!it->is_array()) {
    return InvalidArgument("parameters must be an array (got " + std::string(JsonTypeName(*it)) + ")",
                           "parameters");
  }
  if (it->empty()) return InvalidArgument("parameters must list at least one parameter", "parameters");
  if (it->size() > kMaxParameters) return InvalidArgument("parameters must list at most 10000", "parameters");
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string path = IndexPath("parameters", i);
    ASSIGN_OR_RETURN(ParameterSpec p, ParseParameter((*it)[i], path));
    RETURN_IF_ERROR(Claim(taken, p.name, path + ".name"));
    config->parameters.push_back(std::move(p));
  }
  return OkStatus();
}

}  // namespace

bool IsValidStudyName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

StatusOr<StudyConfig> ParseStudyConfig(const Json& body, std::initializer_list<std::string_view> extra_keys,
                                       bool validate_strategy) {
  RETURN_IF_ERROR(RequireObject(body, ""));
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool known = false;
    for (std::string_view k : {"name", "parameters", "objective", "outputs", "constraints", "fidelity", "strategy",
                               "seed"}) {
      known = known || it.key() == k;
    }
    for (std::string_view k : extra_keys) known = known || it.key() == k;
    if (!known) return InvalidArgument("unknown field " + it.key(), it.key());
  }
  StudyConfig config;
  ASSIGN_OR_RETURN(auto name, ReadString(body, "", "name", true));
  if (!IsValidStudyName(*name)) {
    return InvalidArgument("name must match [A-Za-z0-9._-]{1,128} and not be . or ..", "name");
  }
  config.name = *name;
  std::set<std::string> taken;
  RETURN_IF_ERROR(ParseParameters(body, &config, &taken));
  RETURN_IF_ERROR(ParseObjective(body, &config));
  if (!config.objective.composite()) RETURN_IF_ERROR(Claim(&taken, config.objective.name, "objective.name"));
  RETURN_IF_ERROR(ParseOutputs(body, &config, &taken));
  if (config.objective.composite()) RETURN_IF_ERROR(Claim(&taken, config.objective.name, "objective.name"));
  RETURN_IF_ERROR(ParseConstraints(body, &config, &taken));
  RETURN_IF_ERROR(ParseFidelity(body, &config, &taken));
  ASSIGN_OR_RETURN(auto seed, ReadInteger(body, "", "seed", false, 0, std::numeric_limits<int64_t>::max()));
  config.seed_given = seed.has_value();
  config.seed = seed ? static_cast<uint64_t>(*seed) : (std::random_device{}() & 0x7fffffffu);
  RETURN_IF_ERROR(ParseStrategy(body, &config, validate_strategy));
  return config;
}

Json ChoiceToJson(const Choice& c) { return c.is_string ? Json(c.str) : Json(c.num); }

Json ConfigToJson(const StudyConfig& config) {
  Json params = Json::array();
  for (const ParameterSpec& p : config.parameters) {
    Json j = {{"name", p.name}};
    switch (p.type) {
      case ParamType::kFloat:
      case ParamType::kInt:
        j["type"] = p.type == ParamType::kFloat ? "float" : "int";
        j["low"] = p.type == ParamType::kInt ? Json(static_cast<int64_t>(p.low)) : Json(p.low);
        j["high"] = p.type == ParamType::kInt ? Json(static_cast<int64_t>(p.high)) : Json(p.high);
        j["log"] = p.log;
        break;
      case ParamType::kCategorical: {
        j["type"] = "categorical";
        Json choices = Json::array();
        for (const Choice& c : p.choices) choices.push_back(ChoiceToJson(c));
        j["choices"] = choices;
        break;
      }
    }
    params.push_back(j);
  }
  Json objective = {{"name", config.objective.name},
                    {"goal", config.objective.goal == Goal::kMinimize ? "minimize" : "maximize"}};
  if (!config.objective.targets.empty()) objective["targets"] = config.objective.targets;
  if (!config.objective.weights.empty()) objective["weights"] = config.objective.weights;
  if (!config.objective.expression.empty()) objective["expression"] = config.objective.expression;
  Json outputs = Json::array();
  for (const OutputSpec& o : config.outputs) outputs.push_back({{"name", o.name}});
  Json constraints = Json::array();
  for (const ConstraintSpec& c : config.constraints) {
    constraints.push_back(
        {{"name", c.name}, {"op", c.op == ConstraintOp::kLessEqual ? "<=" : ">="}, {"bound", c.bound}});
  }
  Json fidelity = nullptr;
  if (config.fidelity) {
    const FidelitySpec& f = *config.fidelity;
    fidelity = {{"name", f.name}};
    if (f.discrete) {
      fidelity["levels"] = f.levels;
      fidelity["costs"] = f.costs;
    } else {
      fidelity["low"] = f.low;
      fidelity["high"] = f.high;
      static const char* kTypes[] = {"linear", "exponent", "learned"};
      Json cost = {{"type", kTypes[static_cast<int>(f.cost_type)]}};
      if (f.cost_type == CostModelType::kExponent) cost["exponent"] = f.cost_exponent;
      if (f.fixed_cost != 0) cost["fixed"] = f.fixed_cost;
      fidelity["cost"] = cost;
    }
  }
  Json strategy = config.strategy.options;
  strategy["name"] = config.strategy.name;
  return {{"name", config.name},         {"parameters", params},   {"objective", objective},
          {"outputs", outputs},          {"constraints", constraints}, {"fidelity", fidelity},
          {"strategy", strategy},        {"seed", config.seed}};
}

}  // namespace bayesd
