// Test harness for the zo and cbo strategy tests: a minimal in-memory ask/tell loop that drives a Strategy through
// its interface exactly as the service does (trial numbers 0, 1, 2, ..., suggestion diagnostics stored on the trial,
// state passed back on every call), plus tiny inline test functions.
#ifndef BAYESD_TESTS_STRATEGIES_ZO_TEST_HARNESS_H_
#define BAYESD_TESTS_STRATEGIES_ZO_TEST_HARNESS_H_

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "src/strategies/strategy.h"
#include "src/study/config.h"
#include "src/study/trial.h"

namespace bayesd::testing {

using Fn = std::function<double(const std::vector<double>&)>;

inline double Sphere(const std::vector<double>& x) {
  double s = 0.0;
  for (double v : x) s += v * v;
  return s;
}

inline double Rastrigin(const std::vector<double>& x) {
  double s = 10.0 * static_cast<double>(x.size());
  for (double v : x) s += v * v - 10.0 * std::cos(2.0 * std::numbers::pi * v);
  return s;
}

// d float parameters x0.. on [low, high], objective "f".
inline StudyConfig BoxConfig(int d, double low, double high, const std::string& strategy,
                             nlohmann::json options = nlohmann::json::object(), uint64_t seed = 1,
                             Goal goal = Goal::kMinimize) {
  StudyConfig c;
  c.name = "t";
  for (int i = 0; i < d; ++i) {
    ParameterSpec p;
    p.name = "x" + std::to_string(i);
    p.low = low;
    p.high = high;
    c.parameters.push_back(p);
  }
  c.objective.name = "f";
  c.objective.goal = goal;
  c.strategy.name = strategy;
  c.strategy.options = std::move(options);
  c.seed = seed;
  c.seed_given = true;
  return c;
}

// One study: config, trials and state, with ask/tell helpers.
class Loop {
 public:
  Loop(StudyConfig config, std::unique_ptr<Strategy> strategy)
      : config_(std::move(config)), strategy_(std::move(strategy)) {}
  // From a factory's result: a refused config makes every Ask / Rank return the factory's error.
  Loop(StudyConfig config, StatusOr<std::unique_ptr<Strategy>> strategy) : config_(std::move(config)) {
    Restart(std::move(strategy));
  }

  // Suggest `count` points; returns the new trial numbers (ASSERTs inside the caller via ok()).
  StatusOr<std::vector<int64_t>> Ask(int count) {
    StudySnapshot snap{config_, trials_};
    if (!strategy_) return Missing();
    StatusOr<std::vector<Suggestion>> s = strategy_->Suggest(snap, count, &state_);
    if (!s.ok()) return s.status();
    std::vector<int64_t> numbers;
    for (const Suggestion& sug : *s) {
      Trial t;
      t.number = static_cast<int64_t>(trials_.size());
      t.params = sug.params;
      t.fidelity = sug.fidelity;
      t.diagnostics_json = sug.diagnostics.dump();
      trials_.push_back(std::move(t));
      numbers.push_back(trials_.back().number);
    }
    return numbers;
  }

  void Tell(int64_t number, double value) {
    Trial& t = trials_[number];
    t.state = TrialState::kCompleted;
    t.values[config_.objective.name] = value;
    t.feasible = true;
  }
  void Fail(int64_t number) { trials_[number].state = TrialState::kFailed; }
  void Abandon(int64_t number) { trials_[number].state = TrialState::kAbandoned; }
  Status Rank(const std::vector<int64_t>& best_first) {
    StudySnapshot snap{config_, trials_};
    if (!strategy_) return Missing();
    return strategy_->Rank(snap, best_first, &state_);
  }

  // Replaces the strategy object by a fresh one and the state by its JSON text round trip (a daemon restart).
  void Restart(std::unique_ptr<Strategy> fresh) {
    strategy_ = std::move(fresh);
    state_.json = nlohmann::json::parse(state_.json.dump());
  }
  void Restart(StatusOr<std::unique_ptr<Strategy>> fresh) {
    created_ = fresh.status();
    Restart(fresh.ok() ? std::move(*fresh) : nullptr);
  }

  // Ask/tell rounds of `batch` points evaluated by f on the raw params until `budget` evaluations; returns the best
  // (lowest) value seen.
  double Run(const Fn& f, int budget, int batch) {
    double best = std::numeric_limits<double>::infinity();
    int used = 0;
    while (used < budget) {
      StatusOr<std::vector<int64_t>> numbers = Ask(std::min(batch, budget - used));
      EXPECT_TRUE(numbers.ok()) << numbers.status().ToString();
      if (!numbers.ok()) return best;
      for (int64_t n : *numbers) {
        const double v = f(trials_[n].params);
        Tell(n, config_.objective.goal == Goal::kMaximize ? -v : v);
        best = std::min(best, v);
        ++used;
      }
    }
    return best;
  }

  const std::vector<Trial>& trials() const { return trials_; }
  std::vector<Trial>& mutable_trials() { return trials_; }
  StrategyState& state() { return state_; }
  Strategy* strategy() { return strategy_.get(); }
  const StudyConfig& config() const { return config_; }

 private:
  StudyConfig config_;
  // Why there is no strategy: the factory's error, or a null one given.
  Status Missing() const { return created_.ok() ? Internal("no strategy") : created_; }

  std::unique_ptr<Strategy> strategy_;
  Status created_;
  std::vector<Trial> trials_;
  StrategyState state_;
};

// Best of `budget` uniform random points in [low, high]^d.
inline double RandomSearchBest(const Fn& f, int d, double low, double high, int budget, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(low, high);
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < budget; ++i) {
    std::vector<double> x(d);
    for (double& v : x) v = u(rng);
    best = std::min(best, f(x));
  }
  return best;
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Drives two loops with the same asks, failures and (optionally) trials left pending; the second restarts (a new
// strategy object, state through JSON text) before every ask. Suggestions and final states must be identical.
// Returns the first loop's final state for strategy-specific checks.
inline nlohmann::json ExpectRestartInvariance(const StudyConfig& c, const StrategyFactory& factory,
                                              bool leave_some_pending) {
  Loop a(c, factory.create(c));
  Loop b(c, factory.create(c));
  const int counts[] = {3, 11, 1, 7, 20, 2, 5, 11, 11, 4};
  for (int round = 0; round < 30; ++round) {
    const int count = counts[round % 10];
    auto na = a.Ask(count);
    b.Restart(factory.create(c));
    auto nb = b.Ask(count);
    EXPECT_TRUE(na.ok() && nb.ok());
    if (!na.ok() || !nb.ok()) return a.state().json;
    EXPECT_EQ(*na, *nb);
    for (int64_t n : *na) {
      EXPECT_EQ(a.trials()[n].params, b.trials()[n].params) << "round " << round << " trial " << n;
      if (n % 9 == 4) {
        a.Fail(n);
        b.Fail(n);
      } else if (leave_some_pending && n % 13 == 6) {
        continue;
      } else {
        const double v = Rastrigin(a.trials()[n].params);
        a.Tell(n, v);
        b.Tell(n, v);
      }
    }
  }
  EXPECT_EQ(a.state().json, b.state().json);
  return a.state().json;
}

// d int parameters x0.. on [0, high]: a small discrete space where suggestions collide and get jittered.
inline StudyConfig SmallIntConfig(int d, int high, const std::string& strategy,
                                  nlohmann::json options = nlohmann::json::object()) {
  StudyConfig c = BoxConfig(d, 0, high, strategy, std::move(options));
  for (ParameterSpec& p : c.parameters) p.type = ParamType::kInt;
  return c;
}

// Whether some slot of the state's batch carries its point (a jittered, persisted point).
inline bool SomeSlotStoresItsPoint(const nlohmann::json& state) {
  for (const nlohmann::json& slot : state["batch"]["slots"]) {
    if (slot.contains("u")) return true;
  }
  return false;
}

// The decoded state a strategy object caches must not be used for a state it did not write last: run a loop, keep
// an older state, ask once more (the object now caches the newer state), then put the older state back (the
// service did not persist the newer one, or another writer replaced it) and ask: the suggestions must equal those
// of a fresh object given the older state.
inline void ExpectStaleStateIgnored(const StudyConfig& c, const StrategyFactory& factory) {
  Loop a(c, factory.create(c));
  a.Run(Rastrigin, 60, 7);
  const nlohmann::json older = a.state().json;
  const std::vector<Trial> trials_then = a.trials();
  ASSERT_TRUE(a.Ask(5).ok());  // the object caches this newer state
  a.mutable_trials() = trials_then;
  a.state().json = older;
  Loop b(c, factory.create(c));
  b.mutable_trials() = trials_then;
  b.state().json = older;
  auto na = a.Ask(4);
  auto nb = b.Ask(4);
  ASSERT_TRUE(na.ok() && nb.ok());
  for (int64_t n : *na) EXPECT_EQ(a.trials()[n].params, b.trials()[n].params) << "trial " << n;
  EXPECT_EQ(a.state().json, b.state().json);
}

}  // namespace bayesd::testing

#endif  // BAYESD_TESTS_STRATEGIES_ZO_TEST_HARNESS_H_
