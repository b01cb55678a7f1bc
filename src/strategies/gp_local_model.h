// LocalModel: a GP of the objective fitted only to the observations near the trust region's centre, with its
// lengthscale prior scaled to that neighbourhood (option `local_model`, docs/bo.md step 5d).
//
// Why: the global GP's hyperparameters describe the whole box. On a function with structure at a scale far below
// the box (Ackley's cos(2 pi x) ripple, period 1/15 of the box), the global fit explains that structure as noise,
// so inside a small trust region the model is a smooth trend plus noise and cannot say where the basin's bottom
// is. TuRBO fits its GP to the data of its own region for the same reason. Here the neighbourhood is the box of side
// `neighbourhood` x the trust region's side around the centre (at least `min_points` nearest observations), and the
// Hvarfner lengthscale prior, whose median is for inputs spread over [0, 1], is shifted by log(that side) (its floor
// 0.025 scaled the same way): the prior then says of the neighbourhood what it says of the unit cube globally.
//
// The fit is a full multi-start MAP fit from the prior (deterministic in the data and the seed), so nothing is
// persisted: after a daemon restart the same data gives the same local model.
//
// Thread safety: plain functions; the result is immutable.
#ifndef BAYESD_SRC_STRATEGIES_GP_LOCAL_MODEL_H_
#define BAYESD_SRC_STRATEGIES_GP_LOCAL_MODEL_H_

#include <memory>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "gp/input_spec.h"
#include "src/strategies/gp_model.h"

namespace bayesd {

struct LocalModelOptions {
  double neighbourhood = 2.0;  // side of the local data's box, in trust-region sides (capped at the unit cube)
  int min_points = 0;          // at least this many observations (the nearest in the box norm); 0 = 2 d + 1
  int fit_random_starts = 2;   // random starts of the (full) MAP fit
  uint64_t seed = 0;
  gp::StationaryType kernel = gp::StationaryType::kMatern52;
  gp::KernelOptions::Structure structure = gp::KernelOptions::Structure::kArd;  // of the continuous columns
};

struct LocalModel {
  std::shared_ptr<OutcomeModel> model;  // fitted on rows (null when the fit failed)
  std::vector<int> rows;                // the observations used (rows of the x passed in)
  double side = 1;                      // the neighbourhood's side (unit cube), the lengthscale prior's scale
  double incumbent = 0;                 // the best value among rows, in the local model's space
  double loo = 0;                       // LooLogPredictive of the local model over all its rows
  gp::FitDiagnostics fit;
  nlohmann::json Describe() const;
};

// The rows of x (n x d) whose continuous columns are within side / 2 of centre (Chebyshev), completed by the
// nearest others to at least min_points (when x has them); NaN entries of y are never chosen.
std::vector<int> LocalRows(const gp::InputSpec& spec, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                           const Eigen::VectorXd& centre, double side, int min_points);

// Leave-one-out log predictive density (Rasmussen & Williams 2006, eq. 5.10-5.12) of the observations `rows` of a
// fitted model's training data, in the outcome's units (each point predicted with the model's hyperparameters from
// all its other training points, observation noise included): sum_i log N(y_i; mu_-i, s_-i^2). NaN when the model
// is unusable or its transform is not affine (warped).
double LooLogPredictive(const OutcomeModel& model, const std::vector<int>& rows);

// Fits the local model around `centre` for a trust region of side `region_length`; y oriented (larger is better).
LocalModel FitLocalModel(const gp::InputSpec& spec, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                         const Eigen::VectorXd& centre, double region_length, const LocalModelOptions& options);

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_GP_LOCAL_MODEL_H_
