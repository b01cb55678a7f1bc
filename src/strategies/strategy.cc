#include "src/strategies/strategy.h"

namespace bayesd {

Status Strategy::Rank(const StudySnapshot& study, const std::vector<int64_t>&, StrategyState*) {
  return FailedPrecondition("strategy '" + study.config.strategy.name +
                            "' does not learn from rankings (use strategy zo with ranking feedback)");
}

StatusOr<std::vector<PointPrediction>> Strategy::Predict(const StudySnapshot& study,
                                                         const std::vector<std::vector<double>>&,
                                                         const StrategyState&) {
  return FailedPrecondition("strategy '" + study.config.strategy.name +
                            "' has no model to predict with (use strategy gp)");
}

StatusOr<std::optional<Recommendation>> Strategy::Recommend(const StudySnapshot&, const StrategyState&) {
  return std::optional<Recommendation>();
}

nlohmann::json Strategy::Summary(const StudySnapshot&, const StrategyState&) { return nlohmann::json::object(); }

}  // namespace bayesd
