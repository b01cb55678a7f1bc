// Tests of the zo strategy (src/strategies/zo_strategy.h) through the Strategy interface, and of its estimators.
#include "src/strategies/zo_strategy.h"

#include <cmath>
#include <cstdlib>
#include <numbers>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "src/strategies/zo_estimators.h"
#include "src/strategies/zo_options.h"
#include "tests/strategies/zo_test_harness.h"

namespace bayesd {
namespace {

using nlohmann::json;
using testing::BoxConfig;
using testing::Loop;

Loop MakeLoop(const StudyConfig& c) {
  EXPECT_TRUE(ZoStrategyFactory().validate(c).ok()) << ZoStrategyFactory().validate(c).ToString();
  return Loop(c, ZoStrategyFactory().create(c));
}

// --- estimators ---------------------------------------------------------------------------------------------

// f(u) = sum_j a_j (u_j - c_j)^2 in the unit cube; its gradient at x.
struct Quadratic {
  std::vector<double> a, c;
  double operator()(const std::vector<double>& u) const {
    double s = 0.0;
    for (size_t j = 0; j < u.size(); ++j) s += a[j] * (u[j] - c[j]) * (u[j] - c[j]);
    return s;
  }
  std::vector<double> Gradient(const std::vector<double>& x) const {
    std::vector<double> g(x.size());
    for (size_t j = 0; j < x.size(); ++j) g[j] = 2.0 * a[j] * (x[j] - c[j]);
    return g;
  }
};

std::vector<double> MeanEstimate(const Quadratic& f, const std::vector<double>& x, const zo::ProbeSpec& spec,
                                 int q, int repeats) {
  zo::Rng rng(42);
  std::vector<double> mean(x.size(), 0.0);
  std::vector<int> coords;
  for (size_t j = 0; j < x.size(); ++j) coords.push_back(static_cast<int>(j));
  for (int r = 0; r < repeats; ++r) {
    std::vector<zo::Query> queries;
    if (spec.differences == zo::Differences::kForward) queries.push_back({x, f(x)});
    for (auto& p : zo::MakeProbes(x, spec, q, coords, &rng)) queries.push_back({p, f(p)});
    const zo::Estimate e = zo::EstimateFromValues(x, spec, queries);
    EXPECT_GT(e.terms, 0);
    for (size_t j = 0; j < x.size(); ++j) mean[j] += e.gradient[j] / repeats;
  }
  return mean;
}

class EstimatorTest : public ::testing::TestWithParam<std::pair<zo::Directions, zo::Differences>> {};

TEST_P(EstimatorTest, AverageOfEstimatesIsTheGradientOnAQuadratic) {
  const Quadratic f{{1.0, 3.0, 0.5, 2.0, 1.5}, {0.2, 0.7, 0.4, 0.9, 0.1}};
  const std::vector<double> x = {0.5, 0.4, 0.6, 0.5, 0.5};
  zo::ProbeSpec spec;
  spec.directions = GetParam().first;
  spec.differences = GetParam().second;
  spec.mu = 0.01;
  const std::vector<double> mean = MeanEstimate(f, x, spec, 4, 20000);
  const std::vector<double> truth = f.Gradient(x);
  double err = 0.0, norm = 0.0;
  for (size_t j = 0; j < x.size(); ++j) {
    err += (mean[j] - truth[j]) * (mean[j] - truth[j]);
    norm += truth[j] * truth[j];
  }
  EXPECT_LT(std::sqrt(err / norm), 0.03) << "relative error of the averaged estimate";
}

INSTANTIATE_TEST_SUITE_P(
    AllEstimators, EstimatorTest,
    ::testing::Values(std::make_pair(zo::Directions::kGaussian, zo::Differences::kForward),
                      std::make_pair(zo::Directions::kGaussian, zo::Differences::kCentral),
                      std::make_pair(zo::Directions::kSphere, zo::Differences::kForward),
                      std::make_pair(zo::Directions::kGaussian, zo::Differences::kMean),
                      std::make_pair(zo::Directions::kSphere, zo::Differences::kCentral),
                      std::make_pair(zo::Directions::kSphere, zo::Differences::kMean),
                      std::make_pair(zo::Directions::kCoordinate, zo::Differences::kForward),
                      std::make_pair(zo::Directions::kCoordinate, zo::Differences::kCentral)));

TEST(ZoEstimators, RankEstimateAlignsWithTheGradient) {
  const Quadratic f{{1.0, 3.0, 0.5}, {0.2, 0.7, 0.4}};
  const std::vector<double> x = {0.5, 0.4, 0.6};
  zo::ProbeSpec spec;
  spec.with_base = false;
  spec.mu = 0.01;
  zo::Rng rng(7);
  std::vector<double> mean(3, 0.0);
  for (int r = 0; r < 5000; ++r) {
    auto probes = zo::MakeProbes(x, spec, 4, {}, &rng);
    std::sort(probes.begin(), probes.end(), [&](const auto& a, const auto& b) { return f(a) < f(b); });
    std::vector<std::pair<std::vector<double>, std::vector<double>>> pairs;
    for (size_t a = 0; a < probes.size(); ++a) {
      for (size_t b = a + 1; b < probes.size(); ++b) pairs.emplace_back(probes[a], probes[b]);
    }
    const zo::Estimate e = zo::EstimateFromPairs(x, spec.mu, pairs);
    for (int j = 0; j < 3; ++j) mean[j] += e.gradient[j];
  }
  const std::vector<double> g = f.Gradient(x);
  double dot = 0.0, n1 = 0.0, n2 = 0.0;
  for (int j = 0; j < 3; ++j) {
    dot += mean[j] * g[j];
    n1 += mean[j] * mean[j];
    n2 += g[j] * g[j];
  }
  EXPECT_GT(dot / std::sqrt(n1 * n2), 0.95) << "cosine between the mean rank estimate and the gradient";
}

TEST(ZoEstimators, LocalLinearFitRecoversALinearFunctionConfidently) {
  zo::Rng rng(3);
  const std::vector<double> x = {0.5, 0.5, 0.5};
  std::vector<std::vector<double>> pts;
  std::vector<double> vals;
  for (int i = 0; i < 40; ++i) {
    std::vector<double> p = {0.5 + 0.05 * rng.Normal(), 0.5 + 0.05 * rng.Normal(), 0.5 + 0.05 * rng.Normal()};
    pts.push_back(p);
    vals.push_back(1.0 + 2.0 * p[0] - 3.0 * p[1] + 0.5 * p[2] + 1e-4 * rng.Normal());
  }
  const zo::SurrogateFit fit = zo::FitLocalLinear(x, pts, vals, 0.5);
  ASSERT_TRUE(fit.ok);
  EXPECT_NEAR(fit.gradient[0], 2.0, 0.05);
  EXPECT_NEAR(fit.gradient[1], -3.0, 0.05);
  EXPECT_NEAR(fit.gradient[2], 0.5, 0.05);
  EXPECT_LT(fit.standard_error, 0.1 * fit.gradient_norm);
  EXPECT_FALSE(zo::FitLocalLinear(x, {pts[0], pts[1]}, {vals[0], vals[1]}, 0.5).ok) << "too few points";
}

// --- strategy through the interface -----------------------------------------------------------------------------

TEST(ZoEstimators, MeanBaselineCancelsTheCommonCurvature) {
  // f = 50 |u - c|^2 in 40-d, mu = 0.1: the probes' curvature term mu^2/2 v'Hv = 50 mu^2 |v|^2 ~ 20 is nearly the
  // same for every direction and larger than the linear term mu g'v ~ 13. A forward difference against f(x) keeps it (one large same-sign weight per probe); the mean of the
  // other probes removes it. Same probes, same q: the mean-baseline estimate is much closer to the gradient.
  const int d = 40;
  Quadratic f{std::vector<double>(d, 50.0), std::vector<double>(d, 0.3)};
  const std::vector<double> x(d, 0.5);
  const std::vector<double> truth = f.Gradient(x);
  double err_forward = 0.0, err_mean = 0.0, norm = 0.0;
  for (double g : truth) norm += g * g;
  zo::Rng rng(5);
  for (int r = 0; r < 200; ++r) {
    zo::ProbeSpec spec;
    spec.mu = 0.1;
    const auto probes = zo::MakeProbes(x, spec, 10, {}, &rng);
    std::vector<zo::Query> with_base = {{x, f(x)}}, without;
    for (const auto& p : probes) {
      with_base.push_back({p, f(p)});
      without.push_back({p, f(p)});
    }
    const zo::Estimate fw = zo::EstimateFromValues(x, spec, with_base);
    spec.differences = zo::Differences::kMean;
    const zo::Estimate mn = zo::EstimateFromValues(x, spec, without);
    ASSERT_EQ(mn.terms, 10);
    for (int j = 0; j < d; ++j) {
      err_forward += (fw.gradient[j] - truth[j]) * (fw.gradient[j] - truth[j]) / norm / 200;
      err_mean += (mn.gradient[j] - truth[j]) * (mn.gradient[j] - truth[j]) / norm / 200;
    }
  }
  EXPECT_LT(err_mean, 0.5 * err_forward) << "mean " << err_mean << " forward " << err_forward;
}

TEST(ZoEstimators, MeanBaselineNeedsTwoValues) {
  zo::ProbeSpec spec;
  spec.differences = zo::Differences::kMean;
  const std::vector<double> x = {0.5, 0.5};
  EXPECT_EQ(zo::EstimateFromValues(x, spec, {{{0.6, 0.5}, 1.0}, {{0.5, 0.6}, std::nullopt}}).terms, 0);
  const zo::Estimate e = zo::EstimateFromValues(x, spec, {{{0.6, 0.5}, 1.0}, {{0.5, 0.6}, 3.0}});
  EXPECT_EQ(e.terms, 2);
  // (1 - 2) / mu^2 * (0.1, 0) + (3 - 2) / mu^2 * (0, 0.1), over n - 1 = 1, mu = 0.01
  EXPECT_NEAR(e.gradient[0], -1000.0, 1e-6);
  EXPECT_NEAR(e.gradient[1], 1000.0, 1e-6);
}

TEST(ZoStrategy, DefaultBatchIsQProbesWithoutABasePoint) {
  Loop loop = MakeLoop(BoxConfig(4, -1, 1, "zo", {{"q", 5}}));
  ASSERT_TRUE(loop.Ask(5).ok());
  for (const Trial& t : loop.trials()) EXPECT_EQ(json::parse(t.diagnostics_json)["role"], "probe");
  for (int64_t n = 0; n < 5; ++n) loop.Tell(n, testing::Sphere(loop.trials()[n].params));
  ASSERT_TRUE(loop.Ask(1).ok());
  EXPECT_EQ(loop.state().json["step"], 1) << "five values: the step was taken";
  EXPECT_GT(loop.state().json["eta"].get<double>(), 0.0);
}

TEST(ZoStrategy, NormalizedStepLengthFollowsThePath) {
  // A linear slope: successive steps agree, the path grows longer than a random walk's and eta grows. A constant:
  // no usable direction, eta stays.
  Loop slope = MakeLoop(BoxConfig(20, 0, 1, "zo"));
  slope.Run([](const std::vector<double>& x) { return x[0] + x[1]; }, 200, 10);
  EXPECT_GT(slope.state().json["eta"].get<double>(), 0.05);
  // A sphere around the centre: the iterate overshoots, steps cancel and eta shrinks far below its start.
  Loop bowl = MakeLoop(BoxConfig(20, -1, 1, "zo", {{"restart_tolerance", 0}}));
  bowl.Run(testing::Sphere, 1000, 10);
  EXPECT_LT(bowl.state().json["eta"].get<double>(), 0.005);
}

TEST(ZoStrategy, CollapsedStepRestartsFromARandomPoint) {
  Loop loop = MakeLoop(BoxConfig(10, -1, 1, "zo", {{"restart_tolerance", 0.01}}));
  loop.Run(testing::Sphere, 2000, 10);
  const int restarts = loop.state().json["stats"]["restarts"].get<int>();
  EXPECT_GT(restarts, 0);
  // q doubles per restart (restart_growth 2): the batch grows with it
  EXPECT_EQ(loop.state().json["q"].get<int>(), 10 << restarts);
}

TEST(ZoStrategy, OneAskHandsOutTheBatchOfOneEstimate) {
  Loop loop = MakeLoop(BoxConfig(4, -1, 1, "zo", {{"q", 5}, {"differences", "forward"}}));
  auto first = loop.Ask(3);
  ASSERT_TRUE(first.ok());
  auto rest = loop.Ask(3);  // 6 points per batch (base + 5): 3 remain
  ASSERT_TRUE(rest.ok());
  std::set<int> slots;
  for (const Trial& t : loop.trials()) {
    const json d = json::parse(t.diagnostics_json);
    EXPECT_EQ(d["batch"], 1);
    slots.insert(d["slot"].get<int>());
  }
  EXPECT_EQ(slots, (std::set<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(json::parse(loop.trials()[0].diagnostics_json)["role"], "base");
}

TEST(ZoStrategy, LargerAsksAreExtendedWithDistinctPoints) {
  Loop loop = MakeLoop(BoxConfig(3, -1, 1, "zo", {{"q", 2}}));
  auto numbers = loop.Ask(10);  // batch of 3 plus 7 extra directions
  ASSERT_TRUE(numbers.ok());
  ASSERT_EQ(numbers->size(), 10u);
  std::set<std::vector<double>> distinct;
  for (const Trial& t : loop.trials()) distinct.insert(t.params);
  EXPECT_EQ(distinct.size(), 10u);
  auto more = loop.Ask(2);  // everything pending: extends again rather than repeating a pending point
  ASSERT_TRUE(more.ok());
  for (const Trial& t : loop.trials()) distinct.insert(t.params);
  EXPECT_EQ(distinct.size(), 12u);
  for (int64_t n = 0; n < 12; ++n) loop.Tell(n, testing::Sphere(loop.trials()[n].params));
  auto next = loop.Ask(1);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(json::parse(loop.trials().back().diagnostics_json)["batch"], 2) << "all told: the step was taken";
  EXPECT_EQ(loop.state().json["step"], 1);
}

double ZoMedianBest(const testing::Fn& f, int d, double lo, double hi, const json& options, int budget,
                    int batch) {
  std::vector<double> best;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Loop loop = MakeLoop(BoxConfig(d, lo, hi, "zo", options, seed));
    best.push_back(loop.Run(f, budget, batch));
  }
  return testing::Median(best);
}

double RandomMedianBest(const testing::Fn& f, int d, double lo, double hi, int budget) {
  std::vector<double> best;
  for (uint64_t seed = 1; seed <= 3; ++seed) best.push_back(testing::RandomSearchBest(f, d, lo, hi, budget, seed));
  return testing::Median(best);
}

TEST(ZoStrategy, ConvergesOnSphereFarBetterThanRandom) {
  // Optimum at 0 in [-5, 10]^10: off the centre of the box.
  const double zo = ZoMedianBest(testing::Sphere, 10, -5, 10, json::object(), 1500, 11);
  const double rnd = RandomMedianBest(testing::Sphere, 10, -5, 10, 1500);
  EXPECT_LT(zo, 0.5);
  EXPECT_LT(zo, rnd / 100.0) << "zo " << zo << " random " << rnd;
}

TEST(ZoStrategy, ConvergesOnRastrigin5dFarBetterThanRandom) {
  const double zo = ZoMedianBest(testing::Rastrigin, 5, -5.12, 5.12, json::object(), 3000, 10);
  const double rnd = RandomMedianBest(testing::Rastrigin, 5, -5.12, 5.12, 3000);
  EXPECT_LT(zo, rnd / 5.0) << "zo " << zo << " random " << rnd;
}

TEST(ZoStrategy, AdamWithScheduleConvergesOnRastrigin5d) {
  // The previous default: Adam, forward differences, a smoothing radius of 0.05 (0.5 raw units) averaging the
  // cosine ripples away, shrinking as the steps go on.
  const json options = {{"optimizer", "adam"}, {"differences", "forward"}, {"mu", 0.05}, {"mu_decay", 0.01},
                        {"lr_decay", 0.01}, {"q", 8}};
  const double zo = ZoMedianBest(testing::Rastrigin, 5, -5.12, 5.12, options, 3000, 9);
  const double rnd = RandomMedianBest(testing::Rastrigin, 5, -5.12, 5.12, 3000);
  EXPECT_LT(zo, rnd / 5.0) << "zo " << zo << " random " << rnd;
}

TEST(ZoStrategy, MaximizeClimbs) {
  Loop loop = MakeLoop(BoxConfig(5, -5, 10, "zo", json::object(), 1, Goal::kMaximize));
  // Run() reports -sphere as the value and returns the lowest sphere seen.
  EXPECT_LT(loop.Run(testing::Sphere, 800, 11), 0.5);
}

TEST(ZoStrategy, SurrogateStepsSaveQueriesAndStillConverge) {
  const json options = {{"surrogate", "linear"}, {"q", 6}};
  Loop loop = MakeLoop(BoxConfig(4, -5, 10, "zo", options));
  const double best = loop.Run(testing::Sphere, 800, 7);
  const json summary = loop.strategy()->Summary({loop.config(), loop.trials()}, loop.state());
  EXPECT_GT(summary["zo_stats"]["surrogate_steps"].get<int>(), 0) << summary.dump();
  EXPECT_LT(best, 0.5);
}

TEST(ZoStrategy, ScaleFreeStepsDoNotDependOnTheObjectivesScale) {
  // The normalized step and the local linear surrogate's confidence test are scale-free: an objective scaled by a
  // power of two (exact) gives bit-for-bit the same points, also where squared gradients and residuals underflow
  // (2^-900) or overflow (2^900) -- before, both read as a flat estimate and the iterate never moved.
  for (const json& options : {json::object(), json{{"surrogate", "linear"}, {"q", 6}}}) {
    Loop unit = MakeLoop(BoxConfig(4, -5, 10, "zo", options, 3));
    unit.Run(testing::Sphere, 200, 6);
    for (int e : {-900, 900}) {
      const double c = std::ldexp(1.0, e);
      Loop scaled = MakeLoop(BoxConfig(4, -5, 10, "zo", options, 3));
      scaled.Run([c](const std::vector<double>& x) { return c * testing::Sphere(x); }, 200, 6);
      ASSERT_EQ(scaled.trials().size(), unit.trials().size());
      for (size_t i = 0; i < unit.trials().size(); ++i) {
        ASSERT_EQ(scaled.trials()[i].params, unit.trials()[i].params) << options.dump() << " 2^" << e << " trial " << i;
      }
    }
  }
}

void ExpectRestartInvariance(const StudyConfig& c) {
  testing::ExpectRestartInvariance(c, ZoStrategyFactory(), /*leave_some_pending=*/true);
  // Without trials left pending the batches complete and steps are taken across the restarts.
  const json s = testing::ExpectRestartInvariance(c, ZoStrategyFactory(), /*leave_some_pending=*/false);
  EXPECT_GT(s["step"].get<int>(), 3) << s["stats"].dump();
}

TEST(ZoStrategy, RestartContinuesExactly) {
  ExpectRestartInvariance(BoxConfig(6, -5, 10, "zo", json::object()));
  ExpectRestartInvariance(BoxConfig(6, -5, 10, "zo", {{"directions", "coordinate"}, {"differences", "central"}}));
  ExpectRestartInvariance(BoxConfig(6, -5, 10, "zo", {{"surrogate", "linear"}, {"optimizer", "sign_sgd"}}));
  ExpectRestartInvariance(BoxConfig(6, -5, 10, "zo", {{"optimizer", "adam"}, {"differences", "central"}}));
  // restarts of the normalized step happen within the run
  const json s = testing::ExpectRestartInvariance(BoxConfig(6, -1, 1, "zo", {{"restart_tolerance", 0.045}}),
                                                  ZoStrategyFactory(), /*leave_some_pending=*/false);
  EXPECT_GT(s["stats"]["restarts"].get<int>(), 0) << s["stats"].dump();
}

TEST(ZoStrategy, PointsAreRegeneratedNotStoredExceptJitteredOnes) {
  Loop loop = MakeLoop(BoxConfig(30, -5, 10, "zo", {{"q", 20}}));
  ASSERT_TRUE(loop.Ask(25).ok());  // 20 probes and 5 extensions
  const json& state = loop.state().json;
  ASSERT_EQ(state["batch"]["slots"].size(), 25u);
  EXPECT_FALSE(testing::SomeSlotStoresItsPoint(state)) << "probes are a function of (seed, batch, x, mu)";
  // In a 3 x 3 grid of ints, 9 distinct points at most: later probes collide and are jittered; those are stored,
  // and a restart still continues exactly.
  const StudyConfig small = testing::SmallIntConfig(2, 2, "zo", {{"q", 6}});
  Loop ints = MakeLoop(small);
  ASSERT_TRUE(ints.Ask(8).ok());
  EXPECT_TRUE(testing::SomeSlotStoresItsPoint(ints.state().json)) << ints.state().json["batch"].dump();
  testing::ExpectRestartInvariance(small, ZoStrategyFactory(), /*leave_some_pending=*/false);
}

TEST(ZoStrategy, CachedStateIsNotUsedForAStateItDidNotWriteLast) {
  testing::ExpectStaleStateIgnored(BoxConfig(6, -5, 10, "zo", json::object()), ZoStrategyFactory());
}

TEST(ZoStrategy, FailedQueriesAreReaskedThenDropped) {
  Loop loop = MakeLoop(BoxConfig(3, -1, 1, "zo", {{"q", 2}, {"max_retries", 1}, {"differences", "forward"}}));
  auto first = loop.Ask(3);
  ASSERT_TRUE(first.ok());
  const std::vector<double> base = loop.trials()[0].params;
  loop.Fail(0);
  loop.Tell(1, 1.0);
  loop.Tell(2, 2.0);
  auto retry = loop.Ask(1);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(loop.trials()[3].params, base) << "the failed base point is asked again";
  EXPECT_EQ(json::parse(loop.trials()[3].diagnostics_json)["retry"], 1);
  loop.Abandon(3);  // second failure of the base: dropped (max_retries 1); forward estimate impossible: skipped
  auto next = loop.Ask(1);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(json::parse(loop.trials()[4].diagnostics_json)["batch"], 2);
  EXPECT_EQ(loop.state().json["step"], 0) << "no usable difference: the step was skipped";
  EXPECT_EQ(loop.state().json["stats"]["skipped"], 1);
}

TEST(ZoStrategy, DroppedProbeStillGivesAStep) {
  Loop loop = MakeLoop(BoxConfig(3, -1, 1, "zo", {{"q", 3}, {"max_retries", 0}}));
  ASSERT_TRUE(loop.Ask(4).ok());
  loop.Tell(0, 1.0);
  loop.Fail(1);
  loop.Tell(2, 0.5);
  loop.Tell(3, 1.5);
  ASSERT_TRUE(loop.Ask(1).ok());
  EXPECT_EQ(loop.state().json["step"], 1);
}

TEST(ZoStrategy, IssuedPointsWithoutATrialAreHandedOutAgain) {
  Loop loop = MakeLoop(BoxConfig(3, -1, 1, "zo", {{"q", 2}}));
  StudySnapshot snap{loop.config(), loop.trials()};
  auto lost = loop.strategy()->Suggest(snap, 2, &loop.state());  // the service did not persist these
  ASSERT_TRUE(lost.ok());
  auto numbers = loop.Ask(3);
  ASSERT_TRUE(numbers.ok());
  EXPECT_EQ(loop.trials()[0].params, (*lost)[0].params);
  EXPECT_EQ(json::parse(loop.trials()[2].diagnostics_json)["slot"], 2);
}

TEST(ZoStrategy, RankingsAloneDriveConvergence) {
  const json options = {{"feedback", "rank"}, {"q", 6}};
  Loop loop = MakeLoop(BoxConfig(5, -5, 10, "zo", options));
  double best = 1e300;
  for (int round = 0; round < 150; ++round) {
    auto numbers = loop.Ask(6);
    ASSERT_TRUE(numbers.ok());
    std::vector<int64_t> ranked = *numbers;
    std::sort(ranked.begin(), ranked.end(), [&](int64_t x, int64_t y) {
      return testing::Sphere(loop.trials()[x].params) < testing::Sphere(loop.trials()[y].params);
    });
    for (int64_t n : *numbers) {
      loop.Tell(n, 12345.0);  // values are ignored in rank mode: only the ranking is used
      best = std::min(best, testing::Sphere(loop.trials()[n].params));
    }
    ASSERT_TRUE(loop.Rank(ranked).ok());
  }
  const double rnd = RandomMedianBest(testing::Sphere, 5, -5, 10, 900);
  EXPECT_LT(best, rnd / 20.0) << "rank-only zo " << best << " random " << rnd;
  EXPECT_GT(loop.state().json["step"].get<int>(), 100);
}

TEST(ZoStrategy, RankingValidation) {
  Loop values = MakeLoop(BoxConfig(3, -1, 1, "zo"));
  ASSERT_TRUE(values.Ask(4).ok());
  EXPECT_EQ(values.Rank({0, 1}).code(), StatusCode::kFailedPrecondition);

  Loop loop = MakeLoop(BoxConfig(3, -1, 1, "zo", {{"feedback", "rank"}, {"q", 3}}));
  ASSERT_TRUE(loop.Ask(3).ok());
  EXPECT_EQ(loop.Rank({0}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loop.Rank({0, 0}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loop.Rank({0, 7}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(loop.Rank({2, 0}).ok());
  ASSERT_TRUE(loop.Ask(1).ok());  // all three out: an extra ranked probe, trial 3
  EXPECT_EQ(loop.state().json["step"], 0) << "trial 1 is neither ranked nor dropped yet";
  EXPECT_TRUE(loop.Rank({1, 3, 2}).ok());
  ASSERT_TRUE(loop.Ask(1).ok());
  EXPECT_EQ(loop.state().json["step"], 1);
}

TEST(ZoStrategy, RecommendationIsTheIterateAndIntParametersStayWhole) {
  StudyConfig c = BoxConfig(2, -5, 10, "zo");
  c.parameters[1].type = ParamType::kInt;
  c.parameters[1].low = 0;
  c.parameters[1].high = 20;
  Loop loop = MakeLoop(c);
  loop.Run([](const std::vector<double>& x) { return x[0] * x[0] + (x[1] - 7) * (x[1] - 7); }, 300, 11);
  for (const Trial& t : loop.trials()) EXPECT_EQ(t.params[1], std::round(t.params[1]));
  auto rec = loop.strategy()->Recommend({loop.config(), loop.trials()}, loop.state());
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_NEAR((*rec)->params[1], 7.0, 1.0);
}

// --- options ---------------------------------------------------------------------------------------------------

void ExpectRejected(const json& options, const std::string& field) {
  const Status s = ZoStrategyFactory().validate(BoxConfig(4, 0, 1, "zo", options));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << options.dump();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_NE(s.message().find(field), std::string::npos) << s.message();
}

TEST(ZoOptions, BadOptionsAreRejectedNamingTheField) {
  ExpectRejected({{"q", 0}}, "strategy.q");
  ExpectRejected({{"q", -3}}, "strategy.q");
  ExpectRejected({{"q", 2.5}}, "strategy.q");
  ExpectRejected({{"q", "ten"}}, "strategy.q");
  ExpectRejected({{"mu", 0}}, "strategy.mu");
  ExpectRejected({{"mu", -0.1}}, "strategy.mu");
  ExpectRejected({{"mu", 0.9}}, "strategy.mu");
  ExpectRejected({{"learning_rate", 0}}, "strategy.learning_rate");
  ExpectRejected({{"optimizer", "lbfgs"}}, "strategy.optimizer");
  ExpectRejected({{"directions", 3}}, "strategy.directions");
  ExpectRejected({{"beta1", 1.0}}, "strategy.beta1");
  ExpectRejected({{"coordinates", 5}}, "strategy.coordinates");
  ExpectRejected({{"max_retries", -1}}, "strategy.max_retries");
  ExpectRejected({{"learning_rat", 0.1}}, "strategy.learning_rat");
  ExpectRejected({{"feedback", "rank"}, {"differences", "central"}}, "strategy.differences");
  ExpectRejected({{"feedback", "rank"}, {"surrogate", "linear"}}, "strategy.surrogate");
  ExpectRejected({{"feedback", "rank"}, {"q", 1}}, "strategy.q");
  ExpectRejected({{"feedback", "rank"}, {"differences", "mean"}}, "strategy.differences");
  ExpectRejected({{"directions", "coordinate"}, {"differences", "mean"}}, "strategy.differences");
  ExpectRejected({{"differences", "mean"}, {"q", 1}}, "strategy.q");
  ExpectRejected({{"path_rate", 0}}, "strategy.path_rate");
  ExpectRejected({{"path_rate", 1.5}}, "strategy.path_rate");
  ExpectRejected({{"restart_tolerance", -1}}, "strategy.restart_tolerance");
  ExpectRejected({{"restart_tolerance", 0.1}, {"learning_rate", 0.05}}, "strategy.restart_tolerance");
  ExpectRejected({{"restart_growth", 0.5}}, "strategy.restart_growth");
}

TEST(ZoOptions, PerModeDefaults) {
  auto parse = [](const json& o) { return *zo::ParseZoOptions(BoxConfig(4, 0, 1, "zo", o)); };
  EXPECT_EQ(parse(json::object()).differences, zo::Differences::kMean);
  EXPECT_EQ(parse(json::object()).optimizer, zo::Optimizer::kNormalized);
  EXPECT_EQ(parse(json::object()).learning_rate, 0.05);
  EXPECT_EQ(parse(json::object()).mu, 0.1);
  EXPECT_EQ(parse({{"optimizer", "adam"}}).learning_rate, 0.02);
  EXPECT_EQ(parse({{"optimizer", "adam"}}).mu, 0.02);
  EXPECT_EQ(parse({{"feedback", "rank"}}).differences, zo::Differences::kForward);
  EXPECT_EQ(parse({{"directions", "coordinate"}}).differences, zo::Differences::kForward);
  EXPECT_EQ(parse({{"q", 1}}).differences, zo::Differences::kForward);
  EXPECT_EQ(parse({{"mu", 0.2}}).mu, 0.2);
}

TEST(ZoOptions, DefaultsAndFullOptionSetAreAccepted) {
  EXPECT_TRUE(ZoStrategyFactory().validate(BoxConfig(4, 0, 1, "zo")).ok());
  const json all = {{"directions", "sphere"},   {"differences", "central"}, {"q", 4},
                    {"coordinates", 2},         {"mu", 0.05},               {"optimizer", "sgd"},
                    {"learning_rate", 0.1},     {"beta1", 0.8},             {"beta2", 0.99},
                    {"epsilon", 1e-6},          {"lr_decay", 0.1},          {"mu_decay", 0.1},
                    {"feedback", "values"},     {"surrogate", "linear"},    {"surrogate_radius", 0.3},
                    {"surrogate_tolerance", 1}, {"surrogate_history", 50},  {"max_retries", 2},
                    {"start", "random"},        {"constraint_penalty", 10}, {"path_rate", 0.5},
                    {"restart_tolerance", 0.01}, {"restart_growth", 1.5}};
  const Status s = ZoStrategyFactory().validate(BoxConfig(4, 0, 1, "zo", all));
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace bayesd
