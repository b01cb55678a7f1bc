// One benchmark run: a (problem, strategy, seed) study driven through a StudyClient until its evaluation or cost
// budget is spent, recorded per evaluation.
//
// Run file (one JSON object, "format": "bayesd-bench/1"), written to <out>/<problem>/<label>/seed_<seed>.json:
//   problem, category, dim, minimize, optimum, optimum_status, strategy, options, label, seed, batch, mode,
//   budget {evaluations, cost}, fidelity (null or FidelitySetup::ToJson), status ("ok" | "error"), error,
//   evaluations: [{i, trial, call, x, fidelity, at_target, value, target_value, constraints, feasible, cost,
//                  cum_cost, best, regret, suggest_ms, failed}],
//   final {evaluations, cum_cost, best, regret, suggest_ms_median, suggest_ms_total, wall_s}.
// `best` is the best-so-far objective over feasible evaluations at the target fidelity (null before the first),
// `regret` = best - optimum when minimizing, optimum - best when maximizing. `suggest_ms` is the wall time of the
// suggest call that produced the trial (a batch shares it). `value` is at the evaluated fidelity; `target_value` is
// the objective at the target fidelity at the same x (for analysis only; never reported to the study).
//
// Thread safety: RunBenchmark is reentrant; run different seeds on different threads with their own clients.
#ifndef BAYESD_BENCH_HARNESS_RUNNER_H_
#define BAYESD_BENCH_HARNESS_RUNNER_H_

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/harness/client.h"
#include "bench/problems/problems.h"

namespace bayesd::bench {

struct RunSpec {
  std::string strategy;                                    // registered strategy name
  nlohmann::json options = nlohmann::json::object();       // strategy options (keys beside "name")
  std::string label;                                       // series name in reports (default: strategy)
  uint64_t seed = 0;                                       // the study's seed
  int budget = 50;                                         // evaluations (>= 1)
  std::optional<double> cost_budget;                       // stop once the cumulative cost reaches this
  int batch = 1;                                           // suggestions per suggest call (>= 1)
  bool discrete_variant = false;                           // see MakeBenchStudy
  bool target_only = false;                                // see BenchStudy::fidelity_in_study
  bool keep_diagnostics = false;                           // copy each trial's diagnostics into the run file
  std::string mode = "in_process";                         // recorded: "in_process" or "http"
  std::string name_suffix;                                 // appended to the study name (HTTP: uniqueness)
};

// Runs one study to its budget. Never throws; failures are recorded in the result's "status"/"error".
nlohmann::json RunBenchmark(const Problem& problem, const RunSpec& spec, StudyClient* client);

// <out>/<problem>/<label>/seed_<seed>.json; creates directories. Returns the path, or an error.
StatusOr<std::string> WriteRun(const std::string& out_dir, const nlohmann::json& run);

// A label usable in file and study names: [A-Za-z0-9._-], other characters replaced by '_'.
std::string SafeLabel(const std::string& label);

}  // namespace bayesd::bench

#endif  // BAYESD_BENCH_HARNESS_RUNNER_H_
