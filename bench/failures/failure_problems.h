// Failed-trial benchmark problems: problems of bench/problems with a hidden crash region. An
// evaluation inside the region fails -- as a crashed simulation would: no objective, no constraint
// values -- and the harness reports it to the study as a failed trial (the API's fail path).
// Outside the region the problem is unchanged.
//
// The definitions live in bench/failures/crash_problems.json (shared with
// bench/failures/problems.py, the Python side used for the Optuna baseline): a region is a union of
// half-spaces a.x > b over the raw coordinates; the optimum is the base problem's optimum outside
// the region (`optimum_x`; its value is the base optimum).
//
// Thread safety: immutable after construction; AllCrashProblems() and FindCrashProblem() are
// thread-safe and the returned pointers stay valid for the life of the process.
#ifndef BAYESD_BENCH_FAILURES_FAILURE_PROBLEMS_H_
#define BAYESD_BENCH_FAILURES_FAILURE_PROBLEMS_H_

#include <string>
#include <string_view>
#include <vector>

#include "bench/problems/problems.h"

namespace bayesd::bench {

// Crash when a . x > b (x in the base problem's raw coordinates).
struct HalfSpace {
  Vec a;
  double b = 0.0;
};

struct CrashSpec {
  std::string name;  // "branin_crash"
  std::string base;  // a name FindProblem knows
  int budget = 50;   // evaluations per run in bench/failures/run.sh
  std::vector<HalfSpace> crash_if_any;
  Vec optimum_x;  // the base optimum's location outside the region
};

// The specs of crash_problems.json, in file order.
const std::vector<CrashSpec>& CrashSpecs();

// Whether x lies in the spec's crash region.
bool InCrashRegion(const CrashSpec& spec, const Vec& x);

// The base problem with objective, constraints and outputs NaN inside the region (so the harness
// fails the trial), category "crash", optimum at spec.optimum_x.
Problem MakeCrashProblem(const CrashSpec& spec, const Problem& base);

// Every crash problem, in file order.
const std::vector<Problem>& AllCrashProblems();

// A crash problem by name; nullptr when unknown.
const Problem* FindCrashProblem(std::string_view name);

}  // namespace bayesd::bench

#endif  // BAYESD_BENCH_FAILURES_FAILURE_PROBLEMS_H_
