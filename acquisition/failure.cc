#include "acquisition/failure.h"

#include <limits>

namespace bayesd::acquisition {

double WithSuccessProbability::Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const {
  gp::ClassifierPrediction p;
  if (!classifier_->PredictAt(x, grad != nullptr, &p)) {
    if (grad) grad->setZero(x.size());
    return -std::numeric_limits<double>::infinity();
  }
  const double base = base_->Evaluate(x, grad);
  if (grad) {
    *grad += p.log_probability_gradient;
    if (!grad->allFinite()) grad->setZero();
  }
  return base + p.log_probability;
}

}  // namespace bayesd::acquisition
