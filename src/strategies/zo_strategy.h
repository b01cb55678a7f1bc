// The `zo` strategy: zeroth-order gradient descent behind the ask/tell API.
//
// Each update step needs a batch of queries around the iterate x (see zo_estimators.h for the estimators and their
// papers); one ask hands out the whole batch so parallel workers evaluate it at once. Rules for asks of other sizes:
//  - fewer than the open points of the batch: the rest are handed out by the next asks;
//  - more: the batch is extended with further probes around x: extra random directions for the vector-wise
//    estimates (they enter the same estimate), extra ranked probes with ranking feedback, and for coordinate-wise
//    estimates and surrogate checks probes that only feed the history (best-so-far, surrogate). The Strategy
//    contract of exactly `count` points is kept.
//  - while every point of the batch is out (pending), a further ask extends the batch the same way.
// When every point of the batch is resolved the next ask applies the update (normalized steps with path-length
// control of their length, SGD, Adam or sign-SGD; projected onto the cube) and hands out the next batch.
//
// Failure rule: a failed or abandoned query is handed out again (as a new trial at the same point) up to
// `max_retries` times, then dropped; the estimate uses the surviving differences. With forward differences a dropped
// base point drops the whole estimate; a step without any usable difference is skipped (same iterate, fresh
// directions).
//
// Parameters are relaxed coordinates of the unit cube (src/study/space.h): int and categorical values are rounded
// by SearchSpace::FromUnit, so differences across a rounding boundary see a step, within one cell none. Studies with
// a fidelity are evaluated at the target fidelity. Composite objectives are computed from their outputs
// (ObjectiveValue); constraints enter as a penalty (option constraint_penalty).
//
// State (StrategyState::json), everything needed to continue exactly after a restart:
//   {"version": 1, "seq": writes, "step": k, "x": [d], "m": [d], "v": [d], "phase": "estimate" | "check",
//    "mu": batch mu, "batch": {"id", "watermark", "slots": [{"u": [d], "trials": [numbers], "issued": bool}]},
//    "extra_from": i, "extensions": n, "rankings": [[numbers best first]], "stats": {...},
//    "eta": step length, "path": [d]  (optimizer "normalized")}
// Random numbers come from counter-based streams keyed by (study seed, batch id, purpose), so no generator state
// beyond those counters exists.
//
// Cache: the object keeps the decoded state it wrote last and uses it instead of decoding when the state passed in
// carries the same sequence number and fingerprint (step, iterate, batch id, watermark, last slot); after a restart,
// or when another writer or an older state is passed in, the state is decoded. The persisted state alone determines
// the behaviour (tests: restart invariance, stale state).
//
// Thread safety: as Strategy (called under the study lock, which also guards the cache).
#ifndef BAYESD_SRC_STRATEGIES_ZO_STRATEGY_H_
#define BAYESD_SRC_STRATEGIES_ZO_STRATEGY_H_

#include "src/strategies/strategy.h"

namespace bayesd {

StrategyFactory ZoStrategyFactory();

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_ZO_STRATEGY_H_
