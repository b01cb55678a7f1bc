// InputSpec: which columns of an input matrix are continuous, categorical or a fidelity coordinate.
//
// Points handed to gp/ are rows of an n x d matrix. Continuous columns are already mapped to [0, 1] by the caller
// (log / integer parameters included). Categorical columns hold integer category indices 0..num_categories-1 stored
// as doubles. A fidelity column is a continuous coordinate in [0, 1] where 1 is the target fidelity.
//
// Thread safety: value type; const methods are safe to call concurrently.
#ifndef BAYESD_GP_INPUT_SPEC_H_
#define BAYESD_GP_INPUT_SPEC_H_

#include <vector>

#include <Eigen/Core>

#include "gp/status.h"

namespace bayesd::gp {

enum class ColumnType { kContinuous, kCategorical, kFidelity };

struct ColumnSpec {
  ColumnType type = ColumnType::kContinuous;
  int num_categories = 0;  // only for kCategorical; >= 2
};

struct InputSpec {
  std::vector<ColumnSpec> columns;

  static InputSpec AllContinuous(int d);

  int dim() const { return static_cast<int>(columns.size()); }
  std::vector<int> ColumnsOfType(ColumnType type) const;

  // Checks the spec itself (at least one column, categorical columns have >= 2 categories).
  GpStatus Validate() const;
  // Checks an n x d matrix against the spec: width, finiteness, [0, 1] for continuous / fidelity columns
  // (with a 1e-9 tolerance), integer category indices in range.
  GpStatus CheckPoints(const Eigen::MatrixXd& x) const;
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_INPUT_SPEC_H_
