// Suggest time of the gp strategy at large n (issue 4: "median suggest time under 1 s at 1,000 observations, d = 6").
//
// Builds a study of d float parameters on [0, 1] with n completed trials at uniform random points (a smooth test
// function), then asks `asks` times through the Strategy interface (the code the daemon's suggest endpoint runs),
// telling each suggestion before the next ask, and prints one line per ask: n, wall ms, thread CPU ms, the fit mode
// and termination, fit_ms and optimize_ms from the diagnostics. Then the median over asks 2.. (the first ask fits
// the hyperparameters from scratch: there is no state yet) in wall and CPU time. The strategy state goes through a
// JSON text round trip before every ask, as the daemon's storage does.
//
// Usage: suggest_bench [--n 1000] [--d 6] [--asks 8] [--seed 5] [--options '{"acquisition":"log_ei"}']
// OpenBLAS runs on one thread and the allocator keeps matrices in the heap, as in the daemon (gp/runtime.h), unless
// OPENBLAS_NUM_THREADS is set.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gp/runtime.h"
#include "src/strategies/strategy.h"

namespace {

using bayesd::StudyConfig;

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return 1e3 * static_cast<double>(ts.tv_sec) + 1e-6 * static_cast<double>(ts.tv_nsec);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double F(const std::vector<double>& x) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += std::sin(3 * x[i] + static_cast<double>(i)) * (1 + x[(i + 1) % x.size()]);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 1000, d = 6, asks = 8;
  uint64_t seed = 5;
  std::string options = "{}";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--n") n = std::atoi(argv[i + 1]);
    else if (a == "--d") d = std::atoi(argv[i + 1]);
    else if (a == "--asks") asks = std::atoi(argv[i + 1]);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--options") options = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  bayesd::gp::LimitBlasThreads();
  bayesd::gp::KeepMatricesInHeap();
  StudyConfig c;
  c.name = "suggest_bench";
  for (int i = 0; i < d; ++i) {
    bayesd::ParameterSpec p;
    p.name = "x" + std::to_string(i);
    p.low = 0;
    p.high = 1;
    c.parameters.push_back(p);
  }
  c.objective.name = "f";
  c.objective.goal = bayesd::Goal::kMinimize;
  c.strategy.name = "gp";
  c.strategy.options = nlohmann::json::parse(options);
  c.seed = seed;
  c.seed_given = true;
  bayesd::StatusOr<std::unique_ptr<bayesd::Strategy>> strategy = bayesd::CreateStrategy(c);
  if (!strategy.ok()) {
    std::fprintf(stderr, "%s\n", strategy.status().ToString().c_str());
    return 1;
  }
  std::vector<bayesd::Trial> trials;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < n; ++i) {
    bayesd::Trial t;
    t.number = i;
    t.params.resize(d);
    for (double& v : t.params) v = u(rng);
    t.state = bayesd::TrialState::kCompleted;
    t.values["f"] = F(t.params);
    t.feasible = true;
    t.external = true;
    trials.push_back(t);
  }
  bayesd::StrategyState state;
  std::vector<double> wall, cpu;
  std::printf("ask n wall_ms cpu_ms fit_mode termination fit_evals fit_ms optimize_ms\n");
  for (int a = 0; a < asks; ++a) {
    state.json = nlohmann::json::parse(state.json.dump());
    const bayesd::StudySnapshot snap{c, trials};
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = ThreadCpuMs();
    bayesd::StatusOr<std::vector<bayesd::Suggestion>> s = (*strategy)->Suggest(snap, 1, &state);
    const double cpu_ms = ThreadCpuMs() - c0;
    const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!s.ok() || s->empty()) {
      std::fprintf(stderr, "suggest failed: %s\n", s.ok() ? "empty" : s.status().ToString().c_str());
      return 1;
    }
    const nlohmann::json& diag = (*s)[0].diagnostics;
    const nlohmann::json fit = diag.contains("fit") && diag["fit"].contains("fit") ? diag["fit"]["fit"] : nlohmann::json();
    std::printf("%d %zu %.1f %.1f %s %s %d %.1f %.1f\n", a, trials.size(), wall_ms, cpu_ms,
                fit.value("mode", std::string("-")).c_str(), fit.value("termination", std::string("-")).c_str(),
                fit.value("evaluations", 0), diag.value("fit_ms", 0.0), diag.value("optimize_ms", 0.0));
    if (a > 0) {
      wall.push_back(wall_ms);
      cpu.push_back(cpu_ms);
    }
    bayesd::Trial t;
    t.number = static_cast<int64_t>(trials.size());
    t.params = (*s)[0].params;
    t.state = bayesd::TrialState::kCompleted;
    t.values["f"] = F(t.params);
    t.feasible = true;
    trials.push_back(t);
  }
  std::printf("median over asks 1..%d: wall %.1f ms, cpu %.1f ms\n", asks - 1, Median(wall), Median(cpu));
  return 0;
}
