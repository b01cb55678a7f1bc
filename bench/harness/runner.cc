#include "bench/harness/runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

#include "bench/harness/bench_study.h"

namespace bayesd::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// CPU time of the calling thread (ms). In process the strategy runs in this thread, so a suggest call's thread CPU
// time is the strategy's CPU time whatever else loads the machine; over HTTP it is only the client's.
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return 1e3 * static_cast<double>(ts.tv_sec) + 1e-6 * static_cast<double>(ts.tv_nsec);
}

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

json OrNull(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

double Median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

json Header(const Problem& p, const RunSpec& spec, const BenchStudy& study) {
  return {{"format", "bayesd-bench/1"},
          {"generator", "bayesd_bench"},
          {"problem", p.name},
          {"category", p.category},
          {"dim", p.DesignDim()},
          {"minimize", p.minimize},
          {"optimum", p.optimum},
          {"optimum_status", p.optimum_status},
          {"strategy", spec.strategy},
          {"options", spec.options},
          {"label", spec.label.empty() ? spec.strategy : spec.label},
          {"seed", spec.seed},
          {"batch", spec.batch},
          {"mode", spec.mode},
          {"budget", {{"evaluations", spec.budget}, {"cost", OrNull(spec.cost_budget)}}},
          {"fidelity", study.fidelity ? study.fidelity->ToJson() : json(nullptr)},
          {"target_only", spec.target_only}};
}

// Running state of one run.
struct Progress {
  int evaluations = 0;
  double cum_cost = 0.0;
  std::optional<double> best;
  std::vector<double> suggest_ms;  // per call
  std::vector<double> suggest_cpu_ms;  // per call, thread CPU time
  json records = json::array();
};

// Evaluates and reports one suggested trial; appends its record.
Status Tell(const Problem& p, const BenchStudy& study, const SuggestedTrial& t, double suggest_ms,
            double suggest_cpu_ms, bool keep_diag, StudyClient* client, Progress* progress) {
  Outcome o = Evaluate(study, t.params, t.fidelity);
  if (o.finite) {
    RETURN_IF_ERROR(client->Complete(t.number, o.values, o.cost));
  } else {
    // A crash problem's region (bench/failures) fails like a crashed simulation; anything else non-finite too.
    const char* reason = p.category == "crash" ? "crashed (bench crash region)" : "non-finite value";
    RETURN_IF_ERROR(client->Fail(t.number, reason));
  }
  progress->evaluations += 1;
  progress->cum_cost += o.cost_charged;
  if (o.finite && o.feasible && o.at_target && (!progress->best || p.Better(o.value, *progress->best))) {
    progress->best = o.value;
  }
  std::optional<double> regret;
  if (progress->best) regret = p.Regret(*progress->best);
  json r = {{"i", progress->evaluations - 1},
            {"trial", t.number},
            {"call", progress->suggest_ms.size() - 1},
            {"x", t.params},
            {"fidelity", OrNull(t.fidelity)},
            {"at_target", o.at_target},
            {"value", o.finite ? json(o.value) : json(nullptr)},
            {"target_value", std::isfinite(o.target_value) ? json(o.target_value) : json(nullptr)},
            {"constraints", o.constraint_values},
            {"feasible", o.feasible},
            {"cost", o.cost_charged},
            {"cum_cost", progress->cum_cost},
            {"best", OrNull(progress->best)},
            {"regret", OrNull(regret)},
            {"suggest_ms", suggest_ms},
            {"suggest_cpu_ms", suggest_cpu_ms},
            {"failed", !o.finite}};
  if (keep_diag) r["diagnostics"] = t.diagnostics;
  progress->records.push_back(std::move(r));
  return OkStatus();
}

Status Drive(const Problem& p, const RunSpec& spec, const BenchStudy& study, StudyClient* client,
             Progress* progress) {
  while (progress->evaluations < spec.budget &&
         (!spec.cost_budget || progress->cum_cost < *spec.cost_budget)) {
    int count = std::min(spec.batch, spec.budget - progress->evaluations);
    auto start = Clock::now();
    const double cpu0 = ThreadCpuMs();
    StatusOr<std::vector<SuggestedTrial>> trials = client->Suggest(count);
    double ms = MsSince(start);
    const double cpu_ms = ThreadCpuMs() - cpu0;
    RETURN_IF_ERROR(trials.status());
    if (trials->empty()) return Internal("suggest returned no trials");
    progress->suggest_ms.push_back(ms);
    progress->suggest_cpu_ms.push_back(cpu_ms);
    for (const SuggestedTrial& t : *trials) {
      RETURN_IF_ERROR(Tell(p, study, t, ms, cpu_ms, spec.keep_diagnostics, client, progress));
    }
  }
  return OkStatus();
}

}  // namespace

std::string SafeLabel(const std::string& label) {
  std::string s = label;
  for (char& c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) c = '_';
  }
  return s.empty() ? "_" : s;
}

json RunBenchmark(const Problem& problem, const RunSpec& spec, StudyClient* client) {
  auto start = Clock::now();
  BenchStudy study = MakeBenchStudy(problem, spec.discrete_variant);
  study.fidelity_in_study = !spec.target_only;
  json run = Header(problem, spec, study);
  std::string name = "bench-" + problem.name + "-" + SafeLabel(run["label"].get<std::string>()) + "-s" +
                     std::to_string(spec.seed) + spec.name_suffix;
  if (name.size() > 128) name = name.substr(name.size() - 128);
  Progress progress;
  Status status = client->CreateStudy(CreateStudyBody(study, name, spec.strategy, spec.options, spec.seed));
  if (status.ok()) status = Drive(problem, spec, study, client, &progress);
  if (status.ok()) status = client->DeleteStudy();
  run["status"] = status.ok() ? "ok" : "error";
  run["error"] = status.ok() ? json(nullptr) : json(status.ToString());
  run["evaluations"] = std::move(progress.records);
  std::optional<double> regret;
  if (progress.best) regret = problem.Regret(*progress.best);
  double total_ms = 0;
  for (double ms : progress.suggest_ms) total_ms += ms;
  run["final"] = {{"evaluations", progress.evaluations},
                  {"cum_cost", progress.cum_cost},
                  {"best", OrNull(progress.best)},
                  {"regret", OrNull(regret)},
                  {"suggest_ms_median", Median(progress.suggest_ms)},
                  {"suggest_ms_total", total_ms},
                  {"suggest_cpu_ms_median", Median(progress.suggest_cpu_ms)},
                  {"wall_s", MsSince(start) / 1000.0}};
  return run;
}

StatusOr<std::string> WriteRun(const std::string& out_dir, const json& run) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(out_dir) / SafeLabel(run.at("problem").get<std::string>()) /
                 SafeLabel(run.at("label").get<std::string>());
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir.string() + ": " + ec.message());
  fs::path path = dir / ("seed_" + std::to_string(run.at("seed").get<uint64_t>()) + ".json");
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp);
    out << run.dump() << "\n";
    if (!out) return Internal("cannot write " + tmp.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) return Internal("cannot rename to " + path.string() + ": " + ec.message());
  return path.string();
}

}  // namespace bayesd::bench
