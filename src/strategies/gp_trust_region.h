// A TuRBO-style trust region for the `gp` strategy (Eriksson et al. 2019, "Scalable global optimization via local
// Bayesian optimization", TuRBO-1 with batch size 1), kept stateless: the side length is *replayed* from the
// completed trials in trial order every time it is needed, so it needs no strategy state, survives a daemon
// restart and is the same in Suggest and in a test.
//
// Replay: after the initial design the length starts at `length_init`; each later observation is a success when it
// improves the best value so far by more than `improvement` * |best| (TuRBO's 1e-3 rule), else a failure.
// `success_tolerance` successes in a row double the length (capped at `length_max`), `failure_tolerance` failures in
// a row halve it. Restarts: with `restart_length` > 0 (the gp strategy's default), a side below it means the region
// is spent -- a new *segment* begins with the next observation, with side `segment_length_init`, successes counted
// against the segment's own best; the caller centres the new region at the segment's best point, or before it has
// one at a seed (gp strategy: the best observed point outside every spent region; its explore picks, and on request
// its segment picks, penalize the spent regions' centres, acquisition/penalty.h). This is TuRBO's restart, except
// that the GP keeps all the data and the restart starts from the data's next-best basin instead of a fresh design
// (docs/bo.md). Without
// `restart_length` the legacy rule applies: below `length_min` the side is reset to `length_init` around the global
// incumbent. Lengths are in unit-cube coordinates: the region is the box of side `length` (per coordinate, clipped
// to [0, 1]) centred at the incumbent (or segment centre).
//
// Resuming (`resume_side` > 0): a restarted segment that is spent without having beaten the global best it started
// against -- the search found nothing better elsewhere -- is followed by a *resumed* segment: the region of the global
// incumbent again, at side `resume_side` (below the restart length: it goes on where the incumbent's region was cut
// off), successes counted against the global best; it is spent when its side falls below resume_side /
// 2^resume_halvings (with the default 2: at its third halving), and the next segment is a fresh restart again. So the
// budget alternates between looking for a better basin and refining the best one, instead of leaving the best basin
// at the precision it had when its region was first spent. Behind progress (`behind_progress` > 0): while a
// restarted segment's best is below the global best, a success must also improve it by that share of the gap to the
// global best, so a segment slowly climbing a worse basin halves and is spent (and, with resuming, the incumbent's
// region gets the budget back). While a segment is resumed, spent_best does not list the incumbent; when it is spent,
// its best (the incumbent, improved or not) is listed again. Measured in docs/bo.md (2026-12-02, later).
//
// Thread safety: pure functions.
#ifndef BAYESD_SRC_STRATEGIES_GP_TRUST_REGION_H_
#define BAYESD_SRC_STRATEGIES_GP_TRUST_REGION_H_

#include <vector>

namespace bayesd {

struct TrustRegionOptions {
  double length_init = 0.8;
  double length_min = 0.0078125;  // 0.5^7
  double length_max = 1.6;
  int success_tolerance = 3;
  int failure_tolerance = 0;      // 0: TuRBO's max(4, d)
  double improvement = 1e-3;      // relative improvement that counts as a success
  // > 0: restarts in segments (above). 0: the legacy rule.
  double restart_length = 0;
  double segment_length_init = 0;  // side of a restarted segment (0: length_init); must exceed restart_length
  // > 0 (with restart_length > 0): resumed segments (above) at this side, spent below resume_side / 2^resume_halvings.
  double resume_side = 0;
  int resume_halvings = 2;
  // > 0: in a restarted segment behind the global best, a success must also close this share of the gap to it.
  double behind_progress = 0;
};

struct TrustRegionState {
  double length = 0;
  int successes = 0;   // consecutive, at the end of the replay
  int failures = 0;    // consecutive, at the end of the replay
  int restarts = 0;    // times the region was spent (restart_length) or reset (length_min)
  int observations = 0;  // observations replayed after the initial design
  // First index (into y) of the current segment: `initial` for the first one (which also sees the initial design);
  // with restart_length > 0, the index after the observation that spent the previous region.
  int segment_start = 0;
  // Per spent segment (restart_length > 0), the index of its best observation: the centre it converged to.
  std::vector<int> spent_best;
  // The current segment refines the global incumbent again (resume_side > 0, above).
  bool resumed = false;
  // The current segment is a restarted one (not the first, not resumed) whose best has not beaten the global best
  // at its start.
  bool behind = false;
  int incumbent = -1;  // index of the global best observation (-1: none)
};

// `y`: the observed objective in trial order, oriented so that larger is better (non-finite entries are failures
// that do not move the best); the first `initial` entries are the initial design; `d`: number of parameters.
TrustRegionState ReplayTrustRegion(const std::vector<double>& y, int initial, int d, const TrustRegionOptions& options);

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_GP_TRUST_REGION_H_
