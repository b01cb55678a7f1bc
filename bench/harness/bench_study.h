// How a benchmark problem becomes a bayesd study, and how a suggested trial is evaluated and reported.
//
// The study is described in the public API's JSON (../shared/API.md), exactly what a REST client would POST:
//  - parameters x0..x{d-1}: floats over the problem's design bounds (a continuous fidelity coordinate excluded);
//  - objective "f" (goal from the problem), or for composite problems outputs y0..y{m-1} with the problem's outer
//    function as the objective expression (the model is fitted to the outputs);
//  - constraints c0..c{k-1}, each {"op": "<=", "bound": 0} (the problems' g(x) <= 0 convention);
//  - fidelity: discrete problems get levels 0..n-1 (the problem's level indices) with their costs; continuous ones
//    the range [max(low, kMinContinuousFidelity), high] with a linear cost model plus fixed cost.
// Costs the source leaves undefined get a bench default (recorded as cost_source "bench_default"): 10^level for
// discrete levels (currin_mf's convention), 5 + s for a continuous fidelity (BoTorch's multi-fidelity tutorial).
//
// Thread safety: plain values and pure functions.
#ifndef BAYESD_BENCH_HARNESS_BENCH_STUDY_H_
#define BAYESD_BENCH_HARNESS_BENCH_STUDY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/problems/problems.h"

namespace bayesd::bench {

// bayesd needs a continuous fidelity's low end > 0 (costs scale with it); problems whose range starts at 0 are
// benchmarked on [kMinContinuousFidelity, high].
inline constexpr double kMinContinuousFidelity = 0.01;

// The fidelity of a study as benchmarked.
struct FidelitySetup {
  bool discrete = false;
  std::vector<double> levels;  // discrete: ascending, last = target
  std::vector<double> costs;   // discrete: one per level
  double low = 0.0, high = 1.0;  // continuous range
  AffineCost cost;               // continuous: cost(s) = fixed + slope * s
  std::string cost_source;       // "problems.json" or "bench_default"

  double target() const { return discrete ? levels.back() : high; }
  double Cost(double fidelity) const;
  nlohmann::json ToJson() const;  // as recorded in the run file
};

struct BenchStudy {
  const Problem* problem = nullptr;
  std::vector<std::string> params;       // x0.. (design coordinates)
  std::vector<std::string> outputs;      // composite: y0..; else empty
  std::vector<std::string> constraints;  // c0..
  std::optional<FidelitySetup> fidelity;
  // false: single-fidelity baseline of a multi-fidelity problem -- the study has no fidelity, every evaluation is
  // at the target and charged the target's cost (--target-only).
  bool fidelity_in_study = true;
};

// `discrete_variant`: benchmark a continuous fidelity through the source's discrete variant (augmented_hartmann:
// s in {0.5, 0.75, 1}, cost 0.25 + s); ignored for problems without one.
BenchStudy MakeBenchStudy(const Problem& problem, bool discrete_variant);

// The create-study body of the public API for this study.
nlohmann::json CreateStudyBody(const BenchStudy& study, const std::string& name, const std::string& strategy,
                               const nlohmann::json& options, uint64_t seed);

// One evaluation of a suggested point, ready to report.
struct Outcome {
  std::map<std::string, double> values;  // what the client reports: f (or y0..) and c0..
  std::optional<double> cost;            // reported cost (multi-fidelity studies only)
  double cost_charged = 1.0;             // cost counted by the benchmark (1 per evaluation without fidelity)
  double value = 0.0;                    // objective at the evaluated fidelity
  double target_value = 0.0;             // objective at the target fidelity at the same design point
  std::vector<double> constraint_values;
  bool feasible = true;
  bool at_target = true;                 // evaluated at the target fidelity
  bool finite = true;                    // every reported value is finite (else the trial is failed)
};

// `design`: raw parameter values in study order; `fidelity` as suggested (required iff the study has one).
Outcome Evaluate(const BenchStudy& study, const std::vector<double>& design, std::optional<double> fidelity);

}  // namespace bayesd::bench

#endif  // BAYESD_BENCH_HARNESS_BENCH_STUDY_H_
