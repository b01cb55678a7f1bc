// Options of the `gp` strategy ("strategy": {"name": "gp", ...}), parsed once from StudyConfig::strategy.options
// into this struct and validated. Unknown keys are rejected with field "strategy.<key>".
//
// Thread safety: plain values.
#ifndef BAYESD_SRC_STRATEGIES_GP_OPTIONS_H_
#define BAYESD_SRC_STRATEGIES_GP_OPTIONS_H_

#include <algorithm>
#include <string>

#include "gp/kernel_factory.h"
#include "gp/stationary_kernel.h"
#include "src/common/status.h"
#include "src/study/config.h"

namespace bayesd {

enum class GpAcquisition { kAuto, kLogEi, kEi, kPi, kUcb, kNei, kKg, kMes, kTs, kConfig };

// How a composite objective (targets / expression over outputs) is modelled: one GP per output with composite EI
// (Astudillo & Frazier 2019), or one GP on the combined scalar.
enum class CompositeModel { kOutputs, kScalar };

// How the acquisition optimizer picks its L-BFGS starting points among the raw candidates (acquisition/optimizer.h).
enum class RestartSelection { kAuto, kDiverse, kBoltzmann };

// Whether the TuRBO-style trust region is used: kAuto = on for studies without constraints and without a composite
// objective (where it was benchmarked, docs/bo.md), off otherwise.
enum class TrustRegionMode { kAuto, kOn, kOff };

// Whether the acquisition uses a local model of the trust region's neighbourhood (gp_local_model.h): kOff, kOn, or
// kLoo = when it predicts the neighbourhood's observations better than the global model (leave-one-out).
enum class LocalModelMode { kOff, kOn, kLoo, kAuto };

// How the raw candidates near the best observed points are drawn (gp_strategy_region.cc, RawCandidates).
enum class LocalCandidates { kAuto, kGaussian, kMultiscale };

std::string GpAcquisitionName(GpAcquisition a);

struct GpStrategyOptions {
  // The acquisition function (see acquisition/). kAuto (the default, docs/bo.md "Noise-adaptive acquisition"):
  // in plain studies (no constraints, no composite objective) noisy EI while the objective model's fitted noise
  // variance, in the standardized outcome's units (a share of the observed variance), is above auto_noise_ratio
  // -- the observations are noisy enough that the best one
  // is a lucky draw, not a reliable incumbent -- and log-EI otherwise; log-EI in constrained studies, composite EI
  // for composite objectives (as log_ei).
  GpAcquisition acquisition = GpAcquisition::kAuto;
  double auto_noise_ratio = 1e-3;  // in (0, 1): standardized noise variance above which "auto" uses nei
  // Size of the initial scrambled-Sobol design; -1 = automatic: clamp(2 d, 5, 20) for d parameters (2d is the usual
  // rule of thumb for the first GP fit to see every dimension move; 5 keeps 1-d/2-d studies from starting on 2
  // points; 20 caps the model-free budget in high dimension).
  int initial_trials = -1;
  int raw_samples = 1024;         // quasi-random candidates scored per suggestion (capped by n, see gp_strategy.cc)
  // "Auto" (restarts 0, restart_selection / local_candidates kAuto, trust_region kAuto) = the settings benchmarked in
  // docs/bo.md (10 Boltzmann restarts, multiscale candidates, trust region) for studies without constraints and
  // without a composite objective; the earlier ones (5 diverse restarts, Gaussian candidates, no trust region),
  // with which the constrained and composite benchmarks were measured, otherwise.
  int restarts = 0;               // raw candidates refined by L-BFGS; 0 = auto (10 or 5, above)
  int optimizer_evaluations = 150;  // acquisition evaluations per L-BFGS run
  // L-BFGS starting points: kDiverse = the best raw candidates, 0.2 apart; kBoltzmann = drawn with probability
  // proportional to exp(z) of the standardized raw values, the best always included (BoTorch).
  RestartSelection restart_selection = RestartSelection::kAuto;
  // Raw candidates near the 5 best observed points (by posterior mean), as a fraction of raw_samples.
  double local_fraction = 0.25;
  // kGaussian: all coordinates moved by N(0, 0.01^2) or N(0, 0.1^2); kMultiscale: scales 1e-3, 1e-2, 0.05, 0.2 and
  // every second candidate moves only a random subset of the coordinates (BoTorch sample_around_best / TuRBO).
  LocalCandidates local_candidates = LocalCandidates::kAuto;
  // TuRBO-style trust region (gp_trust_region.h): candidates and L-BFGS restricted to a box around the incumbent
  // whose side is replayed from the success / failure history. JSON: true, false or "auto" (default).
  TrustRegionMode trust_region = TrustRegionMode::kAuto;
  double trust_region_length = 0.8;      // initial side (unit cube), in (0, 1.6]
  // Largest side the doubling rule may reach: 0 = auto; else in [trust_region_length, 1.6]. Auto: with restarts
  // (below) max(0.8, trust_region_length) -- TuRBO's 1.6 lets a region that keeps succeeding cover the whole cube,
  // and the extra halvings then delay the restart; 0.8 measured better on Hartmann-6 (5 instead of 9 of 30 seeds
  // stuck) and the same within noise on Branin and Ackley-10 (docs/bo.md) --, without restarts TuRBO's 1.6.
  double trust_region_max_length = 0;
  int trust_region_failure_tolerance = 0;  // failures in a row that halve the side; 0 = TuRBO's max(4, d)
  // Restarts (docs/bo.md): when the side falls below trust_region_restart_length the region is spent and a new one
  // starts at the best observed point outside every spent region (side trust_region_restart_side, its own best as
  // the incumbent; "outside" = beyond a soft ball of trust_region_exclusion lengthscales around each spent centre,
  // which also penalizes explore picks, and segment picks with trust_region_segment_penalty). 0 = no restarts (the
  // side is reset below 0.5^7 and stays at the global incumbent); -1 = auto:
  // 0.1 for the incumbent-based acquisitions (log_ei, ei, pi, ucb, nei, config), off for kg, mes and ts, which
  // neither use the segment's incumbent nor (kg aside) take the exclusion, and lost precision with restarts.
  double trust_region_restart_length = -1;
  double trust_region_restart_side = 0.2;
  double trust_region_exclusion = 1.0;
  // Whether restarted and resumed segments also carry the spent-region penalty in their acquisition (true: the
  // behaviour before session 11). The exclusion radius always decides where a restarted segment's seed may lie and
  // penalizes the explore picks (a restart with no seed); inside a segment's box the penalty cost precision without
  // rescuing more runs (docs/bo.md "The spent-region penalty", Hartmann-6 over 200 seeds).
  bool trust_region_segment_penalty = false;
  // Resuming (gp_trust_region.h, docs/bo.md step 5c): a restarted segment that is spent without having beaten the
  // global best is followed by a segment that refines the global incumbent's region again at this side (spent at its
  // third halving), then the restarts go on. -1 = auto: half trust_region_restart_length (where the incumbent's
  // region was cut off; 0 without restarts); 0 = never resume; else in (0, trust_region_restart_side].
  double trust_region_resume_side = -1;
  // A restarted segment still behind the global best counts an improvement as a success only when it also closes
  // this share of the gap to the global best (a segment slowly climbing a worse basin is spent, and the budget goes
  // back to the incumbent); 0 = TuRBO's rule alone; in [0, 1).
  double trust_region_behind_progress = 0.03;
  double TrustRegionRestartLength() const {
    if (trust_region_restart_length >= 0) return trust_region_restart_length;
    const bool incumbent_based = acquisition != GpAcquisition::kKg && acquisition != GpAcquisition::kMes &&
                                 acquisition != GpAcquisition::kTs;
    return incumbent_based ? std::min(0.1, trust_region_length / 2) : 0.0;
  }
  double TrustRegionResumeSide() const {
    return trust_region_resume_side >= 0 ? trust_region_resume_side : TrustRegionRestartLength() / 2;
  }
  double TrustRegionMaxLength() const {
    if (trust_region_max_length > 0) return trust_region_max_length;
    return TrustRegionRestartLength() > 0 ? std::max(0.8, trust_region_length) : 1.6;
  }
  // Covariance of the continuous columns of the global models (gp/stationary_kernel.h): Matérn-5/2 (default),
  // Matérn-3/2 or RBF. Matérn-3/2 globally measured better on Ackley-10, worse on Hartmann-6 and Branin (docs/bo.md).
  gp::StationaryType kernel = gp::StationaryType::kMatern52;
  // Structure of the global models' continuous kernel (gp/kernel_factory.h): one ARD kernel (default), a sum of
  // one-column kernels ("additive"), or both summed ("ard+additive"). JSON: "ard", "additive", "ard+additive".
  gp::KernelOptions::Structure kernel_structure = gp::KernelOptions::Structure::kArd;
  // Local model (gp_local_model.h, docs/bo.md step 5d): with a trust region whose side is at most
  // local_model_max_length, the objective's acquisition may use a GP of local_model_kernel fitted to the observations
  // within local_model_neighbourhood sides of the region's centre (lengthscale prior scaled to that box) instead of
  // the global GP; the region's bookkeeping (side, restarts, exclusion) stays on the global model. kLoo: only when
  // the local model's leave-one-out log predictive density of those observations beats the global model's at the
  // same observations; kAuto (default): also whenever the global objective model's fitted noise variance
  // (standardized units) is above auto_noise_ratio -- it explains structure below its lengthscales as noise, which
  // is what the local model resolves (docs/bo.md step 5d); kOn: always; kOff: never. JSON: "auto", "loo", "on",
  // "off", true, false. Without a trust region (constrained / composite studies under "auto") there is no local
  // model.
  LocalModelMode local_model = LocalModelMode::kAuto;
  double local_model_neighbourhood = 4.0;  // in trust-region sides, in [1, 10] (capped at the unit cube)
  double local_model_max_length = 1.6;     // in (0, 1.6]
  gp::StationaryType local_model_kernel = gp::StationaryType::kMatern32;
  // The local model's structure where it is used without the leave-one-out comparison (local_model "on", or "auto"
  // by its noise rule): ARD + first-order additive terms sharing one output scale by default (docs/bo.md, "Shared
  // additive scale"); the comparison is always of the ARD local model.
  gp::KernelOptions::Structure local_model_structure = gp::KernelOptions::Structure::kArdPlusAdditiveShared;
  int mc_samples = 64;            // nei: base samples of the baseline; kg: quadrature nodes
  double ucb_beta_scale = 0.2;    // ucb: beta_t = scale * 2 log(d t^2 pi^2 / (6 delta)) (Srinivas et al. 2010)
  double ucb_delta = 0.1;         // ucb: confidence parameter in (0, 1)
  int fit_random_starts = 2;      // hyperparameter fit: random starts of a full fit (besides the warm start)
  int local_fit_evaluations = 60;  // warm-started local refit after new data: L-BFGS evaluations
  int full_refit_every = 10;      // full multi-start fit after this many new observations since the last one
  bool warp_outcomes = false;     // Yeo-Johnson warp of the objective when it is skewed (auto rule)
  // Composite objectives: per-output GPs + composite EI (default) or the scalar model; ignored otherwise.
  CompositeModel composite_model = CompositeModel::kOutputs;
  int composite_samples = 128;    // composite EI: fixed quasi-MC base samples of the outputs' posterior
  // Failed trials: model P(not failed) by a GP classifier and multiply it into the acquisition (log form).
  bool model_failures = true;
  // Failed trials also enter the objective (and constraint) GPs at the worst completed value (and the worst
  // observed constraint values), so EI there decays; composite outputs mode: each output GP at that output's value
  // in the trial with the worst composite value. Only with model_failures.
  bool impute_failures = true;

  // Effective initial design size for d parameters.
  int InitialTrials(int d) const;
  Status Validate() const;
};

// Parses and validates config.strategy.options (kInvalidArgument naming "strategy.<key>").
StatusOr<GpStrategyOptions> ParseGpStrategyOptions(const StudyConfig& config);

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_GP_OPTIONS_H_
