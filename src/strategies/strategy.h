// The strategy interface: given a study snapshot (completed, failed and pending trials), produce suggestions.
//
// Every strategy (gp, sobol, random, zo, cbo) is a peer behind this interface and is configured per study at run
// time from StudyConfig::strategy. A strategy that keeps state between asks (iterates, moments, particles, RNG
// position) keeps it in `StrategyState::json`, which the service persists atomically with the suggested trials;
// nothing lives in statics. An in-memory cache (a fitted model, say) is allowed on the strategy object as long as
// the persisted state alone reproduces the same behaviour after a restart.
//
// Thread safety: the service calls a study's strategy only while holding that study's lock, so implementations need
// no locking of their own. Different studies' strategies run concurrently.
#ifndef BAYESD_SRC_STRATEGIES_STRATEGY_H_
#define BAYESD_SRC_STRATEGIES_STRATEGY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/common/status.h"
#include "src/study/config.h"
#include "src/study/trial.h"

namespace bayesd {

// What a strategy sees: the immutable config and every trial of the study, ascending by number.
struct StudySnapshot {
  const StudyConfig& config;
  const std::vector<Trial>& trials;
};

// Persisted strategy state: a JSON object ({} for a new study).
struct StrategyState {
  nlohmann::json json = nlohmann::json::object();
};

struct Suggestion {
  std::vector<double> params;      // raw values (see src/study/trial.h), inside the bounds, ints whole
  std::optional<double> fidelity;  // required iff the study has a fidelity
  nlohmann::json diagnostics = nlohmann::json::object();  // shown on the trial: why and how it was chosen
};

// Posterior of one modelled outcome at one point, in the outcome's own units.
struct OutcomePrediction {
  double mean = 0.0;
  double sd = 0.0;
};
using PointPrediction = std::map<std::string, OutcomePrediction>;

struct Recommendation {
  std::vector<double> params;  // raw values
  PointPrediction predicted;
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Produces exactly `count` (>= 1) suggestions. Must not return a point equal to a pending trial's or to another
  // suggestion in the same call. `state` is read and may be updated; it is persisted together with the new trials.
  virtual StatusOr<std::vector<Suggestion>> Suggest(const StudySnapshot& study, int count,
                                                    StrategyState* state) = 0;

  // A client ranked finished trials best first (POST .../rank). Strategies that learn from rankings record it in
  // `state`; the default answers kFailedPrecondition.
  virtual Status Rank(const StudySnapshot& study, const std::vector<int64_t>& numbers_best_first,
                      StrategyState* state);

  // Model-based strategies: posterior of every modelled outcome at `points` (raw values) at the target fidelity.
  // Default: kFailedPrecondition ("strategy X has no model").
  virtual StatusOr<std::vector<PointPrediction>> Predict(const StudySnapshot& study,
                                                         const std::vector<std::vector<double>>& points,
                                                         const StrategyState& state);

  // The model's recommended point, or nullopt when the strategy has no model (or not yet).
  virtual StatusOr<std::optional<Recommendation>> Recommend(const StudySnapshot& study,
                                                            const StrategyState& state);

  // Extra study-level facts for the summary and `best` (e.g. {"appears_infeasible": true}). Default: {}.
  virtual nlohmann::json Summary(const StudySnapshot& study, const StrategyState& state);
};

// Creates strategies by name and validates their options. Each strategy registers a factory in
// src/strategies/registry.cc.
struct StrategyFactory {
  // Checks StudyConfig::strategy.options against the strategy's typed options, naming the offending field as
  // "strategy.<key>". Also checks that the strategy supports the study (e.g. fidelity, constraints).
  Status (*validate)(const StudyConfig& config) = nullptr;
  // Builds the strategy from its parsed options; a config whose options do not parse is refused with that error
  // (never a strategy running on defaults).
  StatusOr<std::unique_ptr<Strategy>> (*create)(const StudyConfig& config) = nullptr;
};

// Names of the registered strategies, sorted.
std::vector<std::string> StrategyNames();
// Validates config.strategy (name and options); kInvalidArgument with field "strategy.name" when unknown.
Status ValidateStrategy(const StudyConfig& config);
// Creates the strategy for a config; an invalid one gets ValidateStrategy's error (never a strategy on defaults).
StatusOr<std::unique_ptr<Strategy>> CreateStrategy(const StudyConfig& config);

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_STRATEGY_H_
