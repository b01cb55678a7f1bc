// bayesd_bench: runs a registered strategy on benchmark problems over seeds, through the same StudyService a REST
// client reaches (in-process on MemoryStorage), or over HTTP against a running daemon (--url). See bench/README.md.

#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench/failures/failure_problems.h"
#include "gp/runtime.h"
#include "bench/harness/http_client.h"
#include "bench/harness/in_process_client.h"
#include "bench/harness/runner.h"
#include "bench/problems/problems.h"
#include "src/service/study_service.h"
#include "src/strategies/strategy.h"

namespace bayesd::bench {
namespace {

using nlohmann::json;

struct Cli {
  std::vector<std::string> problems;
  std::string strategy = "random";
  std::string options = "{}";
  std::string label;
  int seeds = 10;
  uint64_t first_seed = 0;
  int budget = 50;
  double cost_budget = 0.0;
  int batch = 1;
  std::string out = "bench/out";
  std::string url;
  std::string token;
  int jobs = 1;
  bool discrete_variant = false;
  bool target_only = false;
  bool keep_diagnostics = false;
  bool list = false;
  bool quiet = false;
  bool verbose = false;
};

void List() {
  std::printf("problems (also ackley_<d>d, rastrigin_<d>d for any d):\n");
  for (const Problem& p : AllProblems()) {
    std::printf("  %-22s %-15s d=%-3d %-8s optimum=%.10g (%s)\n", p.name.c_str(), p.category.c_str(),
                p.DesignDim(), p.minimize ? "minimize" : "maximize", p.optimum, p.optimum_status.c_str());
  }
  std::printf("crash problems (bench/failures: evaluations in a hidden region fail):\n");
  for (const Problem& p : AllCrashProblems()) {
    std::printf("  %-22s %-15s d=%-3d %-8s optimum=%.10g\n", p.name.c_str(), p.category.c_str(), p.DesignDim(),
                p.minimize ? "minimize" : "maximize", p.optimum);
  }
  std::printf("strategies (in-process):");
  for (const std::string& s : StrategyNames()) std::printf(" %s", s.c_str());
  std::printf("\n");
}

std::vector<std::string> SplitCommas(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    std::stringstream ss(item);
    std::string part;
    while (std::getline(ss, part, ',')) {
      if (!part.empty()) out.push_back(part);
    }
  }
  return out;
}

struct Job {
  const Problem* problem;
  uint64_t seed;
};

std::unique_ptr<StudyClient> MakeClient(const Cli& cli) {
  if (cli.url.empty()) return std::make_unique<InProcessClient>();
  return std::make_unique<HttpClient>(cli.url, cli.token);
}

// Runs one job and writes its file; returns false on any error.
bool RunJob(const Cli& cli, const RunSpec& base, const Job& job, std::mutex* print_mu) {
  RunSpec spec = base;
  spec.seed = job.seed;
  if (!cli.url.empty()) spec.name_suffix = "-" + std::to_string(NowMs());
  auto client = MakeClient(cli);
  json run = RunBenchmark(*job.problem, spec, client.get());
  StatusOr<std::string> path = WriteRun(cli.out, run);
  const json& f = run["final"];
  std::lock_guard<std::mutex> lock(*print_mu);
  if (!path.ok()) {
    std::fprintf(stderr, "%s\n", path.status().ToString().c_str());
    return false;
  }
  if (run["status"] != "ok") std::fprintf(stderr, "%s seed %llu: %s\n", job.problem->name.c_str(),
                                           static_cast<unsigned long long>(job.seed),
                                           run["error"].get<std::string>().c_str());
  if (!cli.quiet) {
    std::printf("%-22s %-14s seed %-3llu evals %-4d cost %-9.4g best %-14s regret %-12s suggest %.2f ms  %s\n",
                job.problem->name.c_str(), run["label"].get<std::string>().c_str(),
                static_cast<unsigned long long>(job.seed), f["evaluations"].get<int>(),
                f["cum_cost"].get<double>(), f["best"].dump().c_str(), f["regret"].dump().c_str(),
                f["suggest_ms_median"].get<double>(), path->c_str());
    std::fflush(stdout);
  }
  return run["status"] == "ok";
}

int RunAll(const Cli& cli, const RunSpec& base, const std::vector<Job>& jobs) {
  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  std::mutex print_mu;
  auto worker = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      if (!RunJob(cli, base, jobs[i], &print_mu)) ++failures;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < cli.jobs; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return failures == 0 ? 0 : 1;
}

// As the daemon (src/main.cc): OpenBLAS at one thread unless OPENBLAS_NUM_THREADS / OMP_NUM_THREADS say otherwise,
// so suggest times are those the daemon would see and the per-call thread CPU time covers all of the work; the same
// allocator settings (gp/runtime.h).
int Main(int argc, char** argv) {
  gp::LimitBlasThreads();
  gp::KeepMatricesInHeap();
  Cli cli;
  CLI::App app{"bayesd_bench: run a strategy on benchmark problems over seeds (see bench/README.md)"};
  app.add_option("-p,--problem", cli.problems, "problem name(s), comma-separated or repeated; 'all' for every one");
  app.add_option("-s,--strategy", cli.strategy, "registered strategy name")->capture_default_str();
  app.add_option("--options", cli.options, "strategy options as a JSON object, e.g. '{\"acquisition\":\"log_ei\"}'")
      ->capture_default_str();
  app.add_option("--label", cli.label, "series name in outputs and reports (default: the strategy name)");
  app.add_option("--seeds", cli.seeds, "number of seeds")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--first-seed", cli.first_seed, "first seed")->capture_default_str();
  app.add_option("-n,--budget", cli.budget, "evaluations per run")->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--cost-budget", cli.cost_budget, "stop once the cumulative cost reaches this (0: none)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("-b,--batch", cli.batch, "suggestions per suggest call")->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("-o,--out", cli.out, "output directory")->capture_default_str();
  app.add_option("--url", cli.url, "run over HTTP against a daemon at this URL (e.g. http://127.0.0.1:8080)");
  app.add_option("--token", cli.token, "bearer token for --url (default: $BAYESD_TOKEN)")->envname("BAYESD_TOKEN");
  app.add_option("-j,--jobs", cli.jobs, "runs in parallel")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_flag("--discrete-fidelity", cli.discrete_variant,
               "benchmark a continuous fidelity through the source's discrete variant where one exists");
  app.add_flag("--target-only", cli.target_only,
               "multi-fidelity problems: a study without fidelity, every evaluation at the target (and its cost)");
  app.add_flag("--keep-diagnostics", cli.keep_diagnostics, "copy each trial's diagnostics into the run file");
  app.add_flag("--list", cli.list, "list problems and strategies, then exit");
  app.add_flag("-q,--quiet", cli.quiet, "no per-run lines");
  app.add_flag("-v,--verbose", cli.verbose, "the service's info logs (default: warnings only)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(cli.verbose ? spdlog::level::info : spdlog::level::warn);

  if (cli.list) {
    List();
    return 0;
  }
  json options = json::parse(cli.options, nullptr, /*allow_exceptions=*/false);
  if (!options.is_object()) {
    std::fprintf(stderr, "--options must be a JSON object (got %s)\n", cli.options.c_str());
    return 2;
  }
  std::vector<const Problem*> problems;
  for (const std::string& name : SplitCommas(cli.problems)) {
    if (name == "all") {
      for (const Problem& p : AllProblems()) problems.push_back(&p);
      continue;
    }
    const Problem* p = FindProblem(name);
    if (!p) p = FindCrashProblem(name);
    if (!p) {
      std::fprintf(stderr, "unknown problem '%s' (see --list)\n", name.c_str());
      return 2;
    }
    problems.push_back(p);
  }
  if (problems.empty()) {
    std::fprintf(stderr, "no problem given (--problem NAME; see --list)\n");
    return 2;
  }
  RunSpec base;
  base.strategy = cli.strategy;
  base.options = options;
  base.label = cli.label.empty() ? cli.strategy : cli.label;
  base.budget = cli.budget;
  if (cli.cost_budget > 0) base.cost_budget = cli.cost_budget;
  base.batch = cli.batch;
  base.discrete_variant = cli.discrete_variant;
  base.target_only = cli.target_only;
  base.keep_diagnostics = cli.keep_diagnostics;
  base.mode = cli.url.empty() ? "in_process" : "http";
  std::vector<Job> jobs;
  for (const Problem* p : problems) {
    for (int s = 0; s < cli.seeds; ++s) jobs.push_back({p, cli.first_seed + static_cast<uint64_t>(s)});
  }
  return RunAll(cli, base, jobs);
}

}  // namespace
}  // namespace bayesd::bench

int main(int argc, char** argv) { return bayesd::bench::Main(argc, argv); }
