#include "bench/failures/failure_problems.h"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

#include "crash_problems_json.h"

namespace bayesd::bench {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The embedded file is part of the build; a malformed one is a programming error, reported and
// fatal at startup of the benchmark (never reachable from the daemon).
std::vector<CrashSpec> ParseSpecs() {
  std::vector<CrashSpec> specs;
  try {
    nlohmann::json file = nlohmann::json::parse(kCrashProblemsJson);
    for (const auto& p : file.at("problems")) {
      CrashSpec s;
      s.name = p.at("name").get<std::string>();
      s.base = p.at("base").get<std::string>();
      s.budget = p.at("budget").get<int>();
      for (const auto& h : p.at("crash_if_any"))
        s.crash_if_any.push_back({h.at("a").get<Vec>(), h.at("b").get<double>()});
      s.optimum_x = p.at("optimum_x").get<Vec>();
      specs.push_back(std::move(s));
    }
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "bench/failures/crash_problems.json: %s\n", e.what());
    std::abort();
  }
  return specs;
}

}  // namespace

const std::vector<CrashSpec>& CrashSpecs() {
  static const std::vector<CrashSpec> specs = ParseSpecs();
  return specs;
}

bool InCrashRegion(const CrashSpec& spec, const Vec& x) {
  for (const HalfSpace& h : spec.crash_if_any) {
    double dot = 0.0;
    for (size_t i = 0; i < h.a.size() && i < x.size(); ++i) dot += h.a[i] * x[i];
    if (dot > h.b) return true;
  }
  return false;
}

Problem MakeCrashProblem(const CrashSpec& spec, const Problem& base) {
  Problem p = base;
  p.name = spec.name;
  p.category = "crash";
  p.optimum_x = spec.optimum_x;
  p.optimum_all_x = {spec.optimum_x};
  p.source = base.source + "; crash region: bench/failures/crash_problems.json";
  auto objective = base.objective_fn;
  auto constraints = base.constraints_fn;
  int k = base.num_constraints;
  p.objective_fn = [spec, objective](const Vec& x) {
    return InCrashRegion(spec, x) ? kNaN : objective(x);
  };
  p.constraints_fn = [spec, constraints, k](const Vec& x) {
    return InCrashRegion(spec, x) ? Vec(static_cast<size_t>(k), kNaN) : constraints(x);
  };
  if (base.inner_fn) {
    auto inner = base.inner_fn;
    int m = base.num_outputs;
    p.inner_fn = [spec, inner, m](const Vec& x) {
      return InCrashRegion(spec, x) ? Vec(static_cast<size_t>(m), kNaN) : inner(x);
    };
  }
  if (base.level_fn) {
    auto level = base.level_fn;
    p.level_fn = [spec, level](const Vec& x, int l) {
      return InCrashRegion(spec, x) ? kNaN : level(x, l);
    };
  }
  return p;
}

const std::vector<Problem>& AllCrashProblems() {
  static const std::vector<Problem> problems = [] {
    std::vector<Problem> out;
    for (const CrashSpec& s : CrashSpecs()) {
      const Problem* base = FindProblem(s.base);
      if (!base) {
        std::fprintf(stderr, "bench/failures/crash_problems.json: %s: unknown base problem %s\n",
                     s.name.c_str(), s.base.c_str());
        std::abort();
      }
      out.push_back(MakeCrashProblem(s, *base));
    }
    return out;
  }();
  return problems;
}

const Problem* FindCrashProblem(std::string_view name) {
  for (const Problem& p : AllCrashProblems()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace bayesd::bench
