#include "src/strategies/cbo_strategy.h"

#include <algorithm>
#include <cmath>
#include <optional>
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
constexpr double kMinSpread = 1e-12;  // hopping without restarts: the spread never reaches 0

struct CboState {
  int64_t seq = 0;                  // writes of this state (the decoded-state cache key, with a fingerprint)
  int64_t generation = 0;           // CBO steps taken
  double alpha = 1.0;               // current alpha (the schedule's state)
  std::vector<double> consensus;    // last consensus point in [0,1]^d; empty before the first step
  Batch batch;                      // slots 0..N-1: particles; further slots: scouts
  int64_t extensions = 0;           // scouts drawn in this generation (their random stream index)
  int64_t restarts = 0;
  int64_t dropped = 0;              // evaluations left out of a consensus after failures
  // hopping only: the consensus m is the centre of the current generation's samples
  double spread = 0.0;              // s: samples are m + s z
  std::vector<double> path;         // cumulative path of the hops (d)
  int64_t population = 0;           // particles per generation (grows on restarts)
};

// A cheap fingerprint of a persisted state: the cache of the decoded state is used only when the state passed in is
// the one this object wrote last (same sequence number and same fingerprint). Another writer or an older state
// differs in the sequence number, the batch or the consensus.
std::string Fingerprint(const json& j) { return zo::StateFingerprint(j, {"generation", "consensus"}); }

json StateToJson(const CboState& s) {
  json j = {{"version", 1},
          {"seq", s.seq},
          {"generation", s.generation},
          {"alpha", s.alpha},
          {"consensus", s.consensus.empty() ? json(nullptr) : zo::VectorToJson(s.consensus)},
          {"batch", s.batch.ToJson()},
          {"extensions", s.extensions},
          {"restarts", s.restarts},
          {"stats", {{"dropped", s.dropped}}}};
  if (s.population > 0) {
    j["spread"] = s.spread;
    j["path"] = zo::VectorToJson(s.path);
    j["population"] = s.population;
  }
  return j;
}

StatusOr<CboState> StateFromJson(const json& j, int dim) {
  CboState s;
  try {
    s.seq = j.value("seq", int64_t{0});
    s.generation = j.at("generation").get<int64_t>();
    s.alpha = j.at("alpha").get<double>();
    if (!j.at("consensus").is_null()) {
      ASSIGN_OR_RETURN(s.consensus, zo::VectorFromJson(j.at("consensus"), dim, "consensus"));
    }
    ASSIGN_OR_RETURN(s.batch, Batch::FromJson(j.at("batch"), dim));
    s.extensions = j.at("extensions").get<int64_t>();
    s.restarts = j.at("restarts").get<int64_t>();
    s.dropped = j.at("stats").value("dropped", int64_t{0});
    if (j.contains("population")) {
      s.spread = j.at("spread").get<double>();
      ASSIGN_OR_RETURN(s.path, zo::VectorFromJson(j.at("path"), dim, "path"));
      s.population = j.at("population").get<int64_t>();
    }
  } catch (const json::exception& e) {
    return Internal(std::string("cbo strategy state is malformed: ") + e.what());
  }
  return s;
}

class CboStrategy : public Strategy {
 public:
  CboStrategy(const StudyConfig& config, CboOptions options)
      : options_(std::move(options)),
        space_(config.parameters),
        dim_(space_.dimension()),
        seed_(config.seed) {}

  StatusOr<std::vector<Suggestion>> Suggest(const StudySnapshot& study, int count, StrategyState* state) override {
    ASSIGN_OR_RETURN(CboState s, Load(study, *state));
    if (Ready(study, s)) NextGeneration(study, &s);
    std::vector<Suggestion> out = HandOut(study, count, &s);
    Store(std::move(s), state);
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
            {"cbo_restarts", state.json.value("restarts", int64_t{0})},
            {"cbo_spread", state.json.value("spread", json(nullptr))},
            {"cbo_population", state.json.value("population", json(options_.particles))}};
  }

 private:
  // Writes the state (sequence number + 1) and keeps the decoded copy for the next call.
  void Store(CboState s, StrategyState* state) {
    s.seq += 1;
    state->json = StateToJson(s);
    cache_fingerprint_ = Fingerprint(state->json);
    cache_ = std::move(s);
  }

  StatusOr<CboState> Load(const StudySnapshot& study, const StrategyState& state) {
    CboState s;
    if (cache_ && state.json.contains("batch") && Fingerprint(state.json) == cache_fingerprint_) {
      s = std::move(*cache_);  // the state we wrote last: skip decoding it
      cache_.reset();
    } else if (state.json.contains("batch")) {
      cache_.reset();
      ASSIGN_OR_RETURN(s, StateFromJson(state.json, dim_));
      RETURN_IF_ERROR(Regenerate(&s));
    } else {
      s.alpha = options_.alpha;
      if (!study.trials.empty()) s.batch.watermark = study.trials.back().number + 1;
      if (options_.dynamics == Dynamics::kHopping) {
        s.consensus.assign(dim_, 0.5);
        s.spread = options_.spread;
        s.path.assign(dim_, 0.0);
        s.population = options_.particles;
        StartGeneration(Samples(s, s.batch.id + 1), &s, /*derived=*/true);
      } else {
        Rng rng = StreamRng(study.config.seed, 0, kRestartStream);
        StartGeneration(UniformParticles(&rng), &s);
      }
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

  // hopping: the generation's particles m + s z_i, in mirrored pairs (z, -z), clipped into the cube.
  // `batch_id` is the id of the generation the samples are for.
  std::vector<std::vector<double>> Samples(const CboState& s, int64_t batch_id) const {
    Rng rng = StreamRng(seed_, static_cast<uint64_t>(batch_id), kStepStream);
    std::vector<std::vector<double>> x(s.population, std::vector<double>(dim_));
    for (int64_t i = 0; i < s.population; ++i) {
      for (int j = 0; j < dim_; ++j) {
        const double z = i % 2 == 0 ? rng.Normal() : s.consensus[j] - x[i - 1][j];  // -z for the odd one
        x[i][j] = i % 2 == 0 ? s.consensus[j] + s.spread * z : s.consensus[j] + z;
      }
    }
    for (auto& xi : x) zo::ClampToUnitCube(&xi);
    return x;
  }

  // derived: the particles are a function of the persisted state (hopping), not written (zo_common.h, Slot).
  static void StartGeneration(std::vector<std::vector<double>> particles, CboState* s, bool derived = false) {
    s->batch.id += 1;
    s->batch.slots.clear();
    for (auto& p : particles) s->batch.slots.push_back(Slot{std::move(p), {}, false, derived});
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
    if (options_.dynamics == Dynamics::kHopping) {
      Hop(study, w, s);
      return;
    }
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

  // Consensus hopping: m <- m + lambda (c - m); the spread follows the cumulative path of the weighted sample
  // displacements z_w = sum w_i (x_i - m) / s (CMA-ES's cumulative step-size adaptation, Hansen and Ostermeier
  // 2001, with mu_eff = 1 / sum w_i^2 the effective sample size of the Gibbs weights).
  void Hop(const StudySnapshot& study, const std::vector<double>& w, CboState* s) const {
    if (std::none_of(w.begin(), w.end(), [](double x) { return x > 0.0; })) {  // every evaluation dropped: resample
      s->generation += 1;
      StartGeneration(Samples(*s, s->batch.id + 1), s, /*derived=*/true);
      return;
    }
    std::vector<double> zw(dim_, 0.0), c(dim_, 0.0);
    double sum_w2 = 0.0;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == 0.0) continue;
      sum_w2 += w[i] * w[i];
      const std::vector<double>& x = s->batch.slots[i].u;
      for (int j = 0; j < dim_; ++j) {
        c[j] += w[i] * x[j];
        zw[j] += w[i] * (x[j] - s->consensus[j]) / s->spread;
      }
    }
    const double d = dim_;
    const double mu_eff = 1.0 / sum_w2;
    const double cs =
        options_.path_rate > 0.0 ? options_.path_rate : std::min(0.9, 6.0 * (mu_eff + 2.0) / (d + mu_eff + 5.0));
    const double ds = 1.0 + 2.0 * std::max(0.0, std::sqrt((mu_eff - 1.0) / (d + 1.0)) - 1.0) + cs;
    const double chi = std::sqrt(d) * (1.0 - 1.0 / (4.0 * d) + 1.0 / (21.0 * d * d));
    const double gain = std::sqrt(cs * (2.0 - cs) * mu_eff);
    double norm2 = 0.0;
    for (int j = 0; j < dim_; ++j) {
      s->consensus[j] += options_.lambda * (c[j] - s->consensus[j]);
      s->path[j] = (1.0 - cs) * s->path[j] + gain * zw[j];
      norm2 += s->path[j] * s->path[j];
    }
    zo::ClampToUnitCube(&s->consensus);
    if (!std::isfinite(norm2)) s->path.assign(dim_, 0.0);
    const double factor = std::isfinite(norm2) ? std::exp(cs / ds * (std::sqrt(norm2) / chi - 1.0)) : 1.0;
    s->spread = std::clamp(s->spread * factor, kMinSpread, 1.0);  // floor: (x - m) / s stays finite
    s->generation += 1;
    if (options_.restart_tolerance > 0.0 && s->spread < options_.restart_tolerance) {
      Rng rng = StreamRng(study.config.seed, static_cast<uint64_t>(s->batch.id), kRestartStream);
      for (double& v : s->consensus) v = rng.Uniform();
      s->spread = options_.spread;
      s->path.assign(dim_, 0.0);
      s->population = std::min<int64_t>(10000, static_cast<int64_t>(std::llround(
                                                   static_cast<double>(s->population) * options_.restart_growth)));
      s->restarts += 1;
    }
    StartGeneration(Samples(*s, s->batch.id + 1), s, /*derived=*/true);
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

  // hopping: scout e (1, 2, ...) of the current generation, one more sample around the consensus.
  std::vector<double> HoppingScout(const CboState& s, int64_t e) const {
    Rng rng = StreamRng(seed_, static_cast<uint64_t>(s.batch.id), static_cast<uint64_t>(e));
    std::vector<double> u(dim_);
    for (int j = 0; j < dim_; ++j) u[j] = s.consensus[j] + s.spread * rng.Normal();
    zo::ClampToUnitCube(&u);
    return u;
  }

  // hopping: fills in the derived (not persisted) particle and scout positions after decoding.
  Status Regenerate(CboState* s) const {
    if (std::none_of(s->batch.slots.begin(), s->batch.slots.end(), [](const Slot& x) { return x.derived; })) {
      return OkStatus();
    }
    std::vector<std::vector<double>> points;
    if (s->population > 0) points = Samples(*s, s->batch.id);
    for (int64_t e = 1; e <= s->extensions && s->population > 0; ++e) points.push_back(HoppingScout(*s, e));
    if (points.size() != s->batch.slots.size()) {
      return Internal("cbo strategy state is inconsistent: generation " + std::to_string(s->generation) +
                      " has " + std::to_string(s->batch.slots.size()) + " slots, its particles regenerate to " +
                      std::to_string(points.size()));
    }
    for (size_t i = 0; i < points.size(); ++i) {
      if (s->batch.slots[i].derived) s->batch.slots[i].u = std::move(points[i]);
    }
    return OkStatus();
  }

  // A scout: hopping: the next HoppingScout; standard: Gaussian around the consensus with the swarm's spread
  // (uniform before the first consensus).
  void AddScout(const StudySnapshot& study, CboState* s) const {
    if (options_.dynamics == Dynamics::kHopping && !s->consensus.empty()) {
      s->extensions += 1;
      s->batch.slots.push_back(Slot{HoppingScout(*s, s->extensions), {}, false, /*derived=*/true});
      return;
    }
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
      bool jittered = false;
      sug.params = zo::UniqueRawPoint(space_, &slot.u, &jitter, &taken, &jittered);
      if (jittered) slot.derived = false;  // a moved point must be persisted
      if (study.config.fidelity) sug.fidelity = study.config.fidelity->target();
      sug.diagnostics = zo::SlotTag(s->batch.id, static_cast<int>(i));
      sug.diagnostics["strategy"] = "cbo";
      sug.diagnostics["generation"] = s->generation;
      sug.diagnostics["role"] = static_cast<int64_t>(i) < Population(*s) ? "particle" : "scout";
      if (!slot.trials.empty()) sug.diagnostics["retry"] = static_cast<int>(slot.trials.size());
      slot.issued = true;
      out.push_back(std::move(sug));
    }
    return out;
  }

  int64_t Population(const CboState& s) const { return s.population > 0 ? s.population : options_.particles; }

  CboOptions options_;
  SearchSpace space_;
  int dim_;
  uint64_t seed_;
  std::optional<CboState> cache_;  // the decoded state this object wrote last (see Fingerprint)
  std::string cache_fingerprint_;
};

Status ValidateCbo(const StudyConfig& config) { return ParseCboOptions(config).status(); }

StatusOr<std::unique_ptr<Strategy>> CreateCbo(const StudyConfig& config) {
  ASSIGN_OR_RETURN(CboOptions options, ParseCboOptions(config));
  return std::unique_ptr<Strategy>(std::make_unique<CboStrategy>(config, options));
}

}  // namespace
}  // namespace cbo

StrategyFactory CboStrategyFactory() { return {cbo::ValidateCbo, cbo::CreateCbo}; }

}  // namespace bayesd
