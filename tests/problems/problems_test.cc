// Checks the C++ port of the benchmark problems against the reference implementation (problems.py eval, via the
// fixture tests/fixtures/problems.json made by scripts/make_problem_fixtures.py) and against each stated optimum.
#include "bench/problems/problems.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bayesd::bench {
namespace {

using nlohmann::json;

// Port vs NumPy: same formulas, possibly different summation order.
void ExpectClose(double expected, double actual, const std::string& what) {
  double tol = 1e-10 * std::max(1.0, std::abs(expected));
  EXPECT_NEAR(expected, actual, tol) << what;
}

json LoadFixture() {
  const char* root = std::getenv("BAYESD_SOURCE_DIR");
  std::string path = std::string(root ? root : ".") + "/tests/fixtures/problems.json";
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "cannot open " << path << " (set BAYESD_SOURCE_DIR to the repository root)";
  return in ? json::parse(in) : json::object();
}

std::string Describe(const std::string& name, const Vec& x) {
  std::string s = name + " at x = [";
  for (size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + std::to_string(x[i]);
  return s + "]";
}

TEST(ProblemsTest, MatchesReferenceImplementation) {
  json fixture = LoadFixture();
  ASSERT_TRUE(fixture.contains("cases"));
  std::set<std::string> covered;
  for (const json& c : fixture["cases"]) {
    const std::string name = c["problem"];
    const Problem* p = FindProblem(name);
    ASSERT_NE(p, nullptr) << name;
    covered.insert(name);
    Vec x = c["x"].get<Vec>();
    ASSERT_EQ(static_cast<int>(x.size()), p->dim) << name;
    const json& e = c["expect"];
    std::string where = Describe(name, x);
    ExpectClose(e["objective"].get<double>(), p->Objective(x), where + " objective");
    if (e.contains("constraints")) {
      Vec g = p->Constraints(x);
      ASSERT_EQ(g.size(), e["constraints"].size()) << where;
      for (size_t i = 0; i < g.size(); ++i) {
        ExpectClose(e["constraints"][i].get<double>(), g[i], where + " g" + std::to_string(i));
      }
    }
    if (e.contains("fidelities")) {
      ASSERT_TRUE(p->discrete_fidelity.has_value()) << name;
      ASSERT_EQ(e["fidelities"].size(), p->discrete_fidelity->names.size()) << name;
      for (const auto& [level, value] : e["fidelities"].items()) {
        ExpectClose(value.get<double>(), p->Objective(x, std::stoi(level)), where + " fidelity " + level);
      }
    }
    if (e.contains("inner")) {
      Vec y = p->Outputs(x);
      ASSERT_EQ(y.size(), e["inner"].size()) << where;
      for (size_t i = 0; i < y.size(); ++i) ExpectClose(e["inner"][i].get<double>(), y[i], where + " inner");
    }
  }
  for (const Problem& p : AllProblems()) EXPECT_TRUE(covered.count(p.name)) << p.name << " has no fixture cases";
}

TEST(ProblemsTest, SixteenProblemsFromTheFileInOrder) {
  const auto& all = AllProblems();
  ASSERT_GE(all.size(), 16u);
  EXPECT_EQ(all[0].name, "branin");
  EXPECT_EQ(all[15].name, "rastrigin_20d");
  for (const Problem& p : all) {
    EXPECT_EQ(static_cast<int>(p.bounds.size()), p.dim) << p.name;
    EXPECT_EQ(static_cast<int>(p.optimum_x.size()), p.dim) << p.name;
    EXPECT_EQ(static_cast<int>(p.Constraints(p.optimum_x).size()), p.num_constraints) << p.name;
    for (const auto& [lo, hi] : p.bounds) EXPECT_LT(lo, hi) << p.name;
  }
}

TEST(ProblemsTest, ObjectiveAtStatedOptimumEqualsStatedValue) {
  for (const Problem& p : AllProblems()) {
    for (const Vec& x : p.optimum_all_x) {
      EXPECT_NEAR(p.Objective(x), p.optimum, p.optimum_tolerance) << Describe(p.name, x);
      for (size_t i = 0; i < x.size(); ++i) {
        EXPECT_GE(x[i], p.bounds[i].first) << Describe(p.name, x);
        EXPECT_LE(x[i], p.bounds[i].second) << Describe(p.name, x);
      }
      // Stated optima are feasible up to the solver's precision (compression_spring: max g = 2.6e-11).
      for (double g : p.Constraints(x)) EXPECT_LE(g, 1e-9) << Describe(p.name, x);
    }
    EXPECT_NEAR(p.Regret(p.Objective(p.optimum_x)), 0.0, p.optimum_tolerance) << p.name;
  }
}

TEST(ProblemsTest, CompositeObjectiveIsOuterOfInner) {
  int composite = 0;
  for (const Problem& p : AllProblems()) {
    if (!p.composite()) {
      EXPECT_TRUE(p.Outputs(p.optimum_x).empty()) << p.name;
      continue;
    }
    ++composite;
    EXPECT_FALSE(p.outer_expression.empty()) << p.name;
    for (const Vec& x : {p.optimum_x, Vec(p.dim, p.bounds[0].first), Vec(p.dim, p.bounds[0].second)}) {
      Vec y = p.Outputs(x);
      ASSERT_EQ(static_cast<int>(y.size()), p.num_outputs) << p.name;
      ExpectClose(p.Objective(x), p.Outer(y), Describe(p.name, x));
    }
  }
  EXPECT_EQ(composite, 2);
}

TEST(ProblemsTest, FidelityDescriptions) {
  const Problem* currin = FindProblem("currin_mf");
  ASSERT_NE(currin, nullptr);
  EXPECT_FALSE(currin->minimize);
  ASSERT_TRUE(currin->discrete_fidelity.has_value());
  EXPECT_EQ(currin->discrete_fidelity->target(), 1);
  EXPECT_EQ(currin->discrete_fidelity->costs[0], 1.0);
  EXPECT_EQ(currin->discrete_fidelity->costs[1], 10.0);
  // The target level is the plain objective.
  EXPECT_EQ(currin->Objective({0.3, 0.4}, 1), currin->Objective({0.3, 0.4}));
  EXPECT_DOUBLE_EQ(currin->Regret(currin->optimum - 1.0), 1.0);  // maximize: regret = optimum - best

  const Problem* forrester = FindProblem("forrester_mf");
  ASSERT_NE(forrester, nullptr);
  EXPECT_FALSE(forrester->discrete_fidelity->costs[0].has_value());  // the source defines no costs

  const Problem* hartmann = FindProblem("augmented_hartmann");
  ASSERT_NE(hartmann, nullptr);
  ASSERT_TRUE(hartmann->continuous_fidelity.has_value());
  EXPECT_EQ(hartmann->continuous_fidelity->index, 6);
  EXPECT_EQ(hartmann->DesignDim(), 6);
  EXPECT_DOUBLE_EQ(hartmann->continuous_fidelity->cost->At(0.5), 5.5);
  Vec design(6, 0.25);
  Vec full = hartmann->FullX(design, 0.75);
  ASSERT_EQ(full.size(), 7u);
  EXPECT_EQ(full[6], 0.75);
  EXPECT_EQ(hartmann->DesignBounds().size(), 6u);
  // At s = target the augmented problem is the plain one.
  const Problem* h6 = FindProblem("hartmann6");
  EXPECT_DOUBLE_EQ(hartmann->Objective(hartmann->FullX(design, 1.0)), h6->Objective(design));

  const Problem* branin = FindProblem("augmented_branin");
  EXPECT_FALSE(branin->continuous_fidelity->cost.has_value());
  EXPECT_DOUBLE_EQ(branin->Objective({1.0, 2.0, 1.0}), FindProblem("branin")->Objective({1.0, 2.0}));
}

TEST(ProblemsTest, GenericDimensions) {
  const Problem* a = FindProblem("ackley_7d");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->dim, 7);
  EXPECT_EQ(a->bounds[3].first, -5.0);
  EXPECT_EQ(a->bounds[3].second, 10.0);
  EXPECT_NEAR(a->Objective(Vec(7, 0.0)), 0.0, 1e-12);
  EXPECT_GT(a->Objective(Vec(7, 2.5)), 1.0);  // the box centre is not optimal
  EXPECT_EQ(FindProblem("ackley_7d"), a);     // cached
  const Problem* r = FindProblem("rastrigin_3d");
  ASSERT_NE(r, nullptr);
  EXPECT_NEAR(r->Objective({1.0, 0.0, 0.0}), 1.0, 1e-12);
  EXPECT_EQ(FindProblem("rastrigin_20d")->dim, 20);
  EXPECT_EQ(FindProblem("ackley_0d"), nullptr);
  EXPECT_EQ(FindProblem("ackley_d"), nullptr);
  EXPECT_EQ(FindProblem("ackley_05d"), nullptr);
  EXPECT_EQ(FindProblem("nope"), nullptr);
}

}  // namespace
}  // namespace bayesd::bench
