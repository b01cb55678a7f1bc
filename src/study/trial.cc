#include "src/study/trial.h"

namespace bayesd {

std::string_view TrialStateName(TrialState state) {
  switch (state) {
    case TrialState::kPending: return "pending";
    case TrialState::kCompleted: return "completed";
    case TrialState::kFailed: return "failed";
    case TrialState::kAbandoned: return "abandoned";
  }
  return "pending";
}

std::optional<TrialState> ParseTrialState(std::string_view name) {
  for (TrialState s : {TrialState::kPending, TrialState::kCompleted, TrialState::kFailed, TrialState::kAbandoned}) {
    if (TrialStateName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace bayesd
