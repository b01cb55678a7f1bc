// The composite objective: combines measured outputs into the objective value.
//
// Targets: sum_k w_k (y_k - t_k)^2 over the targeted outputs (w_k defaults to 1). Expression: an arithmetic
// expression over output names, parsed and evaluated by muParser (never by code of our own). A non-finite result
// (division by zero, log of a negative) is reported as such by the caller, never a crash.
//
// Thread safety: a CompositeObjective is immutable after Create and its Evaluate is const but NOT thread-safe for
// expressions (muParser keeps evaluation buffers): give each thread its own instance, or guard it.
#ifndef BAYESD_SRC_STUDY_COMPOSITE_H_
#define BAYESD_SRC_STUDY_COMPOSITE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/common/status.h"
#include "src/study/config.h"

namespace bayesd {

class CompositeObjective {
 public:
  // Validates the objective against the outputs (unknown names, parse errors: kInvalidArgument naming
  // objective.expression / objective.targets.<name>).
  static StatusOr<std::unique_ptr<CompositeObjective>> Create(const ObjectiveSpec& objective,
                                                              const std::vector<OutputSpec>& outputs);
  ~CompositeObjective();

  // The objective from one value per output (ordered as `outputs` at creation). May be non-finite.
  double Evaluate(const std::vector<double>& output_values) const;
  // Convenience: values by name (missing names evaluate as NaN).
  double Evaluate(const std::map<std::string, double>& values) const;

  const std::vector<std::string>& output_names() const { return names_; }

 private:
  CompositeObjective() = default;
  struct Parser;
  std::vector<std::string> names_;
  std::vector<double> targets_, weights_;  // per output; weight 0 for untargeted outputs
  std::unique_ptr<Parser> parser_;          // set for expressions
  mutable std::vector<double> vars_;        // muParser binds variables by address
};

// The objective value of a completed trial: values[objective.name], or the composite of the outputs.
// nullopt when it cannot be computed (missing values, non-finite composite).
std::optional<double> ObjectiveValue(const StudyConfig& config, const std::map<std::string, double>& values);

}  // namespace bayesd

#endif  // BAYESD_SRC_STUDY_COMPOSITE_H_
