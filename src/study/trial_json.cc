#include "src/study/trial_json.h"

#include <cmath>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>

#include "src/study/config_json.h"
#include "src/study/json_fields.h"

namespace bayesd {

std::string FormatTimeMs(int64_t epoch_ms) {
  const std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

Json ParamsToJson(const StudyConfig& config, const std::vector<double>& raw) {
  Json j = Json::object();
  for (size_t i = 0; i < config.parameters.size() && i < raw.size(); ++i) {
    const ParameterSpec& p = config.parameters[i];
    switch (p.type) {
      case ParamType::kFloat: j[p.name] = raw[i]; break;
      case ParamType::kInt: j[p.name] = static_cast<int64_t>(raw[i]); break;
      case ParamType::kCategorical: {
        const size_t k = static_cast<size_t>(raw[i]);
        j[p.name] = k < p.choices.size() ? ChoiceToJson(p.choices[k]) : Json(nullptr);
        break;
      }
    }
  }
  return j;
}

Json TrialToJson(const StudyConfig& config, const Trial& t) {
  Json j = {{"number", t.number},
            {"state", std::string(TrialStateName(t.state))},
            {"params", ParamsToJson(config, t.params)},
            {"created_at", FormatTimeMs(t.created_at_ms)},
            {"updated_at", FormatTimeMs(t.updated_at_ms)}};
  if (t.fidelity) j["fidelity"] = *t.fidelity;
  if (t.state == TrialState::kCompleted) {
    j["values"] = t.values;
    j["feasible"] = t.feasible.value_or(false);
    if (!t.noise.empty()) j["noise"] = t.noise;
    if (t.cost) j["cost"] = *t.cost;
  }
  if (t.completed_at_ms != 0) j["completed_at"] = FormatTimeMs(t.completed_at_ms);
  if (!t.worker.empty()) j["worker"] = t.worker;
  if (t.state == TrialState::kFailed || !t.fail_reason.empty()) j["fail_reason"] = t.fail_reason;
  if (t.external) j["external"] = true;
  Json diag = Json::parse(t.diagnostics_json, nullptr, false);
  j["diagnostics"] = diag.is_discarded() ? Json::object() : diag;
  return j;
}

namespace {

StatusOr<double> ParseOneParam(const ParameterSpec& p, const Json& v, const std::string& field) {
  if (p.type == ParamType::kCategorical) {
    if (v.is_string() || v.is_number()) {
      for (size_t k = 0; k < p.choices.size(); ++k) {
        const Choice& c = p.choices[k];
        if (c.is_string ? (v.is_string() && v.get<std::string>() == c.str)
                        : (v.is_number() && v.get<double>() == c.num)) {
          return static_cast<double>(k);
        }
      }
    }
    return InvalidArgument(field + " must be one of the parameter's choices (got " + v.dump(-1, ' ', false,
                               Json::error_handler_t::replace).substr(0, 200) + ")",
                           field);
  }
  ASSIGN_OR_RETURN(double x, AsFiniteNumber(v, field));
  if (p.type == ParamType::kInt && x != std::floor(x)) {
    return InvalidArgument(field + " must be a whole number for an int parameter", field);
  }
  if (x < p.low || x > p.high) {
    return InvalidArgument(field + " must be in [" + Json(p.low).dump() + ", " + Json(p.high).dump() + "] (got " +
                               Json(x).dump() + ")",
                           field);
  }
  return x;
}

}  // namespace

StatusOr<std::vector<double>> ParseParams(const StudyConfig& config, const Json& j, const std::string& path) {
  RETURN_IF_ERROR(RequireObject(j, path));
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (config.ParameterIndex(it.key()) < 0) {
      return InvalidArgument("unknown parameter " + JoinPath(path, it.key()), JoinPath(path, it.key()));
    }
  }
  std::vector<double> raw(config.parameters.size());
  for (size_t i = 0; i < config.parameters.size(); ++i) {
    const ParameterSpec& p = config.parameters[i];
    const std::string field = JoinPath(path, p.name);
    auto it = j.find(p.name);
    if (it == j.end()) return InvalidArgument(field + " is required", field);
    ASSIGN_OR_RETURN(raw[i], ParseOneParam(p, *it, field));
  }
  return raw;
}

namespace {

// {"outcome": number} restricted to the study's measured outcomes; values below `min` are rejected.
StatusOr<std::map<std::string, double>> ParseOutcomeMap(const StudyConfig& config, const Json& j,
                                                        const std::string& path, double min,
                                                        const char* rule) {
  RETURN_IF_ERROR(RequireObject(j, path));
  const std::vector<std::string> measured = config.MeasuredOutcomes();
  std::map<std::string, double> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string field = JoinPath(path, it.key());
    if (std::find(measured.begin(), measured.end(), it.key()) == measured.end()) {
      std::string msg = "unknown outcome " + field + " (measured:";
      for (const std::string& m : measured) msg += " " + m;
      return InvalidArgument(msg + ")", field);
    }
    ASSIGN_OR_RETURN(double v, AsFiniteNumber(*it, field));
    if (v < min) return InvalidArgument(field + " must be " + rule, field);
    out[it.key()] = v;
  }
  return out;
}

}  // namespace

StatusOr<std::map<std::string, double>> ParseValues(const StudyConfig& config, const Json& j,
                                                    const std::string& path) {
  ASSIGN_OR_RETURN(auto values, ParseOutcomeMap(config, j, path, -std::numeric_limits<double>::infinity(), ""));
  for (const std::string& m : config.MeasuredOutcomes()) {
    if (values.count(m) == 0) return InvalidArgument(JoinPath(path, m) + " is required", JoinPath(path, m));
  }
  return values;
}

StatusOr<std::map<std::string, double>> ParseNoise(const StudyConfig& config, const Json& j,
                                                   const std::string& path) {
  return ParseOutcomeMap(config, j, path, 0.0, ">= 0 (a standard error)");
}

StatusOr<double> ParseFidelityValue(const StudyConfig& config, const Json& j, const std::string& path) {
  if (!config.fidelity) return InvalidArgument(path + " given but the study has no fidelity", path);
  ASSIGN_OR_RETURN(double v, AsFiniteNumber(j, path));
  const FidelitySpec& f = *config.fidelity;
  if (f.discrete) {
    for (double level : f.levels)
      if (level == v) return v;
    return InvalidArgument(path + " must be one of the fidelity levels", path);
  }
  if (v < f.low || v > f.high) return InvalidArgument(path + " must be inside the fidelity range", path);
  return v;
}

}  // namespace bayesd
