// Failed trials as an unknown feasibility region: a log-scale acquisition plus log P(the evaluation does not fail),
// P from a GP classifier (gp/gp_classifier.h: probit likelihood, Laplace approximation) fitted on finished trials
// labelled +1 (completed) / -1 (failed). Adding logs multiplies the utility by the probability, as the probability
// of feasibility does for black-box constraints (Gelbart, Snoek & Adams 2014 treat crashes the same way).
//
// Thread safety: immutable after construction; Evaluate is const and safe to call concurrently.
#ifndef BAYESD_ACQUISITION_FAILURE_H_
#define BAYESD_ACQUISITION_FAILURE_H_

#include <memory>
#include <string>

#include "acquisition/acquisition.h"
#include "gp/gp_classifier.h"

namespace bayesd::acquisition {

class WithSuccessProbability : public Acquisition {
 public:
  // base must be log_scale(); classifier must be fitted.
  WithSuccessProbability(std::shared_ptr<const Acquisition> base, std::shared_ptr<const gp::GpClassifier> classifier)
      : base_(std::move(base)), classifier_(std::move(classifier)) {}
  std::string name() const override { return base_->name() + "+log_p_success"; }
  bool log_scale() const override { return true; }
  bool has_gradient() const override { return base_->has_gradient(); }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;

 private:
  std::shared_ptr<const Acquisition> base_;
  std::shared_ptr<const gp::GpClassifier> classifier_;
};

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_FAILURE_H_
