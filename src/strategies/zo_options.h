// Options of the `zo` strategy (zeroth-order gradient descent), parsed once from StudyConfig::strategy.options.
//
// All lengths are in the unit cube [0,1]^d of the SearchSpace (every parameter scaled to [0, 1]; log parameters in
// log space; int and categorical parameters are relaxed coordinates, see src/study/space.h).
//
// Thread safety: plain values.
#ifndef BAYESD_SRC_STRATEGIES_ZO_OPTIONS_H_
#define BAYESD_SRC_STRATEGIES_ZO_OPTIONS_H_

#include <nlohmann/json.hpp>

#include "src/common/status.h"
#include "src/strategies/zo_estimators.h"
#include "src/study/config.h"

namespace bayesd::zo {

enum class Optimizer { kSgd, kAdam, kSignSgd, kNormalized };
enum class Feedback { kValues, kRank };
enum class Surrogate { kNone, kLinear };
enum class Start { kAuto, kCenter, kRandom };

struct ZoOptions {
  // "gaussian" (v ~ N(0, I)), "sphere" (uniform on the unit sphere, scaled by d) or "coordinate" (unit vectors,
  // DeepZero's coordinate-wise estimate). Key "directions".
  Directions directions = Directions::kGaussian;
  // "forward" (one base point plus one query per direction), "central" (two queries per direction, antithetic
  // pairs x +- mu v) or "mean" (one query per direction, each against the mean of the others; zo_estimators.h).
  // Key "differences". Default "mean"; "forward" with feedback "rank" (ranked probes have no values; only
  // "forward" is allowed) and with "coordinate" directions. In the sweep of docs/zo_cbo.md "mean" reached 3x lower
  // regret than "central" and 6x lower than "forward" on Ackley 100-d at 2,000 evaluations: it spends one query
  // per direction like "forward", and cancels the common curvature term like "central".
  Differences differences = Differences::kMean;
  // Random directions per gradient estimate (>= 1; >= 2 with feedback "rank"). Ignored by "coordinate". Key "q".
  // Default 10: a batch of 11 queries with forward differences.
  int q = 10;
  // Coordinates per coordinate-wise estimate, a fresh random subset each step (0 = all d; at most d).
  int coordinates = 0;
  // Smoothing radius in the unit cube, 0 < mu <= 0.25. Default 0.1 with the "normalized" optimizer, where it is
  // the initial radius and moves with the step (mu_k = mu eta_k / learning_rate; the sweep of docs/zo_cbo.md
  // favoured a radius twice the step). Otherwise 0.02 (1/50 of each range): large enough to smooth
  // over evaluation noise and small ripples, small enough for a local gradient.
  double mu = 0.02;
  // Update rule: "normalized" (default), "adam" (Kingma and Ba 2015), "sgd" or "sign_sgd" (Bernstein et al. 2018;
  // DeepZero's default family). Adam, sign-SGD and normalized steps are invariant to the scale of the objective;
  // plain SGD is not.
  //   normalized: x <- x - eta sqrt(d) g / |g|, a step of eta per coordinate along the estimate, where eta (and the
  //   smoothing radius with it, mu_k = mu eta_k / learning_rate) is controlled by cumulative path length as in
  //   CMA-ES's step-size adaptation (Hansen and Ostermeier 2001): the path p <- (1 - c) p + sqrt(c (2 - c)) u_k of
  //   the unit-scale step directions u_k grows longer than a random walk's when successive steps agree (eta grows)
  //   and shorter when they cancel (eta shrinks): eta <- eta exp(c (|p| / E|N(0, I)| - 1)). No decay schedule to
  //   tune against the budget; lr_decay and mu_decay do not apply. When eta falls below restart_tolerance the
  //   iterate restarts at a random point of the cube with eta = learning_rate.
  Optimizer optimizer = Optimizer::kNormalized;
  // Step size in the unit cube per update (adam, sign_sgd; the initial eta of normalized); sgd multiplies the
  // gradient by it. > 0. Default 0.05 with "normalized", else 0.02.
  double learning_rate = 0.02;
  // normalized: rate c of the cumulative path, in (0, 1]. Default 0.3 (a sweep on Ackley 100-d: 0.04, CMA-ES's
  // value for one direction per step, adapted far too slowly for a few hundred steps; 0.2-0.4 were alike).
  double path_rate = 0.3;
  // normalized: restart threshold for eta (>= 0; 0 = never). Default 1e-3.
  double restart_tolerance = 1e-3;
  // normalized: on a restart, q is multiplied by this (>= 1; as IPOP grows an evolution strategy's population,
  // Auger and Hansen 2005): more directions per estimate average more of a rugged landscape away. Default 2.
  double restart_growth = 2.0;
  // Adam moment decay rates in [0, 1) and denominator guard > 0 (the paper's defaults).
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  // Step-size and smoothing schedules over update steps k: learning_rate / (1 + lr_decay k) and
  // mu / (1 + mu_decay k). >= 0; 0 keeps them constant.
  double lr_decay = 0.0;
  double mu_decay = 0.0;
  // "values" (reported objective values) or "rank" (ZO-RankSGD: only the client's rankings of each batch,
  // POST .../rank, drive the update).
  Feedback feedback = Feedback::kValues;
  // "none" or "linear": a FZooS-style trajectory surrogate. After each update the new iterate alone is queried; a
  // local linear fit to past queries within `surrogate_radius` then gives the next gradient when its standard
  // error is at most `surrogate_tolerance` times its norm, and a fresh estimate is queried otherwise.
  Surrogate surrogate = Surrogate::kNone;
  // Radius (unit cube, > 0) of the history used by the surrogate. Default 0 = 3 mu sqrt(d).
  double surrogate_radius = 0.0;
  // Accept the surrogate gradient when standard error <= tolerance * norm. > 0.
  double surrogate_tolerance = 0.5;
  // Most recent completed trials searched for surrogate points (>= 0; 0 = 10 (d + 1)).
  int surrogate_history = 0;
  // A failed or abandoned query is handed out again up to this many times, then dropped from its estimate
  // (0..10).
  int max_retries = 1;
  // First iterate: "auto" (the best completed trial when there is one, e.g. imported, else the centre),
  // "center" or "random".
  Start start = Start::kAuto;
  // Added to the minimized objective per unit of summed constraint violation (>= 0).
  double constraint_penalty = 1e3;

  // Checks ranges and combinations; `dim` is the number of parameters. Field names are "strategy.<key>".
  Status Validate(int dim) const;
};

// Parses config.strategy.options (unknown keys and wrong types are kInvalidArgument naming strategy.<key>) and
// validates the result.
StatusOr<ZoOptions> ParseZoOptions(const StudyConfig& config);

}  // namespace bayesd::zo

#endif  // BAYESD_SRC_STRATEGIES_ZO_OPTIONS_H_
