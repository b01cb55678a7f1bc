// GpEncoding: the gp strategy's view of a search space as model inputs (a gp::InputSpec layout).
//
// Float and int parameters become continuous columns in [0, 1] through SearchSpace (log scales and the relaxed
// integer interval included; an int is rounded back to its cell centre by Snap). Categorical parameters with k >= 2
// choices become categorical columns holding the choice index (the GP's categorical kernel); a single-choice
// categorical is a constant continuous column.
//
// Thread safety: immutable after construction.
#ifndef BAYESD_SRC_STRATEGIES_GP_ENCODING_H_
#define BAYESD_SRC_STRATEGIES_GP_ENCODING_H_

#include <vector>

#include <Eigen/Core>

#include "gp/input_spec.h"
#include "src/study/space.h"

namespace bayesd {

class GpEncoding {
 public:
  explicit GpEncoding(const std::vector<ParameterSpec>& parameters);

  int dim() const { return space_.dimension(); }
  const gp::InputSpec& spec() const { return spec_; }
  const SearchSpace& space() const { return space_; }

  // raw values (src/study/trial.h) -> model row (d).
  Eigen::VectorXd Encode(const std::vector<double>& raw) const;
  // model row -> raw values inside the bounds (ints whole, categoricals valid).
  std::vector<double> Decode(const Eigen::VectorXd& row) const;
  // The model row of the raw point a row stands for (Encode(Decode(row))).
  Eigen::VectorXd Snap(const Eigen::VectorXd& row) const { return Encode(Decode(row)); }
  // A point of the unit cube (e.g. a Sobol point) -> model row (categorical u -> floor(u k)).
  Eigen::VectorXd FromUnitCube(const std::vector<double>& u) const;

 private:
  SearchSpace space_;
  gp::InputSpec spec_;
  std::vector<int> categories_;  // per parameter: k for categorical columns, 0 otherwise
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_GP_ENCODING_H_
