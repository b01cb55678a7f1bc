// Failed trials as an unknown feasibility region: a log-scale acquisition plus log P(the evaluation does not fail)
// (a linear-scale one: max(0, a - floor) times P, ApplyLogFactor -- a failure scores `floor`),
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
  // classifier must be fitted; floor: see ApplyLogFactor (linear-scale bases only).
  WithSuccessProbability(std::shared_ptr<const Acquisition> base, std::shared_ptr<const gp::GpClassifier> classifier,
                         double floor = 0)
      : base_(std::move(base)), classifier_(std::move(classifier)), floor_(floor) {}
  std::string name() const override { return base_->name() + (base_->log_scale() ? "+log_p_success" : "*p_success"); }
  bool log_scale() const override { return base_->log_scale(); }
  bool nonnegative() const override { return !base_->log_scale(); }
  bool has_gradient() const override { return base_->has_gradient(); }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;

 private:
  std::shared_ptr<const Acquisition> base_;
  std::shared_ptr<const gp::GpClassifier> classifier_;
  double floor_;
};

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_FAILURE_H_
