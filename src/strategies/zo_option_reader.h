// Typed reads of strategy options (StudyConfig::strategy.options) for the zo and cbo strategies. Every error is
// kInvalidArgument with field "strategy.<key>" and a message naming the key, the value and the rule.
//
// Thread safety: immutable after Create.
#ifndef BAYESD_SRC_STRATEGIES_ZO_OPTION_READER_H_
#define BAYESD_SRC_STRATEGIES_ZO_OPTION_READER_H_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/common/status.h"

namespace bayesd::zo {

// "strategy.<key> must be ... (got <value>)" as kInvalidArgument with field strategy.<key>.
Status Bad(const std::string& key, const std::string& got, const std::string& rule);
// Shortest round-trip text of a number.
std::string Num(double v);

class OptionReader {
 public:
  // Fails when `options` is not an object or has a key outside `known` (listing the known keys).
  static StatusOr<OptionReader> Create(const nlohmann::json& options, const std::string& strategy,
                                       std::initializer_list<const char*> known);

  bool Has(const char* key) const { return options_.contains(key); }
  // Each reads options[key] into *out when present and leaves *out (the default) otherwise.
  Status Number(const char* key, double* out) const;  // finite numbers
  Status Int(const char* key, int* out) const;        // whole numbers within int range
  Status Bool(const char* key, bool* out) const;
  template <typename E>
  Status Enum(const char* key, std::initializer_list<std::pair<const char*, E>> choices, E* out) const;

 private:
  explicit OptionReader(nlohmann::json options) : options_(std::move(options)) {}
  // The string value of key (nullptr when absent); a non-string is an error.
  StatusOr<const std::string*> String(const char* key) const;

  nlohmann::json options_;
};

template <typename E>
Status OptionReader::Enum(const char* key, std::initializer_list<std::pair<const char*, E>> choices, E* out) const {
  ASSIGN_OR_RETURN(const std::string* s, String(key));
  if (s == nullptr) return OkStatus();
  std::string names;
  for (const auto& [name, value] : choices) {
    if (*s == name) {
      *out = value;
      return OkStatus();
    }
    names += names.empty() ? "" : ", ";
    names += name;
  }
  return Bad(key, "\"" + *s + "\"", "must be one of " + names);
}

}  // namespace bayesd::zo

#endif  // BAYESD_SRC_STRATEGIES_ZO_OPTION_READER_H_
