// The cost model of a multi-fidelity study: what one evaluation at a fidelity costs, in the units clients report.
//
//   discrete levels:        the declared `costs` (one per level).
//   continuous, linear:     fixed + fidelity / high.
//   continuous, exponent:   fixed + (fidelity / high)^exponent.
//   continuous, learned:    log-linear fit on the costs clients report with their completions,
//                           log c = a + b log fidelity (least squares; b = 1 through the geometric mean while the
//                           reports cover fewer than two distinct fidelities; fidelity / high before any report).
// Only ratios matter to the acquisition (value per unit cost) and to the target-evaluation guard.
//
// Thread safety: immutable after Learn.
#ifndef BAYESD_SRC_STRATEGIES_MF_COST_H_
#define BAYESD_SRC_STRATEGIES_MF_COST_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "src/study/config.h"
#include "src/study/trial.h"

namespace bayesd {

class MfCostModel {
 public:
  explicit MfCostModel(const FidelitySpec& spec) : spec_(spec) {}

  // Learns from the reported costs of completed trials (only for cost type learned).
  void Learn(const std::vector<Trial>& trials);
  double Cost(double fidelity) const;
  // {"type", "source", and the fit for learned}.
  nlohmann::json Describe() const;

 private:
  FidelitySpec spec_;
  bool fitted_ = false;
  double a_ = 0, b_ = 1;  // learned: log c = a + b log f
  int reports_ = 0;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_MF_COST_H_
