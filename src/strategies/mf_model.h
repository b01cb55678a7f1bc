// Multi-fidelity surrogates of one outcome for the gp strategy's multi-fidelity mode.
//
//   CoKrigingSurrogate      discrete levels: AR(1) co-kriging (gp/cokriging.h, Kennedy & O'Hagan 2000, recursive
//                           form of Le Gratiet 2013). Candidate fidelity m = level m. In the plug-in posterior the
//                           level discrepancies are independent, so cov(f_m(x), f_T(x)) = (rho_{m+1} ... rho_T)
//                           var(f_m(x)). Model space = outcome units (oriented, larger is better).
//   FidelityKernelSurrogate continuous fidelity (or discrete levels mapped into [0, 1]): one exact GP on [x, s] with
//                           the input kernel times the downsampling kernel of the fidelity coordinate s (1 =
//                           target; gp/fidelity_kernel.h), standardized outcomes (src/strategies/gp_model.h).
//                           Candidate fidelities are given coordinates s_0 < ... < s_{F-1} = 1.
//
// Both are rebuilt exactly from saved hyperparameters (FitMode::kNone), so a restarted daemon predicts as the live
// one, and both condition on pending points / batch picks (kriging believer) without refitting.
//
// Thread safety: const methods are safe to call concurrently; Fit needs exclusive access.
#ifndef BAYESD_SRC_STRATEGIES_MF_MODEL_H_
#define BAYESD_SRC_STRATEGIES_MF_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "gp/input_spec.h"
#include "src/strategies/gp_model.h"
#include "src/strategies/mf_acquisition.h"

namespace bayesd {

// Observations of one outcome. fidelity[i] indexes the candidate fidelities for discrete studies; s[i] is the
// fidelity coordinate in [0, 1] (1 = target).
struct MfObservations {
  Eigen::MatrixXd x;         // n x d design rows
  Eigen::VectorXd s;         // n
  std::vector<int> level;    // n, discrete level index (-1 for a continuous fidelity)
  Eigen::VectorXd y;         // n, oriented (larger is better for the objective)
};

struct MfFitSettings {
  FitMode mode = FitMode::kFull;
  int random_starts = 2;
  int local_evaluations = 60;
  uint64_t seed = 0;
};

class MfSurrogate : public MultiFidelityModel {
 public:
  enum class Kind { kCoKriging, kFidelityKernel };

  // spec: the design encoding's InputSpec (d columns). coords: the candidate fidelities' coordinates, ascending,
  // last = 1 (the target); with kCoKriging they are the levels.
  static std::unique_ptr<MfSurrogate> Create(Kind kind, const gp::InputSpec& spec, std::vector<double> coords);
  static std::string KindName(Kind kind);

  // Fits (or, with mode kNone and a usable `warm`, installs) the hyperparameters. `warm` is the JSON written by
  // Theta() of an earlier fit (null: none). Returns the fit diagnostics (JSON); ok() tells whether it is usable.
  virtual nlohmann::json Fit(const MfObservations& data, const nlohmann::json& warm, const MfFitSettings& s) = 0;
  virtual bool ok() const = 0;
  virtual nlohmann::json Theta() const = 0;
  // A copy conditioned on values z (model space) of f at candidate fidelities `fidelity` at design rows x.
  virtual std::unique_ptr<MfSurrogate> Condition(const Eigen::MatrixXd& x, const std::vector<int>& fidelity,
                                                 const Eigen::VectorXd& z) const = 0;
  // Target-fidelity posterior in the outcome's (oriented) units.
  virtual bool PredictTarget(const Eigen::MatrixXd& xq, Eigen::VectorXd* mean, Eigen::VectorXd* sd) const = 0;
  // Outcome units -> model space (constraint bounds, incumbents).
  virtual double ToModel(double outcome) const = 0;
  // Model space -> outcome units is affine: outcome = offset + scale * model (composite outputs).
  virtual void OutcomeAffine(double* offset, double* scale) const = 0;
  // Posterior mean of f_m at x (model space) for kriging believer.
  virtual bool MeanAt(const Eigen::VectorXd& x, int fidelity, double* mean) const;

  Kind kind() const { return kind_; }
  int num_fidelities() const override { return static_cast<int>(coords_.size()); }
  const std::vector<double>& coords() const { return coords_; }

 protected:
  MfSurrogate(Kind kind, gp::InputSpec spec, std::vector<double> coords)
      : kind_(kind), spec_(std::move(spec)), coords_(std::move(coords)) {}

  Kind kind_;
  gp::InputSpec spec_;
  std::vector<double> coords_;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_MF_MODEL_H_
