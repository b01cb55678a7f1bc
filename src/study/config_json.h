// StudyConfig <-> JSON, at the HTTP boundary and in storage.
//
// ParseStudyConfig validates the whole schema of ../shared/API.md (types, bounds, log ranges, unique names,
// unknown keys, outcome references, composite expressions, fidelity, strategy name and options) and names the
// offending field in the returned Status. ConfigToJson writes the canonical form (every default spelled out) that
// storage keeps and GET /studies/{name} returns; parsing it again gives an equal config.
#ifndef BAYESD_SRC_STUDY_CONFIG_JSON_H_
#define BAYESD_SRC_STUDY_CONFIG_JSON_H_

#include <nlohmann/json.hpp>

#include "src/common/status.h"
#include "src/study/config.h"

namespace bayesd {

// Keys of a create-study body that are not part of the config (e.g. "if_exists") are listed in `extra_keys` and
// skipped. Validates the strategy too (through the strategy registry).
// `validate_strategy` = false skips the strategy registry (used when loading a stored study whose strategy this
// build may not have).
StatusOr<StudyConfig> ParseStudyConfig(const nlohmann::json& body,
                                       std::initializer_list<std::string_view> extra_keys = {},
                                       bool validate_strategy = true);

nlohmann::json ConfigToJson(const StudyConfig& config);

// The categorical choice as JSON (a string or a number).
nlohmann::json ChoiceToJson(const Choice& choice);

// Whether a study name is valid: [A-Za-z0-9._-]{1,128}, not "." or "..".
bool IsValidStudyName(std::string_view name);

}  // namespace bayesd

#endif  // BAYESD_SRC_STUDY_CONFIG_JSON_H_
