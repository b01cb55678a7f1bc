#include "src/strategies/zo_strategy.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "src/strategies/zo_common.h"
#include "src/strategies/zo_estimators.h"
#include "src/strategies/zo_options.h"
#include "src/study/space.h"

namespace bayesd {
namespace zo {
namespace {

using nlohmann::json;

constexpr uint64_t kJitterStream = 1ULL << 40;
constexpr uint64_t kStartStream = 7;
constexpr uint64_t kRestartStream = 1ULL << 32;
constexpr double kMinEta = 1e-12;  // normalized steps without restarts: eta (and mu with it) never reaches 0
constexpr int kMaxAdvances = 4;  // updates applied by one ask (each needs a resolved batch; normally one)

enum class Phase { kEstimate, kCheck };

struct ZoState {
  int64_t seq = 0;           // writes of this state (with Fingerprint, the key of the decoded-state cache)
  int64_t step = 0;          // updates applied so far
  std::vector<double> x;     // iterate in [0,1]^d
  std::vector<double> m, v;  // Adam moments
  Phase phase = Phase::kEstimate;
  double mu = 0.0;           // smoothing radius the batch was drawn with
  Batch batch;
  int extra_from = 0;        // slots >= extra_from were added for larger asks
  int64_t extensions = 0;    // extension draws in this batch (their random stream index)
  std::vector<std::vector<int64_t>> rankings;  // rankings of this batch's trials, best first
  int64_t estimates = 0, surrogate_steps = 0, skipped = 0;
  // optimizer "normalized": step length per coordinate and the cumulative path of step directions
  double eta = 0.0;
  std::vector<double> path;
  int64_t restarts = 0;
  int64_t q = 0;  // directions per estimate after restarts grew it (0: options q)
};

// A cheap fingerprint of a persisted state: the cached decoded state is used only when the state passed in is the
// one this object wrote last (same sequence number, step, batch and iterate). Another writer or an older state
// differs in the sequence number, the batch watermark or the iterate.
std::string Fingerprint(const json& j) { return zo::StateFingerprint(j, {"step", "x", "phase"}); }

json StateToJson(const ZoState& s) {
  json j = {{"version", 1},
          {"seq", s.seq},
          {"step", s.step},
          {"x", VectorToJson(s.x)},
          {"m", VectorToJson(s.m)},
          {"v", VectorToJson(s.v)},
          {"phase", s.phase == Phase::kCheck ? "check" : "estimate"},
          {"mu", s.mu},
          {"batch", s.batch.ToJson()},
          {"extra_from", s.extra_from},
          {"extensions", s.extensions},
          {"rankings", s.rankings},
          {"stats", {{"estimates", s.estimates}, {"surrogate_steps", s.surrogate_steps}, {"skipped", s.skipped},
                     {"restarts", s.restarts}}}};
  if (!s.path.empty()) {
    j["eta"] = s.eta;
    j["path"] = VectorToJson(s.path);
  }
  if (s.q > 0) j["q"] = s.q;
  return j;
}

StatusOr<ZoState> StateFromJson(const json& j, int dim) {
  ZoState s;
  try {
    s.seq = j.value("seq", int64_t{0});
    s.step = j.at("step").get<int64_t>();
    ASSIGN_OR_RETURN(s.x, VectorFromJson(j.at("x"), dim, "x"));
    ASSIGN_OR_RETURN(s.m, VectorFromJson(j.at("m"), dim, "m"));
    ASSIGN_OR_RETURN(s.v, VectorFromJson(j.at("v"), dim, "v"));
    s.phase = j.at("phase").get<std::string>() == "check" ? Phase::kCheck : Phase::kEstimate;
    s.mu = j.at("mu").get<double>();
    ASSIGN_OR_RETURN(s.batch, Batch::FromJson(j.at("batch"), dim));
    s.extra_from = j.at("extra_from").get<int>();
    s.extensions = j.at("extensions").get<int64_t>();
    s.rankings = j.at("rankings").get<std::vector<std::vector<int64_t>>>();
    const json& stats = j.at("stats");
    s.estimates = stats.value("estimates", int64_t{0});
    s.surrogate_steps = stats.value("surrogate_steps", int64_t{0});
    s.skipped = stats.value("skipped", int64_t{0});
    s.restarts = stats.value("restarts", int64_t{0});
    if (j.contains("path")) {
      s.eta = j.at("eta").get<double>();
      s.q = j.value("q", int64_t{0});
      ASSIGN_OR_RETURN(s.path, VectorFromJson(j.at("path"), dim, "path"));
    }
  } catch (const json::exception& e) {
    return Internal(std::string("zo strategy state is malformed: ") + e.what());
  }
  return s;
}

class ZoStrategy : public Strategy {
 public:
  ZoStrategy(const StudyConfig& config, ZoOptions options)
      : options_(std::move(options)),
        space_(config.parameters),
        dim_(space_.dimension()),
        seed_(config.seed) {}

  StatusOr<std::vector<Suggestion>> Suggest(const StudySnapshot& study, int count, StrategyState* state) override {
    ASSIGN_OR_RETURN(ZoState s, Load(study, *state));
    for (int i = 0; i < kMaxAdvances && Ready(study, s); ++i) Advance(study, &s);
    std::vector<Suggestion> out = HandOut(study, count, &s);
    Store(std::move(s), state);
    return out;
  }

  Status Rank(const StudySnapshot& study, const std::vector<int64_t>& numbers, StrategyState* state) override {
    if (options_.feedback != Feedback::kRank) {
      return FailedPrecondition("strategy zo learns from values here; create the study with strategy.feedback "
                                "\"rank\" to rank batches");
    }
    ASSIGN_OR_RETURN(ZoState s, Load(study, *state));
    RETURN_IF_ERROR(CheckRanking(s, numbers));
    s.rankings.push_back(numbers);
    Store(std::move(s), state);
    return OkStatus();
  }

  StatusOr<std::optional<Recommendation>> Recommend(const StudySnapshot&, const StrategyState& state) override {
    auto x = state.json.find("x");
    if (x == state.json.end()) return std::optional<Recommendation>();
    ASSIGN_OR_RETURN(std::vector<double> u, VectorFromJson(*x, dim_, "x"));
    return std::optional<Recommendation>(Recommendation{space_.FromUnit(u), {}});
  }

  json Summary(const StudySnapshot&, const StrategyState& state) override {
    json out = {{"zo_step", state.json.value("step", int64_t{0})}};
    if (state.json.contains("stats")) out["zo_stats"] = state.json["stats"];
    return out;
  }

 private:
  // Writes the state (sequence number + 1) and keeps the decoded copy for the next call.
  void Store(ZoState s, StrategyState* state) {
    s.seq += 1;
    state->json = StateToJson(s);
    cache_fingerprint_ = Fingerprint(state->json);
    cache_ = std::move(s);
  }

  // The persisted state with new trials linked, or a fresh state at the start point.
  StatusOr<ZoState> Load(const StudySnapshot& study, const StrategyState& state) {
    ZoState s;
    if (cache_ && state.json.contains("x") && Fingerprint(state.json) == cache_fingerprint_) {
      s = std::move(*cache_);  // the state this object wrote last: skip decoding it
      cache_.reset();
    } else if (state.json.contains("x")) {
      cache_.reset();
      ASSIGN_OR_RETURN(s, StateFromJson(state.json, dim_));
      RETURN_IF_ERROR(Regenerate(&s));
    } else {
      s.x = StartPoint(study);
      s.m.assign(dim_, 0.0);
      s.v.assign(dim_, 0.0);
      if (options_.optimizer == Optimizer::kNormalized) {
        s.eta = options_.learning_rate;
        s.path.assign(dim_, 0.0);
      }
      if (!study.trials.empty()) s.batch.watermark = study.trials.back().number + 1;
      NewEstimateBatch(study, &s);
    }
    s.batch.Link(study.trials);
    return s;
  }

  std::vector<double> StartPoint(const StudySnapshot& study) const {
    if (options_.start == Start::kRandom) {
      Rng rng = StreamRng(study.config.seed, 0, kStartStream);
      std::vector<double> x(dim_);
      for (double& xi : x) xi = rng.Uniform();
      return x;
    }
    const Trial* best = nullptr;
    double best_f = 0.0;
    for (const Trial& t : study.trials) {
      const std::optional<double> f = MinimizedObjective(study.config, t, options_.constraint_penalty);
      if (options_.start == Start::kAuto && f && (best == nullptr || *f < best_f)) {
        best = &t;
        best_f = *f;
      }
    }
    return best != nullptr ? space_.ToUnit(best->params) : std::vector<double>(dim_, 0.5);
  }

  double Mu(const ZoState& s) const {
    if (options_.optimizer == Optimizer::kNormalized) {
      return std::min(0.5, options_.mu * s.eta / options_.learning_rate);  // the radius moves with the step
    }
    return options_.mu / (1.0 + options_.mu_decay * static_cast<double>(s.step));
  }

  ProbeSpec Spec(double mu) const {
    ProbeSpec spec;
    spec.directions = options_.directions;
    spec.differences = options_.differences;
    spec.with_base = options_.feedback == Feedback::kValues;
    spec.mu = mu;
    return spec;
  }

  // Coordinates of one coordinate-wise estimate: all, or a random subset (partial Fisher-Yates).
  std::vector<int> Coordinates(Rng* rng) const {
    std::vector<int> all(dim_);
    for (int j = 0; j < dim_; ++j) all[j] = j;
    const int k = options_.coordinates == 0 ? dim_ : options_.coordinates;
    for (int i = 0; i < k; ++i) {
      const int pick = i + static_cast<int>(rng->Next() % static_cast<uint64_t>(dim_ - i));
      std::swap(all[i], all[pick]);
    }
    all.resize(k);
    return all;
  }

  // The points of the current batch as created (base point, probes); a function of the persisted state.
  std::vector<std::vector<double>> BatchPoints(const ZoState& s) const {
    if (s.phase == Phase::kCheck) return {s.x};
    Rng rng = StreamRng(seed_, static_cast<uint64_t>(s.batch.id), 0);
    const ProbeSpec spec = Spec(s.mu);
    std::vector<std::vector<double>> points;
    if (spec.with_base && spec.differences == Differences::kForward) points.push_back(s.x);
    std::vector<int> coords;
    if (spec.directions == Directions::kCoordinate) coords = Coordinates(&rng);
    const int q = s.q > 0 ? static_cast<int>(s.q) : options_.q;
    for (auto& p : MakeProbes(s.x, spec, q, coords, &rng)) points.push_back(std::move(p));
    return points;
  }

  // The points added by extension e (1, 2, ...) of the current batch (see Extend).
  std::vector<std::vector<double>> ExtensionPoints(const ZoState& s, int64_t e) const {
    Rng rng = StreamRng(seed_, static_cast<uint64_t>(s.batch.id), static_cast<uint64_t>(e));
    ProbeSpec spec = Spec(s.mu);
    const bool history_only = s.phase == Phase::kCheck || spec.directions == Directions::kCoordinate;
    if (history_only) spec.directions = Directions::kGaussian;
    if (history_only || !spec.with_base) spec.differences = Differences::kForward;
    return MakeProbes(s.x, spec, 1, {}, &rng);
  }

  // Fills in the points of derived slots (not persisted) after decoding.
  Status Regenerate(ZoState* s) const {
    if (std::none_of(s->batch.slots.begin(), s->batch.slots.end(), [](const Slot& x) { return x.derived; })) {
      return OkStatus();
    }
    std::vector<std::vector<double>> points = BatchPoints(*s);
    for (int64_t e = 1; e <= s->extensions; ++e) {
      for (auto& p : ExtensionPoints(*s, e)) points.push_back(std::move(p));
    }
    if (points.size() != s->batch.slots.size()) {
      return Internal("zo strategy state is inconsistent: batch " + std::to_string(s->batch.id) + " has " +
                      std::to_string(s->batch.slots.size()) + " slots, its points regenerate to " +
                      std::to_string(points.size()));
    }
    for (size_t i = 0; i < points.size(); ++i) {
      if (s->batch.slots[i].derived) s->batch.slots[i].u = std::move(points[i]);
    }
    return OkStatus();
  }

  void StartBatch(ZoState* s, Phase phase) const {
    s->batch.id += 1;
    s->batch.slots.clear();
    s->phase = phase;
    s->mu = Mu(*s);
    s->extensions = 0;
    s->rankings.clear();
  }

  void AddSlot(ZoState* s, std::vector<double> u) const {
    s->batch.slots.push_back(Slot{std::move(u), {}, false, /*derived=*/true});
  }

  void NewEstimateBatch(const StudySnapshot&, ZoState* s) const {
    StartBatch(s, Phase::kEstimate);
    for (auto& p : BatchPoints(*s)) AddSlot(s, std::move(p));
    s->extra_from = static_cast<int>(s->batch.slots.size());
  }

  void NewCheckBatch(ZoState* s) const {
    StartBatch(s, Phase::kCheck);
    AddSlot(s, s->x);
    s->extra_from = 1;
  }

  // Whether every slot is resolved: completed (values) or ranked (rank feedback), or dropped.
  bool Ready(const StudySnapshot& study, const ZoState& s) const {
    const std::set<int64_t> ranked = RankedNumbers(s);
    for (const Slot& slot : s.batch.slots) {
      const SlotOutcome o = Resolve(slot, study.trials, options_.max_retries);
      if (o.status == SlotStatus::kDropped) continue;
      if (options_.feedback == Feedback::kRank && s.phase == Phase::kEstimate) {
        if (std::none_of(slot.trials.begin(), slot.trials.end(), [&](int64_t n) { return ranked.count(n) > 0; })) {
          return false;
        }
      } else if (o.status != SlotStatus::kDone) {
        return false;
      }
    }
    return true;
  }

  static std::set<int64_t> RankedNumbers(const ZoState& s) {
    std::set<int64_t> ranked;
    for (const auto& r : s.rankings) ranked.insert(r.begin(), r.end());
    return ranked;
  }

  void Advance(const StudySnapshot& study, ZoState* s) const {
    if (s->phase == Phase::kCheck) {
      CheckStep(study, s);
      return;
    }
    const Estimate e = options_.feedback == Feedback::kRank ? RankEstimate(*s) : ValueEstimate(study, *s);
    s->estimates += 1;
    if (e.terms == 0) {
      s->skipped += 1;
      NewEstimateBatch(study, s);
      return;
    }
    ApplyUpdate(e.gradient, s);
    NextBatch(study, s);
  }

  void NextBatch(const StudySnapshot& study, ZoState* s) const {
    if (options_.surrogate == Surrogate::kLinear) {
      NewCheckBatch(s);
    } else {
      NewEstimateBatch(study, s);
    }
  }

  Estimate ValueEstimate(const StudySnapshot& study, const ZoState& s) const {
    const size_t used = options_.directions == Directions::kCoordinate ? static_cast<size_t>(s.extra_from)
                                                                        : s.batch.slots.size();
    std::vector<Query> queries;
    for (size_t i = 0; i < used && i < s.batch.slots.size(); ++i) {
      const Slot& slot = s.batch.slots[i];
      const SlotOutcome o = Resolve(slot, study.trials, options_.max_retries);
      std::optional<double> f;
      if (o.completed != nullptr) f = MinimizedObjective(study.config, *o.completed, options_.constraint_penalty);
      queries.push_back(Query{slot.u, f});
    }
    return EstimateFromValues(s.x, Spec(s.mu), queries);
  }

  Estimate RankEstimate(const ZoState& s) const {
    std::map<int64_t, int> slot_of;
    for (size_t i = 0; i < s.batch.slots.size(); ++i) {
      for (int64_t n : s.batch.slots[i].trials) slot_of[n] = static_cast<int>(i);
    }
    std::vector<std::pair<std::vector<double>, std::vector<double>>> pairs;
    for (const auto& ranking : s.rankings) {
      for (size_t a = 0; a < ranking.size(); ++a) {
        for (size_t b = a + 1; b < ranking.size(); ++b) {
          const int sa = slot_of.at(ranking[a]), sb = slot_of.at(ranking[b]);
          if (sa != sb) pairs.emplace_back(s.batch.slots[sa].u, s.batch.slots[sb].u);
        }
      }
    }
    return EstimateFromPairs(s.x, s.mu, pairs);
  }

  // Surrogate check of the iterate: a confident local linear fit gives the next step without new queries.
  void CheckStep(const StudySnapshot& study, ZoState* s) const {
    const SurrogateFit fit = FitAroundIterate(study, *s);
    if (fit.ok && fit.gradient_norm > 0.0 && fit.standard_error <= options_.surrogate_tolerance * fit.gradient_norm) {
      s->surrogate_steps += 1;
      ApplyUpdate(fit.gradient, s);
      NewCheckBatch(s);
      return;
    }
    const std::vector<int64_t> check_trials = s->batch.slots[0].trials;
    NewEstimateBatch(study, s);
    if (options_.differences == Differences::kForward) s->batch.slots[0].trials = check_trials;  // reuse f(x)
  }

  SurrogateFit FitAroundIterate(const StudySnapshot& study, const ZoState& s) const {
    const int history = options_.surrogate_history > 0 ? options_.surrogate_history : 10 * (dim_ + 1);
    const double radius = options_.surrogate_radius > 0.0 ? options_.surrogate_radius
                                                          : 3.0 * s.mu * std::sqrt(static_cast<double>(dim_));
    std::vector<std::vector<double>> points;
    std::vector<double> values;
    for (auto it = study.trials.rbegin(); it != study.trials.rend() && static_cast<int>(points.size()) < history;
         ++it) {
      const std::optional<double> f = MinimizedObjective(study.config, *it, options_.constraint_penalty);
      if (!f) continue;
      points.push_back(space_.ToUnit(it->params));
      values.push_back(*f);
    }
    return FitLocalLinear(s.x, points, values, radius);
  }

  // Normalized step with cumulative path-length control of its length (see ZoOptions::optimizer).
  void NormalizedUpdate(const std::vector<double>& g_raw, ZoState* s) const {
    // The direction only: g scaled by a power of two first (exact), so objectives near 1e-300 or 1e300 do not
    // underflow or overflow the squared norm into a "flat" estimate.
    const int e = ScaleExponent(g_raw);
    std::vector<double> g(g_raw.size());
    for (size_t j = 0; j < g.size(); ++j) g[j] = std::ldexp(g_raw[j], -e);
    double norm2 = 0.0;
    for (double gj : g) norm2 += std::isfinite(gj) ? gj * gj : 0.0;
    s->step += 1;
    if (!(norm2 > 0.0) || !std::isfinite(norm2)) return;  // a flat estimate: same iterate, fresh directions
    const double d = dim_;
    const double scale = std::sqrt(d / norm2);
    const double c = options_.path_rate;
    const double gain = std::sqrt(c * (2.0 - c));
    double path2 = 0.0;
    for (int j = 0; j < dim_; ++j) {
      const double u = std::isfinite(g[j]) ? -g[j] * scale : 0.0;  // unit scale per coordinate, |u| = sqrt(d)
      s->x[j] += s->eta * u;
      s->path[j] = (1.0 - c) * s->path[j] + gain * u;
      path2 += s->path[j] * s->path[j];
    }
    ClampToUnitCube(&s->x);
    const double chi = std::sqrt(d) * (1.0 - 1.0 / (4.0 * d) + 1.0 / (21.0 * d * d));
    s->eta = std::clamp(s->eta * std::exp(c * (std::sqrt(path2) / chi - 1.0)), kMinEta, 0.5);
    if (s->eta < options_.restart_tolerance) Restart(s);
  }

  // A collapsed step: continue from a random point with the initial step (the best point stays in the trials).
  void Restart(ZoState* s) const {
    Rng rng = StreamRng(seed_, static_cast<uint64_t>(s->batch.id), kRestartStream);
    for (double& v : s->x) v = rng.Uniform();
    s->eta = options_.learning_rate;
    s->path.assign(dim_, 0.0);
    s->restarts += 1;
    const double q = static_cast<double>(s->q > 0 ? s->q : options_.q);
    s->q = std::min<int64_t>(10000, std::llround(q * options_.restart_growth));
  }

  void ApplyUpdate(const std::vector<double>& g, ZoState* s) const {
    if (options_.optimizer == Optimizer::kNormalized) {
      NormalizedUpdate(g, s);
      return;
    }
    const double lr = options_.learning_rate / (1.0 + options_.lr_decay * static_cast<double>(s->step));
    s->step += 1;
    const double t = static_cast<double>(s->step);
    for (int j = 0; j < dim_; ++j) {
      const double gj = std::isfinite(g[j]) ? g[j] : 0.0;
      switch (options_.optimizer) {
        case Optimizer::kSgd:
          s->x[j] -= lr * gj;
          break;
        case Optimizer::kSignSgd:
          s->x[j] -= lr * static_cast<double>((gj > 0.0) - (gj < 0.0));
          break;
        case Optimizer::kNormalized:
          break;  // NormalizedUpdate
        case Optimizer::kAdam: {
          s->m[j] = options_.beta1 * s->m[j] + (1.0 - options_.beta1) * gj;
          s->v[j] = options_.beta2 * s->v[j] + (1.0 - options_.beta2) * gj * gj;
          const double m_hat = s->m[j] / (1.0 - std::pow(options_.beta1, t));
          const double v_hat = s->v[j] / (1.0 - std::pow(options_.beta2, t));
          s->x[j] -= lr * m_hat / (std::sqrt(v_hat) + options_.epsilon);
          break;
        }
      }
    }
    ClampToUnitCube(&s->x);  // projection onto the box
  }

  // Appends probes so that a larger ask can be served (see the header for what they are used for).
  void Extend(const StudySnapshot&, ZoState* s) const {
    s->extensions += 1;
    for (auto& p : ExtensionPoints(*s, s->extensions)) AddSlot(s, std::move(p));
  }

  std::vector<Suggestion> HandOut(const StudySnapshot& study, int count, ZoState* s) const {
    std::set<std::vector<double>> taken = PendingPoints(study.trials);
    Rng jitter = StreamRng(study.config.seed, static_cast<uint64_t>(s->batch.id),
                           kJitterStream + static_cast<uint64_t>(s->batch.watermark));
    std::vector<Suggestion> out;
    for (size_t i = 0; static_cast<int>(out.size()) < count; ++i) {
      if (i == s->batch.slots.size()) Extend(study, s);
      Slot& slot = s->batch.slots[i];
      if (Resolve(slot, study.trials, options_.max_retries).status != SlotStatus::kOpen) continue;
      Suggestion sug;
      bool jittered = false;
      sug.params = UniqueRawPoint(space_, &slot.u, &jitter, &taken, &jittered);
      if (jittered) slot.derived = false;  // a moved point must be persisted
      if (study.config.fidelity) sug.fidelity = study.config.fidelity->target();
      sug.diagnostics = SlotTag(s->batch.id, static_cast<int>(i));
      sug.diagnostics["strategy"] = "zo";
      sug.diagnostics["step"] = s->step;
      sug.diagnostics["role"] = Role(*s, i);
      if (!slot.trials.empty()) sug.diagnostics["retry"] = static_cast<int>(slot.trials.size());
      slot.issued = true;
      out.push_back(std::move(sug));
    }
    return out;
  }

  std::string Role(const ZoState& s, size_t i) const {
    if (static_cast<int>(i) >= s.extra_from) return "extra";
    if (s.phase == Phase::kCheck) return "check";
    const bool base = options_.feedback == Feedback::kValues && options_.differences == Differences::kForward;
    return base && i == 0 ? "base" : "probe";
  }

  Status CheckRanking(const ZoState& s, const std::vector<int64_t>& numbers) const {
    if (numbers.size() < 2) return InvalidArgument("a ranking needs at least two trial numbers", "numbers");
    std::set<int64_t> batch_numbers, seen;
    for (const Slot& slot : s.batch.slots) batch_numbers.insert(slot.trials.begin(), slot.trials.end());
    for (int64_t n : numbers) {
      if (!seen.insert(n).second) {
        return InvalidArgument("trial " + std::to_string(n) + " appears twice in the ranking", "numbers");
      }
      if (batch_numbers.count(n) == 0) {
        return InvalidArgument("trial " + std::to_string(n) + " is not in the current zo batch (batch " +
                                   std::to_string(s.batch.id) + "); rank the trials of the current batch",
                               "numbers");
      }
    }
    return OkStatus();
  }

  ZoOptions options_;
  SearchSpace space_;
  int dim_;
  uint64_t seed_;
  std::optional<ZoState> cache_;  // the decoded state this object wrote last (see Fingerprint)
  std::string cache_fingerprint_;
};

Status ValidateZo(const StudyConfig& config) { return ParseZoOptions(config).status(); }

StatusOr<std::unique_ptr<Strategy>> CreateZo(const StudyConfig& config) {
  ASSIGN_OR_RETURN(ZoOptions options, ParseZoOptions(config));
  return std::unique_ptr<Strategy>(std::make_unique<ZoStrategy>(config, options));
}

}  // namespace
}  // namespace zo

StrategyFactory ZoStrategyFactory() { return {zo::ValidateZo, zo::CreateZo}; }

}  // namespace bayesd
