// MultiOutputGp: one independent GpRegressor per modelled outcome (objectives and constraints) on shared inputs.
//
// Each outcome is fitted on its own subset of rows: a NaN in Y(i, k) means "outcome k not observed at row i".
// The joint posterior at m query points over K outcomes is block-diagonal (outputs are independent given the
// hyperparameters): mean is m x K, covariance is (K m) x (K m) ordered outcome-major (index k * m + a).
//
// Thread safety: as GpRegressor (const methods concurrent, Fit / AddObservations exclusive).
#ifndef BAYESD_GP_MULTI_OUTPUT_H_
#define BAYESD_GP_MULTI_OUTPUT_H_

#include <vector>

#include <Eigen/Core>

#include "gp/gp_regressor.h"

namespace bayesd::gp {

struct JointPosterior {
  GpStatus status;
  Eigen::MatrixXd mean;        // m x K
  Eigen::MatrixXd variance;    // m x K
  Eigen::MatrixXd covariance;  // (K m) x (K m) block-diagonal, outcome-major; when full_covariance
  std::vector<Posterior> per_outcome;  // K posteriors with gradients as requested
};

class MultiOutputGp {
 public:
  // One options struct per outcome (sizes must match at Fit), or a single one shared by all outcomes.
  MultiOutputGp(InputSpec spec, std::vector<GpRegressorOptions> options);

  // x: n x d; y: n x K with NaN for missing values; noise_variance: empty or n x K (NaN ignored).
  // Returns one FitDiagnostics per outcome. An outcome with no observed rows is reported as unsuccessful.
  std::vector<FitDiagnostics> Fit(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                  const Eigen::MatrixXd& noise_variance = Eigen::MatrixXd());
  // Adds rows (NaN = missing) to each outcome per its RefitPolicy.
  std::vector<FitDiagnostics> AddObservations(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                              const Eigen::MatrixXd& noise_variance = Eigen::MatrixXd());

  JointPosterior PosteriorAt(const Eigen::MatrixXd& xq, const PosteriorOptions& options = {},
                             Space space = Space::kModel) const;

  int num_outcomes() const { return static_cast<int>(models_.size()); }
  const GpRegressor& outcome(int k) const { return models_[k]; }

 private:
  std::vector<FitDiagnostics> Apply(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                    const Eigen::MatrixXd& noise, bool add);

  InputSpec spec_;
  std::vector<GpRegressorOptions> options_;
  std::vector<GpRegressor> models_;
};

}  // namespace bayesd::gp

#endif  // BAYESD_GP_MULTI_OUTPUT_H_
