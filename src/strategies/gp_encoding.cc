#include "src/strategies/gp_encoding.h"

#include <algorithm>
#include <cmath>

namespace bayesd {

GpEncoding::GpEncoding(const std::vector<ParameterSpec>& parameters) : space_(parameters) {
  for (const ParameterSpec& p : parameters) {
    const int k = p.type == ParamType::kCategorical ? static_cast<int>(p.choices.size()) : 0;
    categories_.push_back(k >= 2 ? k : 0);
    gp::ColumnSpec c;
    if (k >= 2) {
      c.type = gp::ColumnType::kCategorical;
      c.num_categories = k;
    }
    spec_.columns.push_back(c);
  }
}

Eigen::VectorXd GpEncoding::Encode(const std::vector<double>& raw) const {
  const std::vector<double> u = space_.ToUnit(raw);
  const std::vector<double> snapped = space_.Snap(raw);
  Eigen::VectorXd row(dim());
  for (int j = 0; j < dim(); ++j) row[j] = categories_[j] ? snapped[j] : u[j];
  return row;
}

std::vector<double> GpEncoding::Decode(const Eigen::VectorXd& row) const {
  std::vector<double> u(dim());
  for (int j = 0; j < dim(); ++j) {
    const int k = categories_[j];
    u[j] = k ? (std::clamp(std::round(row[j]), 0.0, k - 1.0) + 0.5) / k : row[j];
  }
  return space_.FromUnit(u);
}

Eigen::VectorXd GpEncoding::FromUnitCube(const std::vector<double>& u) const {
  Eigen::VectorXd row(dim());
  for (int j = 0; j < dim(); ++j) {
    const int k = categories_[j];
    row[j] = k ? std::min(std::floor(u[j] * k), k - 1.0) : std::clamp(u[j], 0.0, 1.0);
  }
  return row;
}

}  // namespace bayesd
