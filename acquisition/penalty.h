// Exclusion of spent regions from an acquisition: log a(x) + sum_k log(1 - exp(-q_k(x) / 2)) on the log scale (on
// the linear scale the product of the factors multiplies max(0, a(x) - floor), ApplyLogFactor), q_k(x) =
// sum_j ((x_j - c_kj) / r_j)^2, for the centres c_k of regions already searched out. Each factor is 0 at a centre,
// 1 - e^-1/2 = 0.39 one radius away and > 0.86 beyond two radii: a soft ball around each spent optimum, in the
// spirit of local penalization (Gonzalez et al. 2016, "Batch Bayesian optimization via local penalization"), where
// it keeps a batch's points out of each other's basins. Here it keeps a restarted trust-region search (TuRBO's
// restart, src/strategies/gp_trust_region.h) from climbing back into the basin the previous search converged to,
// which a global GP otherwise makes the most attractive place in the domain.
//
// Columns with a non-finite or non-positive radius (categorical columns, say) do not enter q.
//
// Thread safety: immutable after construction; Evaluate is const and safe to call concurrently.
#ifndef BAYESD_ACQUISITION_PENALTY_H_
#define BAYESD_ACQUISITION_PENALTY_H_

#include <memory>
#include <string>

#include <Eigen/Core>

#include "acquisition/acquisition.h"

namespace bayesd::acquisition {

class RegionPenalty : public Acquisition {
 public:
  // centres: k x d; radii: d; floor: see ApplyLogFactor (linear-scale bases only).
  RegionPenalty(std::shared_ptr<const Acquisition> base, Eigen::MatrixXd centres, Eigen::VectorXd radii,
                double floor = 0);
  std::string name() const override { return base_->name() + (base_->log_scale() ? "+" : "*") + "region_penalty"; }
  bool log_scale() const override { return base_->log_scale(); }
  bool nonnegative() const override { return !base_->log_scale(); }
  bool has_gradient() const override { return base_->has_gradient(); }
  double Evaluate(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const override;
  Eigen::VectorXd EvaluateMany(const Eigen::MatrixXd& x) const override;
  // The penalty term alone (<= 0) and its gradient when grad is non-null.
  double LogPenalty(const Eigen::VectorXd& x, Eigen::VectorXd* grad) const;

 private:
  std::shared_ptr<const Acquisition> base_;
  Eigen::MatrixXd centres_;
  Eigen::VectorXd inv_r2_;  // 1 / r_j^2, 0 for ignored columns
  double floor_;
};

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_PENALTY_H_
