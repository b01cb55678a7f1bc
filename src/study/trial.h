// Trials and their lifecycle: pending -> completed | failed | abandoned.
//
// Parameter values are held in "raw" numeric form aligned with StudyConfig::parameters: a float's value, an int's
// value (a whole number stored in a double, exact up to 2^53), or the index of a categorical choice. The JSON form
// ({"C": 1.5, "depth": 3, "kernel": "rbf"}) is produced only at the HTTP boundary (src/study/trial_json.h).
//
// Thread safety: plain values; the service guards each study's trials with the study's lock.
#ifndef BAYESD_SRC_STUDY_TRIAL_H_
#define BAYESD_SRC_STUDY_TRIAL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bayesd {

enum class TrialState { kPending, kCompleted, kFailed, kAbandoned };

std::string_view TrialStateName(TrialState state);  // "pending", ...
std::optional<TrialState> ParseTrialState(std::string_view name);

struct Trial {
  int64_t number = 0;  // 0, 1, 2, ... within the study; never reused
  TrialState state = TrialState::kPending;
  std::vector<double> params;      // raw values, one per parameter (see above)
  std::optional<double> fidelity;  // set iff the study has a fidelity
  // Completed trials: one finite value per measured outcome (StudyConfig::MeasuredOutcomes), optional standard
  // errors for some of them, and the reported cost of the evaluation.
  std::map<std::string, double> values;
  std::map<std::string, double> noise;
  std::optional<double> cost;
  // Completed trials: all constraints hold. Unset otherwise.
  std::optional<bool> feasible;
  std::string worker;       // optional label given by the client
  std::string fail_reason;  // failed trials
  bool external = false;    // recorded through POST .../trials rather than suggested
  int64_t created_at_ms = 0;    // Unix epoch milliseconds
  int64_t updated_at_ms = 0;    // last state change (or creation)
  int64_t completed_at_ms = 0;  // 0 while pending; time of completion/failure/abandonment otherwise
  std::string diagnostics_json = "{}";  // the suggesting strategy's diagnostics (a JSON object, stored as text)

  bool finished() const { return state != TrialState::kPending; }
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STUDY_TRIAL_H_
