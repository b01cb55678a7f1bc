// The search space as a box: maps raw parameter values (src/study/trial.h) to and from coordinates in [0, 1]^d,
// one coordinate per parameter.
//
// float: linear (or log-linear when `log`) in [low, high]; int: the relaxed value in [low - 0.5, high + 0.5]
// (log-linear in [low - 0.5, high + 0.5] shifted positive when `log`), rounded back to the nearest whole number;
// categorical with k choices: choice i owns the interval [i/k, (i+1)/k).
// Strategies that want a different encoding (the GP's one-hot categoricals) build it on top of this.
//
// Thread safety: immutable after construction.
#ifndef BAYESD_SRC_STUDY_SPACE_H_
#define BAYESD_SRC_STUDY_SPACE_H_

#include <vector>

#include "src/study/config.h"

namespace bayesd {

class SearchSpace {
 public:
  explicit SearchSpace(const std::vector<ParameterSpec>& parameters);

  int dimension() const { return static_cast<int>(params_.size()); }
  const ParameterSpec& parameter(int i) const { return params_[i]; }

  // u in [0,1]^d (clamped) -> raw values inside the bounds, ints whole, categoricals a valid index.
  std::vector<double> FromUnit(const std::vector<double>& u) const;
  // raw values -> the centre of their cell in [0,1]^d (the inverse of FromUnit up to rounding).
  std::vector<double> ToUnit(const std::vector<double>& raw) const;
  // Rounds/clamps raw values onto the space (ints whole, categoricals valid, floats in bounds).
  std::vector<double> Snap(const std::vector<double>& raw) const;

 private:
  std::vector<ParameterSpec> params_;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STUDY_SPACE_H_
