// Tests of the cbo strategy (src/strategies/cbo_strategy.h) through the Strategy interface, and of its dynamics.
#include "src/strategies/cbo_strategy.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "src/strategies/cbo_dynamics.h"
#include "tests/strategies/zo_test_harness.h"

namespace bayesd {
namespace {

using nlohmann::json;
using testing::BoxConfig;
using testing::Loop;

Loop MakeLoop(const StudyConfig& c) {
  EXPECT_TRUE(CboStrategyFactory().validate(c).ok()) << CboStrategyFactory().validate(c).ToString();
  return Loop(c, CboStrategyFactory().create(c));
}

// --- dynamics ---------------------------------------------------------------------------------------------------

TEST(CboDynamics, GibbsWeightsAreStableForHugeValuesAndAlpha) {
  const std::vector<std::optional<double>> f = {1e6, 1e6 + 1e-3, 1e6 + 5.0, std::nullopt, 2e6};
  for (double alpha : {1e-8, 1.0, 1e5, 1e12}) {
    const std::vector<double> w = cbo::GibbsWeights(f, alpha);
    double sum = 0.0;
    for (double wi : w) {
      EXPECT_TRUE(std::isfinite(wi)) << "alpha " << alpha;
      EXPECT_GE(wi, 0.0);
      sum += wi;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12) << "alpha " << alpha;
    EXPECT_EQ(w[3], 0.0) << "no value, no weight";
    EXPECT_GE(w[0], w[1]);
  }
  // Large alpha: all the weight on the best point; the consensus is that point.
  const std::vector<double> w = cbo::GibbsWeights(f, 1e8);
  EXPECT_NEAR(w[0], 1.0, 1e-12);
  const std::vector<std::vector<double>> x = {{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}, {0.7, 0.8}, {0.9, 1.0}};
  const std::vector<double> c = cbo::WeightedMean(x, w);
  EXPECT_NEAR(c[0], 0.1, 1e-12);
  EXPECT_NEAR(c[1], 0.2, 1e-12);
  // A naive exp(-alpha f) would be 0/0 here.
  const std::vector<double> equal = cbo::GibbsWeights({1e6, 1e6, 1e6, 1e6}, 1e5);
  for (double wi : equal) EXPECT_DOUBLE_EQ(wi, 0.25);
  EXPECT_EQ(cbo::GibbsWeights({std::nullopt, std::nullopt}, 1.0), (std::vector<double>{0.0, 0.0}));
}

TEST(CboDynamics, EssAlphaHitsTheTargetFraction) {
  std::vector<std::optional<double>> f;
  for (int i = 0; i < 50; ++i) f.push_back(1e6 + 0.01 * i * i);
  const double alpha = cbo::EssAlpha(f, 0.3, 1e-10, 1e8);
  EXPECT_NEAR(cbo::EffectiveSampleFraction(f, alpha), 0.3, 1e-3);
}

TEST(CboDynamics, StepContractsTowardTheConsensusWithoutNoise) {
  zo::Rng rng(1);
  std::vector<std::vector<double>> x = {{0.0, 1.0}, {1.0, 0.0}};
  cbo::StepParams p{1.0, 0.0, 0.5, cbo::Noise::kAnisotropic};
  cbo::Step({0.5, 0.5}, p, &rng, &x);
  EXPECT_DOUBLE_EQ(x[0][0], 0.25);
  EXPECT_DOUBLE_EQ(x[1][1], 0.25);
}

// --- strategy through the interface -----------------------------------------------------------------------------

TEST(CboStrategy, OneGenerationPerBatchThenAStep) {
  Loop loop = MakeLoop(BoxConfig(3, -1, 1, "cbo", {{"particles", 8}}));
  ASSERT_TRUE(loop.Ask(5).ok());
  ASSERT_TRUE(loop.Ask(3).ok());
  for (int64_t n = 0; n < 8; ++n) {
    EXPECT_EQ(json::parse(loop.trials()[n].diagnostics_json)["generation"], 0);
    loop.Tell(n, testing::Sphere(loop.trials()[n].params));
  }
  ASSERT_TRUE(loop.Ask(8).ok());
  EXPECT_EQ(loop.state().json["generation"], 1);
  EXPECT_EQ(json::parse(loop.trials()[8].diagnostics_json)["generation"], 1);
  EXPECT_FALSE(loop.state().json["consensus"].is_null());
}

TEST(CboStrategy, LargerAsksGetScouts) {
  Loop loop = MakeLoop(BoxConfig(3, -1, 1, "cbo", {{"particles", 4}}));
  auto numbers = loop.Ask(10);
  ASSERT_TRUE(numbers.ok());
  ASSERT_EQ(numbers->size(), 10u);
  std::set<std::vector<double>> distinct;
  for (const Trial& t : loop.trials()) distinct.insert(t.params);
  EXPECT_EQ(distinct.size(), 10u);
  EXPECT_EQ(json::parse(loop.trials()[9].diagnostics_json)["role"], "scout");
  for (int64_t n = 0; n < 10; ++n) loop.Tell(n, testing::Sphere(loop.trials()[n].params));
  ASSERT_TRUE(loop.Ask(4).ok());
  EXPECT_EQ(loop.state().json["batch"]["slots"].size(), 4u) << "scouts are not carried over";
}

double CboMedianBest(const testing::Fn& f, int d, double lo, double hi, const json& options, int budget) {
  std::vector<double> best;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Loop loop = MakeLoop(BoxConfig(d, lo, hi, "cbo", options, seed));
    best.push_back(loop.Run(f, budget, 20));
  }
  return testing::Median(best);
}

double RandomMedianBest(const testing::Fn& f, int d, double lo, double hi, int budget) {
  std::vector<double> best;
  for (uint64_t seed = 1; seed <= 3; ++seed) best.push_back(testing::RandomSearchBest(f, d, lo, hi, budget, seed));
  return testing::Median(best);
}

TEST(CboStrategy, ConvergesOnSphereFarBetterThanRandom) {
  const double cbo = CboMedianBest(testing::Sphere, 10, -5, 10, json::object(), 3000);
  const double rnd = RandomMedianBest(testing::Sphere, 10, -5, 10, 3000);
  EXPECT_LT(cbo, rnd / 100.0) << "cbo " << cbo << " random " << rnd;
}

TEST(CboStrategy, ConvergesOnRastrigin5dFarBetterThanRandom) {
  const double cbo = CboMedianBest(testing::Rastrigin, 5, -5.12, 5.12, json::object(), 3000);
  const double rnd = RandomMedianBest(testing::Rastrigin, 5, -5.12, 5.12, 3000);
  EXPECT_LT(cbo, rnd / 5.0) << "cbo " << cbo << " random " << rnd;
}

TEST(CboStrategy, MaximizeClimbs) {
  Loop loop = MakeLoop(BoxConfig(5, -5, 10, "cbo", json::object(), 1, Goal::kMaximize));
  EXPECT_LT(loop.Run(testing::Sphere, 2000, 20), 1.0);
}

void ExpectRestartInvariance(const StudyConfig& c) {
  const json state = testing::ExpectRestartInvariance(c, CboStrategyFactory(), /*leave_some_pending=*/false);
  EXPECT_GT(state["generation"].get<int>(), 3);
}

TEST(CboStrategy, RestartContinuesExactly) {
  ExpectRestartInvariance(BoxConfig(6, -5, 10, "cbo", {{"particles", 10}}));
  ExpectRestartInvariance(BoxConfig(6, -5, 10, "cbo", {{"particles", 10}, {"dynamics", "standard"}}));
  ExpectRestartInvariance(BoxConfig(6, -5, 10, "cbo",
                                    {{"particles", 10},
                                     {"dynamics", "standard"},
                                     {"noise", "isotropic"},
                                     {"alpha_schedule", "multiply"},
                                     {"restart_tolerance", 0.05}}));
  // hopping with swarm restarts (population growth) inside the run
  const json s = testing::ExpectRestartInvariance(
      BoxConfig(4, -1, 1, "cbo", {{"particles", 6}, {"restart_tolerance", 0.02}}), CboStrategyFactory(), false);
  EXPECT_GT(s["restarts"].get<int>(), 0);
  EXPECT_GT(s["population"].get<int>(), 6);
}

TEST(CboStrategy, CachedStateIsNotUsedForAStateItDidNotWriteLast) {
  testing::ExpectStaleStateIgnored(BoxConfig(6, -5, 10, "cbo", {{"particles", 10}}), CboStrategyFactory());
  testing::ExpectStaleStateIgnored(BoxConfig(6, -5, 10, "cbo", {{"particles", 10}, {"dynamics", "standard"}}),
                                   CboStrategyFactory());
}

TEST(CboStrategy, HoppingParticlesAreRegeneratedNotStoredExceptJitteredOnes) {
  Loop loop = MakeLoop(BoxConfig(30, -5, 10, "cbo", {{"particles", 20}}));
  ASSERT_TRUE(loop.Ask(25).ok());  // 20 particles and 5 scouts
  EXPECT_FALSE(testing::SomeSlotStoresItsPoint(loop.state().json));
  const StudyConfig small = testing::SmallIntConfig(2, 2, "cbo", {{"particles", 8}});
  Loop ints = MakeLoop(small);
  ASSERT_TRUE(ints.Ask(8).ok());
  EXPECT_TRUE(testing::SomeSlotStoresItsPoint(ints.state().json)) << ints.state().json["batch"].dump();
  testing::ExpectRestartInvariance(small, CboStrategyFactory(), /*leave_some_pending=*/false);
  // standard dynamics carry their particles: stored
  Loop standard = MakeLoop(BoxConfig(3, -1, 1, "cbo", {{"particles", 4}, {"dynamics", "standard"}}));
  ASSERT_TRUE(standard.Ask(4).ok());
  EXPECT_TRUE(standard.state().json["batch"]["slots"][0].contains("u"));
}

TEST(CboStrategy, HoppingSamplesMirroredPairsAroundTheConsensus) {
  Loop loop = MakeLoop(BoxConfig(5, 0, 1, "cbo", {{"particles", 6}, {"spread", 0.05}}));
  ASSERT_TRUE(loop.Ask(6).ok());
  for (int i = 0; i < 6; i += 2) {
    for (int j = 0; j < 5; ++j) {
      // x_i + x_{i+1} = 2 m with m the centre (nothing clipped at spread 0.05 around 0.5... almost surely)
      EXPECT_NEAR(loop.trials()[i].params[j] + loop.trials()[i + 1].params[j], 1.0, 1e-12);
    }
  }
}

TEST(CboStrategy, HoppingSpreadGrowsOnASlopeAndShrinksInABowl) {
  Loop slope = MakeLoop(BoxConfig(10, 0, 1, "cbo", {{"spread", 0.01}}));
  slope.Run([](const std::vector<double>& x) { return x[0] + x[1] + x[2]; }, 400, 20);
  EXPECT_GT(slope.state().json["spread"].get<double>(), 0.01);
  Loop bowl = MakeLoop(BoxConfig(10, -1, 1, "cbo", {{"restart_tolerance", 0}}));
  bowl.Run(testing::Sphere, 3000, 20);
  EXPECT_LT(bowl.state().json["spread"].get<double>(), 1e-3);
  auto rec = bowl.strategy()->Recommend({bowl.config(), bowl.trials()}, bowl.state());
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_LT(testing::Sphere((*rec)->params), 1e-4) << "the consensus is the minimizer";
}

TEST(CboStrategy, StandardDynamicsConvergeOnSphere) {
  const double cbo = CboMedianBest(testing::Sphere, 10, -5, 10, {{"dynamics", "standard"}}, 3000);
  const double rnd = RandomMedianBest(testing::Sphere, 10, -5, 10, 3000);
  EXPECT_LT(cbo, rnd / 100.0) << "cbo " << cbo << " random " << rnd;
}

TEST(CboStrategy, FailedParticlesAreDroppedFromTheConsensus) {
  Loop loop = MakeLoop(BoxConfig(2, -1, 1, "cbo", {{"particles", 4}}));
  ASSERT_TRUE(loop.Ask(4).ok());
  loop.Fail(0);
  loop.Abandon(1);
  loop.Tell(2, 1.0);
  loop.Tell(3, 2.0);
  ASSERT_TRUE(loop.Ask(4).ok());
  EXPECT_EQ(loop.state().json["generation"], 1) << "dropped evaluations do not block the generation";
  EXPECT_EQ(loop.state().json["stats"]["dropped"], 2);
}

TEST(CboStrategy, RetriesWhenConfigured) {
  Loop loop = MakeLoop(BoxConfig(2, -1, 1, "cbo", {{"particles", 3}, {"max_retries", 1}}));
  ASSERT_TRUE(loop.Ask(3).ok());
  loop.Fail(1);
  loop.Tell(0, 1.0);
  loop.Tell(2, 1.0);
  ASSERT_TRUE(loop.Ask(1).ok());
  EXPECT_EQ(loop.trials()[3].params, loop.trials()[1].params);
  EXPECT_EQ(loop.state().json["generation"], 0);
}

TEST(CboStrategy, DiscardedInfeasibleParticlesGetNoWeight) {
  StudyConfig c = BoxConfig(2, 0, 1, "cbo", {{"particles", 4}, {"constraints", "discard"}, {"alpha", 1e-9},
                                             {"alpha_schedule", "fixed"}, {"sigma", 0.0}, {"dynamics", "standard"}});
  c.constraints.push_back(ConstraintSpec{"g", ConstraintOp::kLessEqual, 0.0});
  Loop loop = MakeLoop(c);
  ASSERT_TRUE(loop.Ask(4).ok());
  for (int64_t n = 0; n < 4; ++n) {
    Trial& t = loop.mutable_trials()[n];
    t.state = TrialState::kCompleted;
    t.values = {{"f", 0.0}, {"g", n == 0 ? -1.0 : 1.0}};  // only particle 0 is feasible
    t.feasible = n == 0;
  }
  ASSERT_TRUE(loop.Ask(1).ok());
  // The consensus (recommended point) is the only feasible particle, however tiny alpha is.
  auto rec = loop.strategy()->Recommend({loop.config(), loop.trials()}, loop.state());
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_NEAR((*rec)->params[0], loop.trials()[0].params[0], 1e-9);
  EXPECT_NEAR((*rec)->params[1], loop.trials()[0].params[1], 1e-9);
}

// --- options ---------------------------------------------------------------------------------------------------

void ExpectRejected(const json& options, const std::string& field) {
  const Status s = CboStrategyFactory().validate(BoxConfig(4, 0, 1, "cbo", options));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << options.dump();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_NE(s.message().find(field), std::string::npos) << s.message();
}

TEST(CboOptions, BadOptionsAreRejectedNamingTheField) {
  ExpectRejected({{"particles", 1}}, "strategy.particles");
  ExpectRejected({{"particles", "many"}}, "strategy.particles");
  ExpectRejected({{"alpha", 0}}, "strategy.alpha");
  ExpectRejected({{"alpha", -2}}, "strategy.alpha");
  ExpectRejected({{"lambda", 0}}, "strategy.lambda");
  ExpectRejected({{"sigma", -1}}, "strategy.sigma");
  ExpectRejected({{"dt", 0}}, "strategy.dt");
  ExpectRejected({{"noise", "pink"}}, "strategy.noise");
  ExpectRejected({{"alpha_schedule", true}}, "strategy.alpha_schedule");
  ExpectRejected({{"ess_eta", 1.5}}, "strategy.ess_eta");
  ExpectRejected({{"constraints", "ignore"}}, "strategy.constraints");
  ExpectRejected({{"N", 20}}, "strategy.N");
  ExpectRejected({{"dynamics", "brownian"}}, "strategy.dynamics");
  ExpectRejected({{"spread", 0}}, "strategy.spread");
  ExpectRejected({{"spread", 2}}, "strategy.spread");
  ExpectRejected({{"path_rate", -0.1}}, "strategy.path_rate");
  ExpectRejected({{"restart_growth", 0.5}}, "strategy.restart_growth");
}

TEST(CboOptions, PerDynamicsDefaults) {
  auto parse = [](const json& o) { return *cbo::ParseCboOptions(BoxConfig(4, 0, 1, "cbo", o)); };
  EXPECT_EQ(parse(json::object()).dynamics, cbo::Dynamics::kHopping);
  EXPECT_EQ(parse(json::object()).ess_eta, 0.4);
  EXPECT_EQ(parse(json::object()).restart_tolerance, 1e-3);
  EXPECT_EQ(parse({{"dynamics", "standard"}}).ess_eta, 0.1);
  EXPECT_EQ(parse({{"dynamics", "standard"}}).restart_tolerance, 0.0);
  EXPECT_EQ(parse({{"dynamics", "standard"}, {"ess_eta", 0.3}}).ess_eta, 0.3);
}

TEST(CboOptions, DefaultsAndFullOptionSetAreAccepted) {
  EXPECT_TRUE(CboStrategyFactory().validate(BoxConfig(4, 0, 1, "cbo")).ok());
  const json all = {{"particles", 50},        {"alpha", 10},           {"alpha_schedule", "multiply"},
                    {"alpha_factor", 1.05},   {"alpha_max", 1e5},      {"ess_eta", 0.3},
                    {"lambda", 1},            {"sigma", 5.1},          {"noise", "isotropic"},
                    {"dt", 0.01},             {"sigma_decay", 0.99},   {"restart_tolerance", 1e-3},
                    {"constraints", "discard"}, {"constraint_penalty", 5}, {"max_retries", 1},
                    {"dynamics", "standard"}, {"spread", 0.2},       {"path_rate", 0.5},
                    {"restart_growth", 1.5}};
  const Status s = CboStrategyFactory().validate(BoxConfig(4, 0, 1, "cbo", all));
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace bayesd
