// The table of strategies. To add one: expose `StrategyFactory FooStrategyFactory()` and add a row below.
#include <map>

#include "src/strategies/baseline_strategies.h"
#include "src/strategies/cbo_strategy.h"
#include "src/strategies/gp_strategy.h"
#include "src/strategies/mf_strategy.h"
#include "src/strategies/strategy.h"
#include "src/strategies/zo_strategy.h"

namespace bayesd {
namespace {

// `gp` with a fidelity is the multi-fidelity mode (src/strategies/mf_strategy.h).
Status ValidateGpOrMf(const StudyConfig& c) {
  return c.fidelity ? MfStrategyFactory().validate(c) : GpStrategyFactory().validate(c);
}
StatusOr<std::unique_ptr<Strategy>> CreateGpOrMf(const StudyConfig& c) {
  return c.fidelity ? MfStrategyFactory().create(c) : GpStrategyFactory().create(c);
}

const std::map<std::string, StrategyFactory>& Registry() {
  static const auto* registry = new std::map<std::string, StrategyFactory>{
      {"random", RandomStrategyFactory()},
      {"sobol", SobolStrategyFactory()},
      {"zo", ZoStrategyFactory()},
      {"cbo", CboStrategyFactory()},
      {"gp", {ValidateGpOrMf, CreateGpOrMf}},
  };
  return *registry;
}

}  // namespace

std::vector<std::string> StrategyNames() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry()) names.push_back(name);
  return names;
}

Status ValidateStrategy(const StudyConfig& config) {
  auto it = Registry().find(config.strategy.name);
  if (it == Registry().end()) {
    std::string msg = "strategy.name '" + config.strategy.name + "' is not available (available:";
    for (const std::string& n : StrategyNames()) msg += " " + n;
    return InvalidArgument(msg + ")", "strategy.name");
  }
  return it->second.validate(config);
}

StatusOr<std::unique_ptr<Strategy>> CreateStrategy(const StudyConfig& config) {
  // Validation first: it also checks what a factory's option parsing does not (the unknown name, whether the
  // strategy supports the study's constraints, fidelity or composite objective).
  RETURN_IF_ERROR(ValidateStrategy(config));
  ASSIGN_OR_RETURN(std::unique_ptr<Strategy> strategy, Registry().at(config.strategy.name).create(config));
  if (!strategy) return Internal("strategy '" + config.strategy.name + "' could not be created");
  return strategy;
}

}  // namespace bayesd
