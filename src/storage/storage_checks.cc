#include "src/storage/storage_checks.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace bayesd::storage_internal {
namespace {

// RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = 0;
    uint32_t min = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

std::string Where(const Trial& trial, std::string_view field) {
  return "trial " + std::to_string(trial.number) + ": " + std::string(field);
}

Status CheckFinite(const Trial& trial, std::string_view field, double value) {
  if (std::isfinite(value)) return OkStatus();
  return InvalidArgument(Where(trial, field) + " must be finite to be stored (got " + std::to_string(value) + ")");
}

Status CheckMap(const Trial& trial, std::string_view field, const std::map<std::string, double>& map) {
  for (const auto& [name, value] : map) {
    if (!IsValidUtf8(name)) return InvalidArgument(Where(trial, field) + " has a name that is not valid UTF-8");
    RETURN_IF_ERROR(CheckFinite(trial, std::string(field) + "." + name, value));
  }
  return OkStatus();
}

}  // namespace

Status CheckTrial(const Trial& trial) {
  if (trial.number < 0) return InvalidArgument(Where(trial, "number") + " must be >= 0");
  for (size_t i = 0; i < trial.params.size(); ++i) {
    RETURN_IF_ERROR(CheckFinite(trial, "params[" + std::to_string(i) + "]", trial.params[i]));
  }
  if (trial.fidelity) RETURN_IF_ERROR(CheckFinite(trial, "fidelity", *trial.fidelity));
  if (trial.cost) RETURN_IF_ERROR(CheckFinite(trial, "cost", *trial.cost));
  RETURN_IF_ERROR(CheckMap(trial, "values", trial.values));
  return CheckMap(trial, "noise", trial.noise);
}

Status CheckNewStudy(const StoredStudy& study) {
  if (study.name.empty()) return InvalidArgument("study name must not be empty", "name");
  for (const Trial& trial : study.trials) RETURN_IF_ERROR(CheckTrial(trial));
  return OkStatus();
}

Status CheckWrite(const StudyWrite& write) {
  for (const Trial& trial : write.upsert_trials) RETURN_IF_ERROR(CheckTrial(trial));
  return OkStatus();
}

}  // namespace bayesd::storage_internal
