#include "gp/input_spec.h"

#include <cmath>
#include <string>

namespace bayesd::gp {

InputSpec InputSpec::AllContinuous(int d) {
  InputSpec spec;
  spec.columns.assign(d > 0 ? d : 0, ColumnSpec{});
  return spec;
}

std::vector<int> InputSpec::ColumnsOfType(ColumnType type) const {
  std::vector<int> out;
  for (int j = 0; j < dim(); ++j) {
    if (columns[j].type == type) out.push_back(j);
  }
  return out;
}

GpStatus InputSpec::Validate() const {
  if (columns.empty()) return GpInvalid("InputSpec.columns must not be empty");
  if (ColumnsOfType(ColumnType::kFidelity).size() > 1) {
    return GpInvalid("InputSpec: at most one fidelity column is supported");
  }
  for (int j = 0; j < dim(); ++j) {
    if (columns[j].type == ColumnType::kCategorical && columns[j].num_categories < 2) {
      return GpInvalid("InputSpec.columns[" + std::to_string(j) + "].num_categories = " +
                       std::to_string(columns[j].num_categories) + " must be >= 2");
    }
  }
  return GpOk();
}

GpStatus InputSpec::CheckPoints(const Eigen::MatrixXd& x) const {
  if (x.cols() != dim()) {
    return GpInvalid("points have " + std::to_string(x.cols()) + " columns, InputSpec has " +
                     std::to_string(dim()));
  }
  constexpr double kTol = 1e-9;
  for (int j = 0; j < dim(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double v = x(i, j);
      const std::string where = "x(" + std::to_string(i) + ", " + std::to_string(j) + ") = " + std::to_string(v);
      if (!std::isfinite(v)) return GpInvalid(where + " is not finite");
      if (columns[j].type == ColumnType::kCategorical) {
        if (v != std::round(v) || v < 0 || v >= columns[j].num_categories) {
          return GpInvalid(where + " is not a category index in [0, " +
                           std::to_string(columns[j].num_categories) + ")");
        }
      } else if (v < -kTol || v > 1 + kTol) {
        return GpInvalid(where + " is outside the unit interval");
      }
    }
  }
  return GpOk();
}

}  // namespace bayesd::gp
