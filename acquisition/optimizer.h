// The acquisition optimizer: score quasi-random raw candidates, refine the best few by bounded L-BFGS (NLopt,
// analytic gradients) in the continuous columns, round, re-evaluate, and return the best point that is not
// excluded (observed, failed, pending or already chosen). BoTorch's optimize_acqf (raw samples + restarts) is the
// model; categorical columns are enumerated at each refined point when the space is small and kept as sampled
// otherwise (Garrido-Merchan & Hernandez-Lobato 2020 motivate rounding inside the loop: we round after refinement
// and re-evaluate, which is cheaper and never returns an unrounded point).
//
// Points are d-vectors laid out per the InputSpec: continuous columns in [0, 1] (integers are continuous columns in
// the unit cube that `snap` rounds onto cell centres), categorical columns hold category indices.
//
// Thread safety: OptimizeAcquisition is reentrant.
#ifndef BAYESD_ACQUISITION_OPTIMIZER_H_
#define BAYESD_ACQUISITION_OPTIMIZER_H_

#include <cstdint>
#include <functional>
#include <string>

#include <Eigen/Core>

#include "acquisition/acquisition.h"
#include "gp/input_spec.h"

namespace bayesd::acquisition {

struct OptimizerOptions {
  int num_restarts = 5;                    // best raw candidates refined by L-BFGS (>= 1)
  int max_evaluations = 150;               // acquisition evaluations per L-BFGS run (>= 1)
  double xtol_rel = 1e-7;                  // NLopt relative step tolerance (unit-cube coordinates)
  double ftol_rel = 1e-10;                 // NLopt relative objective tolerance
  int max_categorical_combinations = 64;   // enumerate all categorical combinations at most this many (0 = never)
  double duplicate_tolerance = 1e-9;       // max-abs distance under which two rounded points are the same point
  // Restarts are the best raw candidates at least this far apart (Euclidean, continuous columns), so refinement is
  // not spent on one basin -- with local perturbations among the raw candidates the top few are otherwise all
  // neighbours of the incumbent. 0 = plain top-k.
  double min_restart_distance = 0.2;
  // How restarts are drawn from the raw candidates. kDiverseTop: the best ones, min_restart_distance apart.
  // kBoltzmann: BoTorch's initialize_q_batch -- drawn without replacement with probability proportional to
  // exp(eta z), z the standardized raw values, the best raw candidate always included; restarts then also start
  // in promising regions away from the incumbent's basin.
  enum class RestartSelection { kDiverseTop, kBoltzmann };
  RestartSelection restart_selection = RestartSelection::kDiverseTop;
  double boltzmann_eta = 1.0;  // temperature of kBoltzmann (> 0; halved while a weight overflows)
  uint64_t seed = 0;           // kBoltzmann's draws
  // Box of the L-BFGS refinement in the continuous columns (d-vectors, e.g. a trust region; the raw candidates
  // should lie in it); empty = [0, 1].
  Eigen::VectorXd lower, upper;

  gp::GpStatus Validate() const;
};

struct OptimizationDomain {
  gp::InputSpec spec;
  // Maps a point onto the values it can actually take (integers to their cell centres, ...); identity when empty.
  std::function<Eigen::VectorXd(const Eigen::VectorXd&)> snap;
  // k x d rows (already snapped) that must not be returned: observed, failed and pending points, earlier picks.
  Eigen::MatrixXd excluded;
};

struct OptimizerResult {
  bool found = false;           // false: every candidate was excluded (the caller falls back to a fresh point)
  Eigen::VectorXd x;            // d, snapped
  double value = 0;             // acquisition value at x (after snapping)
  double raw_best_value = 0;    // best raw-candidate value
  int evaluations = 0;          // acquisition evaluations with gradient (L-BFGS)
  int restarts = 0;             // L-BFGS runs
  std::string termination;      // NLopt termination of the run that produced x, or "raw" / "enumerated"
};

// raw: m x d candidates (e.g. scrambled Sobol points mapped to the layout, plus perturbations of good points).
OptimizerResult OptimizeAcquisition(const Acquisition& acquisition, const Eigen::MatrixXd& raw,
                                    const OptimizationDomain& domain, const OptimizerOptions& options);

// True when x is within `tolerance` (max-abs) of a row of `rows`.
bool IsNearRow(const Eigen::VectorXd& x, const Eigen::MatrixXd& rows, double tolerance);

}  // namespace bayesd::acquisition

#endif  // BAYESD_ACQUISITION_OPTIMIZER_H_
