#include "gp/kernel.h"

#include <algorithm>

namespace bayesd::gp {

double Kernel::LogPrior(Eigen::VectorXd* grad) const {
  double lp = 0;
  for (int i = 0; i < static_cast<int>(priors_.size()); ++i) {
    double d = 0;
    lp += priors_[i].LogDensity(params_[i], &d);
    if (grad) (*grad)[i] += d;
  }
  return lp;
}

Eigen::VectorXd Kernel::DefaultParams() const {
  Eigen::VectorXd p = params_;
  for (int i = 0; i < static_cast<int>(priors_.size()); ++i) {
    if (priors_[i].kind() != Prior::Kind::kNone) p[i] = priors_[i].LogMode();
    p[i] = std::clamp(p[i], lower_[i], upper_[i]);
  }
  return p;
}

Eigen::VectorXd Kernel::SampleParams(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const {
  Eigen::VectorXd p(params_.size());
  for (int i = 0; i < static_cast<int>(priors_.size()); ++i) {
    p[i] = std::clamp(priors_[i].LogSample(z[i], u[i]), lower_[i], upper_[i]);
  }
  return p;
}

void Kernel::AddParam(std::string name, double value, double lower, double upper, Prior prior) {
  const Eigen::Index n = params_.size();
  params_.conservativeResize(n + 1);
  lower_.conservativeResize(n + 1);
  upper_.conservativeResize(n + 1);
  params_[n] = value;
  lower_[n] = lower;
  upper_[n] = upper;
  priors_.push_back(prior);
  names_.push_back(std::move(name));
}

Eigen::MatrixXd SelectColumns(const Eigen::MatrixXd& x, const std::vector<int>& cols) {
  Eigen::MatrixXd out(x.rows(), static_cast<Eigen::Index>(cols.size()));
  for (size_t k = 0; k < cols.size(); ++k) out.col(k) = x.col(cols[k]);
  return out;
}

}  // namespace bayesd::gp
