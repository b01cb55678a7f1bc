// The harness's mapping from benchmark problems to studies (bench/harness/bench_study.h) against the real config
// parser and service: every problem's create body must be accepted as a REST client would send it, composite outer
// expressions must reproduce the problems' objectives through bayesd's own composite evaluator, and a short run
// through the in-process StudyService must record consistent best-so-far and regret.
#include "bench/harness/bench_study.h"

#include <cmath>

#include <gtest/gtest.h>

#include "bench/harness/in_process_client.h"
#include "bench/harness/runner.h"
#include "bench/problems/problems.h"
#include "src/study/composite.h"
#include "src/study/config_json.h"

namespace bayesd::bench {
namespace {

TEST(BenchStudyTest, EveryProblemBodyParses) {
  for (const Problem& p : AllProblems()) {
    BenchStudy study = MakeBenchStudy(p, /*discrete_variant=*/false);
    auto config = ParseStudyConfig(CreateStudyBody(study, "bench-" + p.name, "random", {}, 7));
    ASSERT_TRUE(config.ok()) << p.name << ": " << config.status().ToString();
    EXPECT_EQ(static_cast<int>(config->parameters.size()), p.DesignDim()) << p.name;
    EXPECT_EQ(static_cast<int>(config->constraints.size()), p.num_constraints) << p.name;
    EXPECT_EQ(static_cast<int>(config->outputs.size()), p.num_outputs) << p.name;
    EXPECT_EQ(config->fidelity.has_value(), p.multi_fidelity()) << p.name;
    EXPECT_EQ(config->objective.goal == Goal::kMinimize, p.minimize) << p.name;
    EXPECT_EQ(config->seed, 7u) << p.name;
  }
}

TEST(BenchStudyTest, OuterExpressionMatchesObjective) {
  for (const Problem& p : AllProblems()) {
    if (!p.composite()) continue;
    auto config = ParseStudyConfig(CreateStudyBody(MakeBenchStudy(p, false), "c", "random", {}, 0));
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto composite = CompositeObjective::Create(config->objective, config->outputs);
    ASSERT_TRUE(composite.ok()) << composite.status().ToString();
    for (const Vec& x : {p.optimum_x, Vec(p.dim, p.bounds[0].first), Vec(p.dim, 0.3 * p.bounds[0].second)}) {
      double want = p.Objective(x);
      EXPECT_NEAR((*composite)->Evaluate(p.Outputs(x)), want, 1e-9 * std::max(1.0, std::abs(want))) << p.name;
    }
  }
}

TEST(BenchStudyTest, EvaluateChargesFidelityCosts) {
  const Problem* currin = FindProblem("currin_mf");
  BenchStudy s = MakeBenchStudy(*currin, false);
  ASSERT_TRUE(s.fidelity.has_value());
  Outcome low = Evaluate(s, {0.3, 0.4}, 0.0);
  EXPECT_EQ(low.cost, 1.0);
  EXPECT_FALSE(low.at_target);
  EXPECT_DOUBLE_EQ(low.value, currin->Objective({0.3, 0.4}, 0));
  EXPECT_DOUBLE_EQ(low.target_value, currin->Objective({0.3, 0.4}));
  Outcome high = Evaluate(s, {0.3, 0.4}, 1.0);
  EXPECT_EQ(high.cost, 10.0);
  EXPECT_TRUE(high.at_target);
  EXPECT_EQ(high.values.at("f"), high.value);

  const Problem* forrester = FindProblem("forrester_mf");
  EXPECT_EQ(MakeBenchStudy(*forrester, false).fidelity->cost_source, "bench_default");

  const Problem* hartmann = FindProblem("augmented_hartmann");
  BenchStudy h = MakeBenchStudy(*hartmann, false);
  EXPECT_FALSE(h.fidelity->discrete);
  EXPECT_DOUBLE_EQ(h.fidelity->low, kMinContinuousFidelity);
  Outcome o = Evaluate(h, Vec(6, 0.3), 0.5);
  EXPECT_DOUBLE_EQ(*o.cost, 5.5);
  EXPECT_DOUBLE_EQ(o.value, hartmann->Objective(hartmann->FullX(Vec(6, 0.3), 0.5)));
  BenchStudy hd = MakeBenchStudy(*hartmann, /*discrete_variant=*/true);
  ASSERT_TRUE(hd.fidelity->discrete);
  EXPECT_DOUBLE_EQ(hd.fidelity->Cost(0.75), 1.0);
}

// composite_mf (docs/multifidelity.md): outputs reported at the evaluated level, the target composite through
// bayesd's own evaluator of the outer expression, optimum 0 at x*.
TEST(BenchStudyTest, CompositeMultiFidelityOutputsAtTheEvaluatedLevel) {
  const Problem* p = FindProblem("composite_mf");
  ASSERT_NE(p, nullptr);
  BenchStudy s = MakeBenchStudy(*p, false);
  auto config = ParseStudyConfig(CreateStudyBody(s, "c", "gp", {}, 0));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(config->fidelity.has_value());
  auto composite = CompositeObjective::Create(config->objective, config->outputs);
  ASSERT_TRUE(composite.ok()) << composite.status().ToString();
  EXPECT_NEAR(p->Objective(p->optimum_x), 0.0, 1e-12);
  EXPECT_NEAR((*composite)->Evaluate(p->Outputs(p->optimum_x)), 0.0, 1e-9);
  const Vec x = {0.6, 0.45};
  const Outcome low = Evaluate(s, x, 0.0), high = Evaluate(s, x, 1.0);
  EXPECT_EQ(low.cost, 1.0);
  EXPECT_EQ(high.cost, 10.0);
  EXPECT_FALSE(low.at_target);
  EXPECT_TRUE(high.at_target);
  EXPECT_DOUBLE_EQ(low.values.at("y0"), FindProblem("currin_mf")->Objective(x, 0));
  EXPECT_DOUBLE_EQ(high.values.at("y0"), FindProblem("currin_mf")->Objective(x, 1));
  EXPECT_NE(low.values.at("y1"), high.values.at("y1"));
  EXPECT_DOUBLE_EQ(low.target_value, p->Objective(x));
  EXPECT_DOUBLE_EQ(low.value, p->Objective(x, 0));
  EXPECT_NEAR((*composite)->Evaluate(p->Outputs(x, 0)), low.value, 1e-9 * std::max(1.0, low.value));
  EXPECT_NEAR((*composite)->Evaluate(Vec{high.values.at("y0"), high.values.at("y1")}), high.value, 1e-9 * high.value);
}

TEST(BenchStudyTest, ConstraintsReportedAsOutcomes) {
  const Problem* p = FindProblem("gkxwc1");
  Outcome o = Evaluate(MakeBenchStudy(*p, false), {3.0, 3.0}, std::nullopt);
  ASSERT_EQ(o.values.count("c0"), 1u);
  EXPECT_EQ(o.feasible, o.values.at("c0") <= 0);
  EXPECT_EQ(o.feasible, p->Feasible({3.0, 3.0}));
}

TEST(BenchStudyTest, InProcessRunRecordsBestAndRegret) {
  const Problem* p = FindProblem("gkxwc1");
  RunSpec spec;
  spec.strategy = "random";
  spec.budget = 12;
  spec.batch = 5;  // 5 + 5 + 2
  spec.seed = 3;
  InProcessClient client;
  nlohmann::json run = RunBenchmark(*p, spec, &client);
  ASSERT_EQ(run["status"], "ok") << run["error"];
  const auto& evals = run["evaluations"];
  ASSERT_EQ(evals.size(), 12u);
  EXPECT_EQ(evals[11]["call"], 2);
  std::optional<double> best;
  for (const auto& e : evals) {
    if (e["feasible"].get<bool>() && (!best || e["value"].get<double>() < *best)) best = e["value"].get<double>();
    if (best) {
      EXPECT_DOUBLE_EQ(e["best"].get<double>(), *best);
      EXPECT_DOUBLE_EQ(e["regret"].get<double>(), *best - p->optimum);
    } else {
      EXPECT_TRUE(e["best"].is_null());
    }
  }
  EXPECT_EQ(run["final"]["evaluations"], 12);
  EXPECT_DOUBLE_EQ(run["final"]["cum_cost"].get<double>(), 12.0);
}

TEST(BenchStudyTest, RefusedStudyIsRecordedAsError) {
  RunSpec spec;
  spec.strategy = "no_such_strategy";
  InProcessClient client;
  nlohmann::json run = RunBenchmark(*FindProblem("branin"), spec, &client);
  EXPECT_EQ(run["status"], "error");
  EXPECT_TRUE(run["evaluations"].empty());
}

}  // namespace
}  // namespace bayesd::bench
