// Baselines: `random` (i.i.d. uniform in the unit cube of the search space) and `sobol` (a scrambled Sobol
// sequence from Boost.Random, randomized by a per-study digital shift).
//
// Both are stateless but for a draw counter kept in StrategyState ({"draws": n} / {"index": n}), so a restart
// continues the same sequence. Neither hands out a point equal to a pending trial's (it draws again).
#ifndef BAYESD_SRC_STRATEGIES_BASELINE_STRATEGIES_H_
#define BAYESD_SRC_STRATEGIES_BASELINE_STRATEGIES_H_

#include <cstdint>
#include <vector>

#include "src/strategies/strategy.h"

namespace bayesd {

StrategyFactory RandomStrategyFactory();
StrategyFactory SobolStrategyFactory();

// Points `first` .. `first + count - 1` of the digitally shifted Sobol sequence in [0,1)^dim, seeded by `seed`.
// Falls back to uniform random numbers for dimensions above Boost's table (3667).
std::vector<std::vector<double>> ScrambledSobolPoints(int dim, uint64_t seed, uint64_t first, int count);

}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_BASELINE_STRATEGIES_H_
