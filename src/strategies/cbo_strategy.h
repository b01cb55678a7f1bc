// The `cbo` strategy: consensus-based optimization (cbo_dynamics.h) behind the ask/tell API.
//
// Dynamics (option `dynamics`, cbo_options.h): "hopping" (default; every generation samples N particles afresh
// around the consensus, x_i = m + s z_i in mirrored pairs, and the consensus hops to the Gibbs-weighted mean; the
// spread s follows cumulative path-length control; a collapsed spread restarts with a grown population) or
// "standard" (the CBO SDE, one Euler-Maruyama step of the carried particles per generation).
//
// A generation is one batch of N particle positions. Asks hand out the open positions of the current generation;
// when every position is resolved (completed, or dropped after failures), the next ask computes the consensus
// point of that generation, moves the particles one CBO step (drift toward the consensus plus noise, clipped to the
// unit cube), applies the alpha schedule and the noise annealing, restarts a collapsed swarm when configured, and
// hands out the new positions.
//
// Asks for more points than remain open: the generation is extended by "scouts", Gaussian samples around the last
// consensus (uniform before the first one) with the swarm's current spread. Scouts enter that generation's
// consensus (they are evaluated points like any other) but are not carried to the next generation, so the swarm
// keeps N particles and the exactly-`count` contract of Strategy::Suggest holds.
//
// Failure rule: a failed or abandoned evaluation is handed out again up to `max_retries` times (default 0), then
// dropped: the particle gets weight 0 in that generation's consensus and still moves with the swarm.
//
// Maximize and minimize via config.objective.goal (the dynamics minimize the negated objective when maximizing).
// Composite objectives are computed from their outputs. Constraints: penalty, or infeasible particles discarded from
// the consensus (option `constraints`). Int and categorical parameters are relaxed coordinates of the unit cube.
// Studies with a fidelity are evaluated at the target fidelity.
//
// State (StrategyState::json), enough to continue exactly after a restart:
//   {"version": 1, "generation": k, "alpha": current alpha, "consensus": [d] | null,
//    "batch": {"id", "watermark", "slots": [{"u": [d], "trials": [numbers], "issued": bool}]}  (slots 0..N-1 are the
//    particles, further slots scouts), "extensions": n, "restarts": r, "stats": {...}, "seq": writes,
//    hopping only: "spread": s, "path": [d], "population": N (grows on restarts)}
// Random numbers come from counter-based streams keyed by (study seed, batch id, purpose).
//
// Cache: the object keeps the decoded state it wrote last and uses it when the state passed in carries the same
// sequence number and fingerprint (generation, consensus, batch id, watermark, last slot); otherwise (restart,
// another writer, an older state) the state is decoded.
//
// Thread safety: as Strategy (called under the study lock, which also guards the cache).
#ifndef BAYESD_SRC_STRATEGIES_CBO_STRATEGY_H_
#define BAYESD_SRC_STRATEGIES_CBO_STRATEGY_H_

#include "src/strategies/strategy.h"

namespace bayesd {

StrategyFactory CboStrategyFactory();

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_CBO_STRATEGY_H_
