#include "acquisition/failure.h"

#include <limits>

namespace bayesd::acquisition {

double WithSuccessProbability::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  gp::ClassifierPrediction p;
  if (!classifier_->PredictAt(x, grad != nullptr, &p)) {
    if (grad) grad->setZero(x.size());
    return base_->log_scale() ? -std::numeric_limits<double>::infinity() : 0.0;
  }
  const double base = base_->Evaluate(x, grad);
  return ApplyLogFactor(base_->log_scale(), base, floor_, p.log_probability, &p.log_probability_gradient, grad);
}

}  // namespace bayesd::acquisition
