#include "src/strategies/cbo_strategy.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "src/strategies/cbo_dynamics.h"
#include "src/strategies/cbo_options.h"
#include "src/strategies/zo_common.h"
#include "src/study/space.h"

namespace bayesd {
namespace cbo {
namespace {

using nlohmann::json;
using zo::Batch;
using zo::Rng;
using zo::Slot;
using zo::SlotStatus;
using zo::StreamRng;

constexpr uint64_t kStepStream = 0;
constexpr uint64_t kRestartStream = 1ULL << 32;
constexpr uint64_t kJitterStream = 1ULL << 40;
constexpr double kEssAlphaMin = 1e-10;
constexpr double kDefaultScoutSpread = 0.1;

struct CboState {
  int64_t generation = 0;           // CBO steps taken
  double alpha = 1.0;               // current alpha (the schedule's state)
  std::vector<double> consensus;    // last consensus point in [0,1]^d; empty before the first step
  Batch batch;                      // slots 0..N-1: particles; further slots: scouts
  int64_t extensions = 0;           // scouts drawn in this generation (their random stream index)
  int64_t restarts = 0;
  int64_t dropped = 0;              // evaluations left out of a consensus after failures
};

json StateToJson(const CboState& s) {
  return {{"version", 1},
          {"generation", s.generation},
          {"alpha", s.alpha},
          {"consensus", s.consensus.empty() ? json(nullptr) : zo::VectorToJson(s.consensus)},
          {"batch", s.batch.ToJson()},
          {"extensions", s.extensions},
          {"restarts", s.restarts},
          {"stats", {{"dropped", s.dropped}}}};
}

StatusOr<CboState> StateFromJson(const json& j, int dim) {
  CboState s;
  try {
    s.generation = j.at("generation").get<int64_t>();
    s.alpha = j.at("alpha").get<double>();
    if (!j.at("consensus").is_null()) {
      ASSIGN_OR_RETURN(s.consensus, zo::VectorFromJson(j.at("consensus"), dim, "consensus"));
    }
    ASSIGN_OR_RETURN(s.batch, Batch::FromJson(j.at("batch"), dim));
    s.extensions = j.at("extensions").get<int64_t>();
    s.restarts = j.at("restarts").get<int64_t>();
    s.dropped = j.at("stats").value("dropped", int64_t{0});
  } catch (const json::exception& e) {
    return Internal(std::string("cbo strategy state is malformed: ") + e.what());
  }
  return s;
}

class CboStrategy : public Strategy {
 public:
  CboStrategy(const StudyConfig& config, StatusOr<CboOptions> options)
      : options_status_(options.status()),
        options_(options.ok() ? *options : CboOptions()),
        space_(config.parameters),
        dim_(space_.dimension()) {}

  StatusOr<std::vector<Suggestion>> Suggest(const StudySnapshot& study, int count, StrategyState* state) override {
    ASSIGN_OR_RETURN(CboState s, Load(study, *state));
    if (Ready(study, s)) NextGeneration(study, &s);
    std::vector<Suggestion> out = HandOut(study, count, &s);
    state->json = StateToJson(s);
    return out;
  }

  StatusOr<std::optional<Recommendation>> Recommend(const StudySnapshot&, const StrategyState& state) override {
    auto c = state.json.find("consensus");
    if (c == state.json.end() || c->is_null()) return std::optional<Recommendation>();
    ASSIGN_OR_RETURN(std::vector<double> u, zo::VectorFromJson(*c, dim_, "consensus"));
    return std::optional<Recommendation>(Recommendation{space_.FromUnit(u), {}});
  }

  json Summary(const StudySnapshot&, const StrategyState& state) override {
    return {{"cbo_generation", state.json.value("generation", int64_t{0})},
            {"cbo_alpha", state.json.value("alpha", options_.alpha)},
            {"cbo_restarts", state.json.value("restarts", int64_t{0})}};
  }

 private:
  StatusOr<CboState> Load(const StudySnapshot& study, const StrategyState& state) const {
    RETURN_IF_ERROR(options_status_);
    CboState s;
    if (state.json.contains("batch")) {
      ASSIGN_OR_RETURN(s, StateFromJson(state.json, dim_));
    } else {
      s.alpha = options_.alpha;
      if (!study.trials.empty()) s.batch.watermark = study.trials.back().number + 1;
      Rng rng = StreamRng(study.config.seed, 0, kRestartStream);
      StartGeneration(UniformParticles(&rng), &s);
    }
    s.batch.Link(study.trials);
    return s;
  }

  std::vector<std::vector<double>> UniformParticles(Rng* rng) const {
    std::vector<std::vector<double>> x(options_.particles, std::vector<double>(dim_));
    for (auto& xi : x) {
      for (double& v : xi) v = rng->Uniform();
    }
    return x;
  }

  static void StartGeneration(std::vector<std::vector<double>> particles, CboState* s) {
    s->batch.id += 1;
    s->batch.slots.clear();
    for (auto& p : particles) s->batch.slots.push_back(Slot{std::move(p), {}, false});
    s->extensions = 0;
  }

  bool Ready(const StudySnapshot& study, const CboState& s) const {
    for (const Slot& slot : s.batch.slots) {
      const SlotStatus st = zo::Resolve(slot, study.trials, options_.max_retries).status;
      if (st != SlotStatus::kDone && st != SlotStatus::kDropped) return false;
    }
    return true;
  }

  // Minimized values of the generation's slots; nullopt for dropped ones and, with "discard", infeasible ones
  // (unless no slot is feasible).
  std::vector<std::optional<double>> Values(const StudySnapshot& study, CboState* s) const {
    std::vector<std::optional<double>> f, feasible_f;
    bool any_feasible = false;
    for (const Slot& slot : s->batch.slots) {
      const zo::SlotOutcome o = zo::Resolve(slot, study.trials, options_.max_retries);
      std::optional<double> v;
      if (o.completed != nullptr) v = zo::MinimizedObjective(study.config, *o.completed, options_.constraint_penalty);
      if (!v) s->dropped += 1;
      const bool feasible = v && zo::Feasible(study.config, *o.completed);
      any_feasible = any_feasible || feasible;
      f.push_back(v);
      feasible_f.push_back(feasible ? v : std::nullopt);
    }
    const bool discard = options_.constraints == ConstraintHandling::kDiscard && !study.config.constraints.empty();
    return discard && any_feasible ? feasible_f : f;
  }

  double Alpha(const std::vector<std::optional<double>>& f, const CboState& s) const {
    switch (options_.alpha_schedule) {
      case AlphaSchedule::kFixed:
        return options_.alpha;
      case AlphaSchedule::kMultiply:
        return std::min(options_.alpha_max, s.alpha);
      case AlphaSchedule::kEss:
        return EssAlpha(f, options_.ess_eta, kEssAlphaMin, options_.alpha_max);
    }
    return options_.alpha;
  }

  void NextGeneration(const StudySnapshot& study, CboState* s) const {
    const std::vector<std::optional<double>> f = Values(study, s);
    s->alpha = Alpha(f, *s);
    const std::vector<double> w = GibbsWeights(f, s->alpha);
    std::vector<std::vector<double>> points;
    for (const Slot& slot : s->batch.slots) points.push_back(slot.u);
    const bool any = std::any_of(w.begin(), w.end(), [](double x) { return x > 0.0; });
    if (any) s->consensus = WeightedMean(points, w);
    if (s->consensus.empty()) s->consensus.assign(dim_, 0.5);
    points.resize(options_.particles);  // scouts are not carried over
    Rng rng = StreamRng(study.config.seed, static_cast<uint64_t>(s->batch.id), kStepStream);
    StepParams p{options_.lambda, options_.sigma * std::pow(options_.sigma_decay, static_cast<double>(s->generation)),
                 options_.dt, options_.noise};
    Step(s->consensus, p, &rng, &points);
    s->generation += 1;
    if (options_.alpha_schedule == AlphaSchedule::kMultiply) {
      s->alpha = std::min(options_.alpha_max, s->alpha * options_.alpha_factor);
    }
    MaybeRestart(study, s, &points);
    StartGeneration(std::move(points), s);
  }

  // Root-mean-square distance per coordinate of the particles to c.
  double Spread(const std::vector<std::vector<double>>& x, const std::vector<double>& c) const {
    double sum = 0.0;
    for (const auto& xi : x) {
      for (int j = 0; j < dim_; ++j) sum += (xi[j] - c[j]) * (xi[j] - c[j]);
    }
    return std::sqrt(sum / (static_cast<double>(x.size()) * dim_));
  }

  void MaybeRestart(const StudySnapshot& study, CboState* s, std::vector<std::vector<double>>* points) const {
    if (options_.restart_tolerance <= 0.0 || Spread(*points, s->consensus) >= options_.restart_tolerance) return;
    Rng rng = StreamRng(study.config.seed, static_cast<uint64_t>(s->batch.id), kRestartStream);
    *points = UniformParticles(&rng);
    s->restarts += 1;
    if (options_.alpha_schedule == AlphaSchedule::kMultiply) s->alpha = options_.alpha;
  }

  // A scout: Gaussian around the consensus with the swarm's spread (uniform before the first consensus).
  void AddScout(const StudySnapshot& study, CboState* s) const {
    Rng rng = StreamRng(study.config.seed, static_cast<uint64_t>(s->batch.id), 1 + s->extensions++);
    std::vector<double> u(dim_);
    if (s->consensus.empty()) {
      for (double& v : u) v = rng.Uniform();
    } else {
      std::vector<std::vector<double>> particles;
      for (int i = 0; i < options_.particles; ++i) particles.push_back(s->batch.slots[i].u);
      const double spread = std::max(Spread(particles, s->consensus), 1e-3);
      for (int j = 0; j < dim_; ++j) u[j] = s->consensus[j] + spread * rng.Normal();
      zo::ClampToUnitCube(&u);
    }
    s->batch.slots.push_back(Slot{std::move(u), {}, false});
  }

  std::vector<Suggestion> HandOut(const StudySnapshot& study, int count, CboState* s) const {
    std::set<std::vector<double>> taken = zo::PendingPoints(study.trials);
    Rng jitter = StreamRng(study.config.seed, static_cast<uint64_t>(s->batch.id),
                           kJitterStream + static_cast<uint64_t>(s->batch.watermark));
    std::vector<Suggestion> out;
    for (size_t i = 0; static_cast<int>(out.size()) < count; ++i) {
      if (i == s->batch.slots.size()) AddScout(study, s);
      Slot& slot = s->batch.slots[i];
      if (zo::Resolve(slot, study.trials, options_.max_retries).status != SlotStatus::kOpen) continue;
      Suggestion sug;
      sug.params = zo::UniqueRawPoint(space_, &slot.u, &jitter, &taken);
      if (study.config.fidelity) sug.fidelity = study.config.fidelity->target();
      sug.diagnostics = zo::SlotTag(s->batch.id, static_cast<int>(i));
      sug.diagnostics["strategy"] = "cbo";
      sug.diagnostics["generation"] = s->generation;
      sug.diagnostics["role"] = static_cast<int>(i) < options_.particles ? "particle" : "scout";
      if (!slot.trials.empty()) sug.diagnostics["retry"] = static_cast<int>(slot.trials.size());
      slot.issued = true;
      out.push_back(std::move(sug));
    }
    return out;
  }

  Status options_status_;
  CboOptions options_;
  SearchSpace space_;
  int dim_;
};

Status ValidateCbo(const StudyConfig& config) { return ParseCboOptions(config).status(); }

std::unique_ptr<Strategy> CreateCbo(const StudyConfig& config) {
  return std::make_unique<CboStrategy>(config, ParseCboOptions(config));
}

}  // namespace
}  // namespace cbo

StrategyFactory CboStrategyFactory() { return {cbo::ValidateCbo, cbo::CreateCbo}; }

}  // namespace bayesd
