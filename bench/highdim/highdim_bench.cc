// High-dimensional benchmark of the zo and cbo strategies against random and sobol (issue 7).
//
// Every run goes through StudyService on a MemoryStorage, exactly the path behind the REST API: the study is created
// from a JSON body (ParseStudyConfig, as POST /api/v1/studies), then rounds of Suggest(batch) + one Complete per
// point until the budget. Problems come from bench/problems (Rastrigin with its box moved to [-5, 10]^d so that the
// optimum is off the centre, as for Ackley).
//
// Output: bench/out/highdim_<problem>.json (best-so-far regret at checkpoints, per strategy and seed),
// bench/out/highdim_summary.md (median regret table, ratio to random), bench/out/highdim_serving.json (server time
// of ask/tell rounds). Plots: bench/highdim/plot.py.
//
// Usage: highdim_bench [--out DIR] [--seeds N] [--budget N] [--problems a,b] [--strategies a,b] [--serving-only]
//                      [--serving-repeats N] [--options '{"cbo": {"particles": 50}}']
// Strategies: zo, cbo, random, sobol, and zo_adam / cbo_standard (the settings before consensus hopping and
// normalized zo steps).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/problems/problems.h"
#include "gp/runtime.h"
#include "src/service/study_service.h"
#include "src/storage/memory_storage.h"
#include "src/study/config_json.h"

namespace bayesd::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// CPU seconds of the calling thread: the server's own work, unaffected by other processes on a shared machine.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Args {
  std::string out = "bench/out";
  int seeds = 10;
  int budget = 20000;
  std::vector<std::string> problems = {"rastrigin_20d", "ackley_50d", "ackley_100d"};
  std::vector<std::string> strategies = {"zo", "cbo", "random", "sobol"};
  bool serving_only = false;
  int serving_repeats = 5;  // 0: skip the serving measurement
  json overrides = json::object();  // --options '{"cbo": {...}}': extra strategy options per strategy
};

Args& GlobalArgs() {
  static Args args;
  return args;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (k == "--out") a.out = next();
    else if (k == "--seeds") a.seeds = std::atoi(next().c_str());
    else if (k == "--budget") a.budget = std::atoi(next().c_str());
    else if (k == "--problems") a.problems = Split(next());
    else if (k == "--strategies") a.strategies = Split(next());
    else if (k == "--serving-only") a.serving_only = true;
    else if (k == "--serving-repeats") a.serving_repeats = std::atoi(next().c_str());
    else if (k == "--options") a.overrides = json::parse(next(), nullptr, false);
  }
  return a;
}

// The problem with bounds [-5, 10]^d (Rastrigin's own box is centred on its optimum).
Problem OffCentre(const std::string& name) {
  const Problem* p = FindProblem(name);
  if (p == nullptr) {
    std::fprintf(stderr, "unknown problem %s\n", name.c_str());
    std::exit(2);
  }
  Problem q = *p;
  for (auto& b : q.bounds) b = {-5.0, 10.0};
  return q;
}

// Strategy options per strategy and dimension; the batch each ask requests.
struct StrategySetup {
  json strategy;
  int batch = 20;
};

StrategySetup SetupDefault(const std::string& strategy, int d) {
  (void)d;
  // zo and cbo run with their defaults: zo q = 10 probes per estimate (mean-baseline differences, normalized
  // steps), cbo 20 particles (consensus hopping). "zo_adam" and "cbo_standard" are the previous defaults/settings.
  if (strategy == "zo") return {{{"name", "zo"}}, 10};
  if (strategy == "zo_adam") {
    return {{{"name", "zo"}, {"optimizer", "adam"}, {"differences", "forward"}, {"q", 10}, {"mu", 0.1},
             {"mu_decay", 0.02}, {"lr_decay", 0.02}},
            11};
  }
  if (strategy == "cbo") return {{{"name", "cbo"}}, 20};
  if (strategy == "cbo_standard") return {{{"name", "cbo"}, {"dynamics", "standard"}}, 20};
  return {{{"name", strategy}}, 20};
}

StrategySetup Setup(const std::string& strategy, int d) {
  StrategySetup s = SetupDefault(strategy, d);
  const json& extra = GlobalArgs().overrides;
  if (extra.is_object() && extra.contains(strategy)) {
    for (const auto& [k, v] : extra[strategy].items()) s.strategy[k] = v;
    if (s.strategy["name"] == "cbo" && s.strategy.contains("particles")) s.batch = s.strategy["particles"].get<int>();
    if (s.strategy["name"] == "zo" && s.strategy.contains("q")) s.batch = s.strategy["q"].get<int>();
  }
  return s;
}

json StudyBody(const Problem& p, const StrategySetup& s, uint64_t seed) {
  json params = json::array();
  for (int i = 0; i < p.dim; ++i) {
    params.push_back({{"name", "x" + std::to_string(i)}, {"type", "float"}, {"low", p.bounds[i].first},
                      {"high", p.bounds[i].second}});
  }
  return {{"name", "hd"},
          {"parameters", params},
          {"objective", {{"name", "f"}, {"goal", "minimize"}}},
          {"strategy", s.strategy},
          {"seed", seed}};
}

std::vector<int> Checkpoints(int budget) {
  std::vector<int> c;
  for (int e = 100; e <= budget; e += e < 1000 ? 100 : (e < 5000 ? 250 : 500)) c.push_back(e);
  if (c.empty() || c.back() != budget) c.push_back(budget);
  return c;
}

struct RunResult {
  std::vector<double> regret;  // at each checkpoint
  double server_seconds = 0.0;
};

RunResult RunOne(const Problem& p, const std::string& strategy, uint64_t seed, int budget) {
  MemoryStorage storage;
  StudyService service(&storage, ServiceOptions{});
  RunResult r;
  if (!service.Load().ok()) std::exit(3);
  const StrategySetup setup = Setup(strategy, p.dim);
  StatusOr<StudyConfig> config = ParseStudyConfig(StudyBody(p, setup, seed));
  if (!config.ok()) {
    std::fprintf(stderr, "config: %s\n", config.status().ToString().c_str());
    std::exit(3);
  }
  if (!service.CreateStudy(*config, false).ok()) std::exit(3);
  const std::vector<int> checkpoints = Checkpoints(budget);
  size_t next_checkpoint = 0;
  double best = INFINITY;
  int used = 0;
  while (used < budget) {
    const auto t0 = Clock::now();
    StatusOr<std::vector<Trial>> trials = service.Suggest("hd", {std::min(setup.batch, budget - used), "bench"});
    r.server_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    if (!trials.ok()) {
      std::fprintf(stderr, "suggest: %s\n", trials.status().ToString().c_str());
      std::exit(4);
    }
    for (const Trial& t : *trials) {
      const double v = p.Objective(t.params);
      const auto t1 = Clock::now();
      if (!service.Complete("hd", t.number, {{{"f", v}}, {}, std::nullopt}).ok()) std::exit(5);
      r.server_seconds += std::chrono::duration<double>(Clock::now() - t1).count();
      best = std::min(best, v);
      ++used;
      while (next_checkpoint < checkpoints.size() && used == checkpoints[next_checkpoint]) {
        r.regret.push_back(p.Regret(best));
        ++next_checkpoint;
      }
    }
  }
  return r;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Server time of full ask/tell rounds (Suggest(batch) + batch Completes) in d dimensions; per-round milliseconds.
json Serving(const std::string& strategy, json options, int d, int batch, int rounds) {
  Problem p = OffCentre("ackley_" + std::to_string(d) + "d");
  MemoryStorage storage;
  StudyService service(&storage, ServiceOptions{});
  if (!service.Load().ok()) std::exit(3);
  options["name"] = strategy;
  StatusOr<StudyConfig> config = ParseStudyConfig(StudyBody(p, {options, batch}, 1));
  if (!config.ok() || !service.CreateStudy(*config, false).ok()) std::exit(3);
  std::vector<double> ms, cpu_ms;
  for (int round = 0; round < rounds; ++round) {
    double seconds = 0.0, cpu = 0.0;
    auto t0 = Clock::now();
    double c0 = ThreadCpuSeconds();
    StatusOr<std::vector<Trial>> trials = service.Suggest("hd", {batch, "bench"});
    seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    cpu += ThreadCpuSeconds() - c0;
    if (!trials.ok()) std::exit(4);
    for (const Trial& t : *trials) {
      const double v = p.Objective(t.params);
      t0 = Clock::now();
      c0 = ThreadCpuSeconds();
      if (!service.Complete("hd", t.number, {{{"f", v}}, {}, std::nullopt}).ok()) std::exit(5);
      seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      cpu += ThreadCpuSeconds() - c0;
    }
    ms.push_back(1e3 * seconds);
    cpu_ms.push_back(1e3 * cpu);
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  return {{"strategy", strategy}, {"options", options}, {"dimension", d}, {"batch", batch}, {"rounds", rounds},
          {"median_wall_ms", Median(ms)}, {"p90_wall_ms", sorted[sorted.size() * 9 / 10]},
          {"median_cpu_ms", Median(cpu_ms)}};
}

// The 1-minute load average (/proc/loadavg), or -1.
double LoadAverage() {
  std::ifstream f("/proc/loadavg");
  double load = -1.0;
  f >> load;
  return load;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), v < 0.01 || v >= 1e4 ? "%.2e" : "%.3g", v);
  return buf;
}

void Summary(const Args& a, const std::map<std::string, json>& results) {
  const std::vector<int> cps = Checkpoints(a.budget);
  std::vector<int> shown;
  for (int e : {2000, 5000, 10000, 20000}) {
    if (std::find(cps.begin(), cps.end(), e) != cps.end()) shown.push_back(e);
  }
  std::string md = "# Median simple regret (" + std::to_string(a.seeds) + " seeds; in parentheses: random / strategy)\n\n";
  md += "| problem | strategy |";
  for (int e : shown) md += " " + std::to_string(e) + " evals |";
  md += "\n|---|---|";
  for (size_t i = 0; i < shown.size(); ++i) md += "---|";
  md += "\n";
  for (const auto& [problem, res] : results) {
    for (const auto& [strategy, runs] : res["strategies"].items()) {
      md += "| " + problem + " | " + strategy + " |";
      for (int e : shown) {
        const size_t k = std::find(cps.begin(), cps.end(), e) - cps.begin();
        auto median_at = [&](const json& rs) {
          std::vector<double> v;
          for (const json& run : rs) v.push_back(run["regret"][k].get<double>());
          return Median(v);
        };
        const double m = median_at(runs);
        md += " " + Fmt(m);
        if (res["strategies"].contains("random") && strategy != "random") {
          md += " (" + Fmt(median_at(res["strategies"]["random"]) / std::max(m, 1e-300)) + "x)";
        }
        md += " |";
      }
      md += "\n";
    }
  }
  WriteFile(a.out + "/highdim_summary.md", md);
  std::printf("%s", md.c_str());
}

// Serving cost of 100-point rounds in 100-d, repeated (interleaved so that load changes hit every strategy alike);
// the load average is recorded with every repeat.
void ServingReport(const Args& a) {
  struct ServingCase {
    std::string name;
    json options;
  };
  const std::vector<ServingCase> cases = {{"cbo", {{"particles", 100}}},
                                          {"cbo", {{"particles", 100}, {"dynamics", "standard"}}},
                                          {"zo", {{"q", 100}}},
                                          {"random", json::object()}};
  std::vector<std::vector<double>> cpu(cases.size()), wall(cases.size());
  json runs = json::array();
  for (int rep = 0; rep < a.serving_repeats; ++rep) {
    for (size_t i = 0; i < cases.size(); ++i) {
      json r = Serving(cases[i].name, cases[i].options, 100, 100, 60);
      r["load_average"] = LoadAverage();
      cpu[i].push_back(r["median_cpu_ms"].get<double>());
      wall[i].push_back(r["median_wall_ms"].get<double>());
      runs.push_back(r);
    }
  }
  json serving = {{"runs", runs}, {"summary", json::array()}};
  for (size_t i = 0; i < cases.size(); ++i) {
    serving["summary"].push_back({{"strategy", cases[i].name}, {"options", cases[i].options},
                                  {"repeats", a.serving_repeats}, {"median_cpu_ms", Median(cpu[i])},
                                  {"max_cpu_ms", *std::max_element(cpu[i].begin(), cpu[i].end())},
                                  {"median_wall_ms", Median(wall[i])}, {"cpu_ms_per_repeat", cpu[i]}});
  }
  WriteFile(a.out + "/highdim_serving.json", serving.dump(2));
  std::printf("%s\n", serving["summary"].dump(2).c_str());
}

int Main(int argc, char** argv) {
  gp::LimitBlasThreads();
  gp::KeepMatricesInHeap();
  GlobalArgs() = ParseArgs(argc, argv);
  const Args& a = GlobalArgs();
  std::filesystem::create_directories(a.out);
  if (a.serving_repeats > 0) ServingReport(a);
  if (a.serving_only) return 0;
  std::map<std::string, json> results;
  for (const std::string& name : a.problems) {
    const Problem p = OffCentre(name);
    json res = {{"problem", name}, {"dimension", p.dim}, {"bounds", {-5.0, 10.0}}, {"optimum", p.optimum},
                {"budget", a.budget}, {"checkpoints", Checkpoints(a.budget)}, {"strategies", json::object()}};
    for (const std::string& s : a.strategies) {
      json runs = json::array();
      for (int seed = 1; seed <= a.seeds; ++seed) {
        const RunResult r = RunOne(p, s, static_cast<uint64_t>(seed), a.budget);
        runs.push_back({{"seed", seed}, {"regret", r.regret}, {"server_seconds", r.server_seconds},
                        {"options", Setup(s, p.dim).strategy}});
        std::fprintf(stderr, "%s %s seed %d: final regret %.4g (server %.2fs)\n", name.c_str(), s.c_str(), seed,
                     r.regret.back(), r.server_seconds);
      }
      res["strategies"][s] = runs;
    }
    WriteFile(a.out + "/highdim_" + name + ".json", res.dump());
    results[name] = res;
  }
  Summary(a, results);
  return 0;
}

}  // namespace
}  // namespace bayesd::bench

int main(int argc, char** argv) { return bayesd::bench::Main(argc, argv); }
