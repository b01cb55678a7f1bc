// The typed study configuration: what a study searches over, what it measures and how it suggests.
//
// Parsed and validated once at the HTTP boundary (src/study/config_json.h); everything behind that boundary
// (service, storage, strategies) may rely on the invariants stated per field. The stored form is the canonical JSON
// written by ConfigToJson, so a restart reconstructs exactly this struct.
//
// Thread safety: plain values; a StudyConfig is immutable once a study exists and is shared read-only.
#ifndef BAYESD_SRC_STUDY_CONFIG_H_
#define BAYESD_SRC_STUDY_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bayesd {

enum class ParamType { kFloat, kInt, kCategorical };

// One categorical choice: the API allows strings or numbers, and answers with the choice itself.
struct Choice {
  bool is_string = true;
  std::string str;   // when is_string
  double num = 0.0;  // when !is_string
  bool operator==(const Choice&) const = default;
};

struct ParameterSpec {
  std::string name;
  ParamType type = ParamType::kFloat;
  // kFloat/kInt: low < high, both finite; with log, low > 0. kInt bounds are whole numbers.
  double low = 0.0;
  double high = 1.0;
  bool log = false;
  // kCategorical: at least one choice, no duplicates.
  std::vector<Choice> choices;
};

enum class Goal { kMinimize, kMaximize };

// The objective: either one measured outcome `name`, or a composite over `outputs` (targets or an expression),
// in which case `name` labels the combined value and is not itself measured.
struct ObjectiveSpec {
  std::string name;
  Goal goal = Goal::kMinimize;
  // Composite by targets: sum_k weights[k] * (y_k - targets[k])^2, weights default 1. Keys are output names.
  std::map<std::string, double> targets;
  std::map<std::string, double> weights;
  // Composite by an arithmetic expression over output names (muParser syntax). Empty when not used.
  std::string expression;

  bool composite() const { return !targets.empty() || !expression.empty(); }
};

struct OutputSpec {
  std::string name;
};

enum class ConstraintOp { kLessEqual, kGreaterEqual };

// Feasible when value(name) op bound.
struct ConstraintSpec {
  std::string name;
  ConstraintOp op = ConstraintOp::kLessEqual;
  double bound = 0.0;
};

enum class CostModelType { kLinear, kExponent, kLearned };

struct FidelitySpec {
  std::string name;
  // Discrete levels (ascending after validation, highest = target) with one positive cost each,
  // or a continuous range [low, high] (target = high) with a cost model.
  bool discrete = false;
  std::vector<double> levels;
  std::vector<double> costs;
  double low = 0.0;
  double high = 1.0;
  CostModelType cost_type = CostModelType::kLinear;
  double cost_exponent = 1.0;  // kExponent: cost ~ (fidelity / high)^exponent; > 0
  double fixed_cost = 0.0;     // cost added to every evaluation (>= 0)

  double target() const { return discrete ? levels.back() : high; }
};

// Strategy selection. `options` holds the strategy-specific keys (everything beside "name"), already validated by
// the strategy's factory when the study was created; strategies parse them into their own typed options structs.
struct StrategySpec {
  std::string name = "gp";
  nlohmann::json options = nlohmann::json::object();
};

struct StudyConfig {
  std::string name;  // [A-Za-z0-9._-]{1,128}
  std::vector<ParameterSpec> parameters;  // non-empty, unique names
  ObjectiveSpec objective;
  std::vector<OutputSpec> outputs;          // non-empty iff objective.composite()
  std::vector<ConstraintSpec> constraints;  // names are measured outcomes
  std::optional<FidelitySpec> fidelity;
  StrategySpec strategy;
  uint64_t seed = 0;
  bool seed_given = false;  // false: the daemon drew `seed` at creation (stored, so restarts are reproducible)

  // Names a completion must report, in a stable order: the objective (or each composite output), then every
  // constraint outcome not already listed.
  std::vector<std::string> MeasuredOutcomes() const;
  // Index of the parameter called `name`, or -1.
  int ParameterIndex(const std::string& name) const;
};

// Whether every constraint holds for these measured values (missing values count as violated).
bool IsFeasible(const StudyConfig& config, const std::map<std::string, double>& values);

}  // namespace bayesd

#endif  // BAYESD_SRC_STUDY_CONFIG_H_
