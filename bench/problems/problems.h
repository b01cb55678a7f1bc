// Benchmark test problems: a C++ port of ../shared/problems/problems.json (16 problems) plus dimension-parameterized
// Ackley and Rastrigin.
//
// Conventions (the same as problems.json / problems.py):
//  - x is a point in raw units inside `bounds`, one coordinate per entry of `bounds` (`dim` of them). For problems
//    with a continuous fidelity parameter (augmented_branin, augmented_hartmann) the fidelity s is one coordinate of
//    x (ContinuousFidelity::index), exactly as in problems.json.
//  - Constraints: g_i(x) <= 0 is feasible for every i.
//  - `optimum` is the known best objective value as stated in problems.json (minimum when `minimize`, supremum
//    otherwise), at the target fidelity; `optimum_status` says how it is known ("source", "analytic",
//    "computed_here"). Regret is measured against it, never against literature values.
//  - Discrete multi-fidelity problems (forrester_mf, currin_mf): levels are indices 0..n-1, the last is the target;
//    Objective(x) is the target level's objective. Costs are copied from the file and are nullopt where the source
//    defines none (the harness substitutes a documented default; see bench/README.md).
//  - Composite problems: Objective(x) == Outer(Outputs(x)); `outer_expression` is the same outer function in muParser
//    syntax over output names y0..y{m-1}, for a study's composite objective expression.
//
// The tests in tests/problems/problems_test.cc check every problem against `problems.py eval` (fixture
// tests/fixtures/problems.json, made by scripts/make_problem_fixtures.py).
//
// Thread safety: Problems are immutable after construction; every method is const and thread-safe. AllProblems()
// and FindProblem() are thread-safe; returned pointers stay valid for the life of the process.
#ifndef BAYESD_BENCH_PROBLEMS_PROBLEMS_H_
#define BAYESD_BENCH_PROBLEMS_PROBLEMS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bayesd::bench {

using Vec = std::vector<double>;

// cost(s) = fixed + slope * s.
struct AffineCost {
  double fixed = 0.0;
  double slope = 1.0;
  double At(double s) const { return fixed + slope * s; }
};

// Discrete fidelity levels 0..n-1 (n = names.size()), ascending in accuracy; level n-1 is the target.
struct DiscreteFidelity {
  std::vector<std::string> names;            // "low", "high"
  std::vector<std::optional<double>> costs;  // per level; nullopt where the source defines no cost
  int target() const { return static_cast<int>(names.size()) - 1; }
};

// A continuous fidelity that is coordinate `index` of x, ranging over [low, high], target `target`.
struct ContinuousFidelity {
  int index = 0;
  double low = 0.0;
  double high = 1.0;
  double target = 1.0;
  std::optional<AffineCost> cost;  // nullopt where the source defines no cost model
  // A discrete variant from the source (augmented_hartmann: s in {0.5, 0.75, 1} with cost 0.25 + s); empty if none.
  std::vector<double> discrete_values;
  std::optional<AffineCost> discrete_cost;
};

struct Problem {
  std::string name;
  std::string category;  // "continuous", "constrained", "multi_fidelity", "composite", "high_dim"
  int dim = 0;           // number of coordinates of x (including a continuous fidelity coordinate)
  std::vector<std::pair<double, double>> bounds;  // dim entries, [low, high]
  std::vector<std::string> variables;             // optional coordinate names from the file (else empty)
  bool minimize = true;

  double optimum = 0.0;               // known best value at the target fidelity, as stated in problems.json
  Vec optimum_x;                      // where (dim coordinates)
  std::vector<Vec> optimum_all_x;     // every stated optimal location (includes optimum_x)
  double optimum_tolerance = 0.0;     // |Objective(optimum_x) - optimum| <= this, as stated
  std::string optimum_status;         // "source", "analytic", "computed_here"
  std::string source;                 // repository path or paper

  int num_constraints = 0;  // g_0..g_{k-1}, feasible when all <= 0
  int num_outputs = 0;      // composite problems: inner output dimension m (0 otherwise)
  std::string outer_expression;  // composite problems: outer(y) in muParser syntax over y0..y{m-1}
  std::optional<DiscreteFidelity> discrete_fidelity;
  std::optional<ContinuousFidelity> continuous_fidelity;

  // Implementations, set by the factories in problems.cc. Use the methods below.
  std::function<double(const Vec& x)> objective_fn;
  std::function<double(const Vec& x, int level)> level_fn;  // discrete fidelity problems
  std::function<Vec(const Vec& x)> constraints_fn;
  std::function<Vec(const Vec& x)> inner_fn;
  std::function<Vec(const Vec& x, int level)> level_inner_fn;  // composite problems with discrete levels
  std::function<double(const Vec& y)> outer_fn;

  // The objective at x (dim coordinates); the target level for discrete multi-fidelity problems.
  double Objective(const Vec& x) const { return objective_fn(x); }
  // Discrete multi-fidelity problems: the objective at level `level` (0..n-1). Others: Objective(x).
  double Objective(const Vec& x, int level) const;
  // g(x), num_constraints values; feasible when every one is <= 0.
  Vec Constraints(const Vec& x) const;
  bool Feasible(const Vec& x) const;
  // Composite problems: the inner (vector-valued) function, num_outputs values. Empty for other problems.
  Vec Outputs(const Vec& x) const;
  // Composite problems with discrete fidelity levels: the outputs at level `level`. Others: Outputs(x).
  Vec Outputs(const Vec& x, int level) const;
  // Composite problems: the outer function of the inner outputs. NaN for other problems.
  double Outer(const Vec& y) const;

  bool multi_fidelity() const { return discrete_fidelity.has_value() || continuous_fidelity.has_value(); }
  bool composite() const { return num_outputs > 0; }
  // Whether value a is better than b (a < b when minimizing).
  bool Better(double a, double b) const { return minimize ? a < b : a > b; }
  // Simple regret of a best-so-far value: >= 0 up to the optimum's tolerance (best - optimum when minimizing).
  double Regret(double best) const { return minimize ? best - optimum : optimum - best; }

  // The design space: x without a continuous fidelity coordinate (all of x for other problems).
  int DesignDim() const { return continuous_fidelity ? dim - 1 : dim; }
  std::vector<std::pair<double, double>> DesignBounds() const;
  // Inserts a continuous fidelity s into a design point (returns the design point unchanged for other problems).
  Vec FullX(const Vec& design, double s) const;
};

// The 16 problems of problems.json in file order, then ackley_5d and rastrigin_5d.
const std::vector<Problem>& AllProblems();

// A problem by name: any of AllProblems(), "ackley_<d>d" / "rastrigin_<d>d" for any d in 1..1000 (built on
// first use and kept), or "composite_mf" (MakeCompositeMf). nullptr when unknown.
const Problem* FindProblem(std::string_view name);

// Ackley (a=20, b=0.2, c=2 pi) on [-5, 10]^d (optimum 0 at the origin, off the box centre).
Problem MakeAckley(int d);
// Rastrigin (A=10) on [-5.12, 5.12]^d (optimum 0 at the origin).
Problem MakeRastrigin(int d);
// "composite_mf" (not in problems.json; docs/multifidelity.md): a composite of two two-level multi-fidelity outputs
// on [0, 1]^2 whose target-fidelity values must hit targets, minimize g = (y0 - t0)^2 + (y1 - t1)^2. y0 is
// currin_mf (low: the four-point average, cost 1; high cost 10); y1 is Branin on the unit square / 50, its low level
// augmented Branin at s = 0.5 (b = 5.1 / (4 pi^2) - 0.05) / 50. The targets are the high outputs at x* = (0.25,
// 0.3) (other intersections of the two level sets are optimal too), so the optimum is 0 ("analytic").
Problem MakeCompositeMf();

}  // namespace bayesd::bench

#endif  // BAYESD_BENCH_PROBLEMS_PROBLEMS_H_
