// Trials and their parts <-> JSON at the HTTP boundary: parameter values by name in their own types, measured
// values, noise, fidelity, and ISO-8601 timestamps.
#ifndef BAYESD_SRC_STUDY_TRIAL_JSON_H_
#define BAYESD_SRC_STUDY_TRIAL_JSON_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/common/status.h"
#include "src/study/config.h"
#include "src/study/trial.h"

namespace bayesd {

// "2026-11-23T16:42:54.123Z"
std::string FormatTimeMs(int64_t epoch_ms);

// The API's trial object.
nlohmann::json TrialToJson(const StudyConfig& config, const Trial& trial);
// {"C": 1.5, "depth": 3, "kernel": "rbf"} from raw values.
nlohmann::json ParamsToJson(const StudyConfig& config, const std::vector<double>& raw);

// Parses {"name": value, ...} into raw values: every parameter present, no unknown names, numbers inside the
// bounds (ints whole), categorical values one of the choices. `path` prefixes error fields ("params").
StatusOr<std::vector<double>> ParseParams(const StudyConfig& config, const nlohmann::json& j,
                                          const std::string& path);

// Measured values: exactly the study's measured outcomes, each finite (unknown names are rejected).
StatusOr<std::map<std::string, double>> ParseValues(const StudyConfig& config, const nlohmann::json& j,
                                                    const std::string& path);
// Standard errors (>= 0, finite) for some measured outcomes.
StatusOr<std::map<std::string, double>> ParseNoise(const StudyConfig& config, const nlohmann::json& j,
                                                   const std::string& path);
// A fidelity value valid for the study (one of the levels, or inside the range).
StatusOr<double> ParseFidelityValue(const StudyConfig& config, const nlohmann::json& j, const std::string& path);

}  // namespace bayesd

#endif  // BAYESD_SRC_STUDY_TRIAL_JSON_H_
