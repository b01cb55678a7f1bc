// The crash problems of bench/failures/crash_problems.json: NaN exactly inside the region and the
// base problem outside, an optimum outside the region that the base problem attains there, and a
// harness run that reports exactly the region's evaluations as failed trials through the service's
// fail path.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "bench/failures/failure_problems.h"
#include "bench/harness/in_process_client.h"
#include "bench/harness/runner.h"

namespace bayesd::bench {
namespace {

Vec UniformPoint(const Problem& p, std::mt19937_64* rng) {
  Vec x;
  for (const auto& [lo, hi] : p.bounds)
    x.push_back(std::uniform_real_distribution<double>(lo, hi)(*rng));
  return x;
}

TEST(CrashProblemsTest, EverySpecBuildsAndItsRegionIsNaN) {
  ASSERT_EQ(CrashSpecs().size(), 3u);
  ASSERT_EQ(AllCrashProblems().size(), CrashSpecs().size());
  std::mt19937_64 rng(11);
  for (size_t i = 0; i < CrashSpecs().size(); ++i) {
    const CrashSpec& spec = CrashSpecs()[i];
    const Problem& p = AllCrashProblems()[i];
    const Problem* base = FindProblem(spec.base);
    ASSERT_NE(base, nullptr) << spec.name;
    EXPECT_EQ(FindCrashProblem(spec.name), &p);
    EXPECT_EQ(p.category, "crash");
    EXPECT_EQ(p.optimum, base->optimum);
    for (const HalfSpace& h : spec.crash_if_any)
      EXPECT_EQ(static_cast<int>(h.a.size()), p.dim) << spec.name;
    // The optimum lies outside the region and the base problem attains it there.
    EXPECT_FALSE(InCrashRegion(spec, p.optimum_x)) << spec.name;
    EXPECT_NEAR(p.Objective(p.optimum_x), p.optimum, std::max(1e-6, 2 * base->optimum_tolerance))
        << spec.name;
    EXPECT_TRUE(p.Feasible(p.optimum_x) || std::abs(p.Constraints(p.optimum_x)[0]) < 1e-6)
        << spec.name;
    int crashed = 0;
    for (int k = 0; k < 2000; ++k) {
      const Vec x = UniformPoint(p, &rng);
      const bool in = InCrashRegion(spec, x);
      crashed += in;
      if (in) {
        EXPECT_TRUE(std::isnan(p.Objective(x)));
        for (double g : p.Constraints(x)) EXPECT_TRUE(std::isnan(g));
      } else {
        EXPECT_EQ(p.Objective(x), base->Objective(x));
        EXPECT_EQ(p.Constraints(x), base->Constraints(x));
      }
    }
    // Each region is a sizeable share of the box (documented as 35-50 %).
    EXPECT_GT(crashed, 600) << spec.name;
    EXPECT_LT(crashed, 1100) << spec.name;
  }
  EXPECT_EQ(FindCrashProblem("branin"), nullptr);
}

TEST(CrashProblemsTest, HarnessReportsTheRegionAsFailedTrials) {
  const Problem* p = FindCrashProblem("three_bar_truss_crash");
  ASSERT_NE(p, nullptr);
  const CrashSpec& spec = CrashSpecs()[2];
  ASSERT_EQ(spec.name, p->name);
  for (const char* strategy : {"sobol", "gp"}) {
    RunSpec rs;
    rs.strategy = strategy;
    rs.budget = 16;
    rs.seed = 4;
    rs.keep_diagnostics = true;
    if (std::string(strategy) == "gp") rs.options = {{"initial_trials", 6}};
    InProcessClient client;
    const nlohmann::json run = RunBenchmark(*p, rs, &client);
    ASSERT_EQ(run["status"], "ok") << run["error"];  // every fail call was accepted by the service
    int failed = 0;
    for (const auto& e : run["evaluations"]) {
      const bool in = InCrashRegion(spec, e["x"].get<Vec>());
      EXPECT_EQ(e["failed"].get<bool>(), in) << e.dump();
      EXPECT_EQ(e["value"].is_null(), in);
      failed += in;
    }
    EXPECT_EQ(run["evaluations"].size(), 16u);
    EXPECT_GT(failed, 0)
        << strategy;  // a space-filling design of 16 points hits a third of the square
    if (std::string(strategy) == "sobol") continue;
    // gp: the last suggestion's failure model saw the failed trials the harness reported before it.
    const auto& evals = run["evaluations"];
    int failed_before_last = failed - static_cast<int>(evals.back()["failed"].get<bool>());
    const auto& fm = evals.back()["diagnostics"]["failure_model"];
    ASSERT_TRUE(fm.is_object()) << evals.back()["diagnostics"].dump();
    EXPECT_EQ(fm["failed"].get<int>(), failed_before_last);
  }
}

}  // namespace
}  // namespace bayesd::bench
