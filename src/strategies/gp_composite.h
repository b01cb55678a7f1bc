// The outer function of a study's composite objective for composite EI (acquisition/composite.h): g(y) over the
// study's outputs (ordered as StudyConfig::outputs) with its gradient dg/dy.
//
//  - targets: g(y) = sum_k w_k (y_k - t_k)^2, gradient 2 w_k (y_k - t_k) -- analytic.
//  - expression: evaluated by muParser (the same library and expression as src/study/composite.h); the gradient
//    comes from muParser's own numerical derivative, mu::Parser::Diff, a five-point central stencil
//    (-f(y+2h) + 8 f(y+h) - 8 f(y-h) + f(y-2h)) / 12h with h = 1e-4 max(1, |y_k|) (truncation error O(h^4)).
//    muParser offers no symbolic derivatives. A non-finite value (division by zero, log of a negative, ...) is
//    returned as is; the acquisition counts such samples as no improvement.
//
// Thread safety: Evaluate is safe to call concurrently (a muParser instance keeps evaluation buffers, so calls are
// serialized by a mutex).
#ifndef BAYESD_SRC_STRATEGIES_GP_COMPOSITE_H_
#define BAYESD_SRC_STRATEGIES_GP_COMPOSITE_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "src/common/status.h"
#include "src/study/config.h"

namespace bayesd {

class CompositeOuter {
 public:
  static StatusOr<std::shared_ptr<CompositeOuter>> Create(const StudyConfig& config);
  ~CompositeOuter();

  // g(y) (y: one value per output) and, when grad is non-null and g(y) is finite, dg/dy.
  double Evaluate(const Eigen::VectorXd& y, Eigen::VectorXd* grad) const;
  // A completed trial's outputs (in the order of `names`) into *outputs and their composite into *g; false when an
  // output is missing or non-finite. *g may be non-finite (e.g. a division by zero): the outputs are still data.
  bool OutputsOf(const std::map<std::string, double>& values, const std::vector<std::string>& names,
                 std::vector<double>* outputs, double* g) const;
  int num_outputs() const { return static_cast<int>(targets_.size()); }
  bool expression() const { return parser_ != nullptr; }

 private:
  CompositeOuter() = default;
  struct Parser;
  std::vector<double> targets_, weights_;
  std::unique_ptr<Parser> parser_;
  mutable std::vector<double> vars_;
  mutable std::mutex mu_;
};

// What a completed trial gives the models of the gp and mf strategies: the objective value (`outer` non-null,
// composite outputs mode: the composite of the outputs, which may be NaN -- the outputs are still data -- with the
// outputs in *outputs, ordered as `output_names`; otherwise ObjectiveValue, finite) and one value per constraint
// in *constraints. False when the trial is not modelled: a missing or non-finite output, objective or constraint.
bool ModelledTrialValues(const StudyConfig& config, const CompositeOuter* outer,
                         const std::vector<std::string>& output_names, const std::map<std::string, double>& values,
                         double* objective, std::vector<double>* outputs, std::vector<double>* constraints);

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_GP_COMPOSITE_H_
