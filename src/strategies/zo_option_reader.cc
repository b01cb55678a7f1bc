#include "src/strategies/zo_option_reader.h"

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace bayesd::zo {

Status Bad(const std::string& key, const std::string& got, const std::string& rule) {
  const std::string field = "strategy." + key;
  return InvalidArgument(field + " " + rule + " (got " + got + ")", field);
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  for (int precision = 1; precision < 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof(shorter), "%.*g", precision, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

StatusOr<OptionReader> OptionReader::Create(const nlohmann::json& options, const std::string& strategy,
                                            std::initializer_list<const char*> known) {
  if (!options.is_object()) return InvalidArgument("strategy options must be an object", "strategy");
  for (auto it = options.begin(); it != options.end(); ++it) {
    bool found = false;
    std::string names;
    for (const char* k : known) {
      found = found || it.key() == k;
      names += names.empty() ? "" : ", ";
      names += k;
    }
    if (!found) {
      return InvalidArgument("strategy." + it.key() + " is not an option of strategy " + strategy +
                                 " (options: " + names + ")",
                             "strategy." + it.key());
    }
  }
  return OptionReader(options);
}

Status OptionReader::Number(const char* key, double* out) const {
  auto it = options_.find(key);
  if (it == options_.end()) return OkStatus();
  if (!it->is_number() || it->is_boolean()) return Bad(key, it->dump(), "must be a number");
  const double v = it->get<double>();
  if (!std::isfinite(v)) return Bad(key, it->dump(), "must be finite");
  *out = v;
  return OkStatus();
}

Status OptionReader::Int(const char* key, int* out) const {
  auto it = options_.find(key);
  if (it == options_.end()) return OkStatus();
  if (!it->is_number()) return Bad(key, it->dump(), "must be a whole number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v != std::floor(v)) return Bad(key, it->dump(), "must be a whole number");
  if (v < INT_MIN || v > INT_MAX) return Bad(key, it->dump(), "is out of range");
  *out = static_cast<int>(v);
  return OkStatus();
}

Status OptionReader::Bool(const char* key, bool* out) const {
  auto it = options_.find(key);
  if (it == options_.end()) return OkStatus();
  if (!it->is_boolean()) return Bad(key, it->dump(), "must be true or false");
  *out = it->get<bool>();
  return OkStatus();
}

StatusOr<const std::string*> OptionReader::String(const char* key) const {
  auto it = options_.find(key);
  if (it == options_.end()) return static_cast<const std::string*>(nullptr);
  if (!it->is_string()) return Bad(key, it->dump(), "must be a string");
  return it->get_ptr<const std::string*>();
}

}  // namespace bayesd::zo
