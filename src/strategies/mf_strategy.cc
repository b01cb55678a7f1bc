#include "src/strategies/mf_strategy.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "acquisition/acquisition.h"
#include "acquisition/monte_carlo.h"
#include "acquisition/optimizer.h"
#include "src/strategies/baseline_strategies.h"
#include "src/strategies/gp_composite.h"
#include "src/strategies/gp_encoding.h"
#include "src/strategies/mf_acquisition.h"
#include "src/strategies/mf_composite.h"
#include "src/strategies/mf_cost.h"
#include "src/strategies/mf_model.h"
#include "src/strategies/mf_options.h"
#include "src/strategies/model_util.h"
#include "src/study/composite.h"

namespace bayesd {
namespace {

using nlohmann::json;
namespace acq = acquisition;
using Clock = std::chrono::steady_clock;

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr int kMinPerLevel = 2;       // co-kriging needs this many observations at every level
constexpr int kMaxValueCandidates = 512;
// A lower-fidelity pick this close (max-abs, unit cube) to a point already evaluated at that fidelity is taken as a
// sign that the low level has nothing left to say there (the model still credits it because it underestimates the
// discrepancy): the target's own pick is evaluated instead.
constexpr double kSaturationDistance = 0.02;
// A saturated target pick (within kSaturationDistance of an evaluated target point) goes to target log EI; when that
// neighbourhood already holds this many target evaluations, log EI must pick a point at least kSaturationDistance
// from every evaluated target point. Without it Currin spent ~16 target evaluations on one point 0.02 from the
// optimum (the co-kriging delta level, with its target data in one place, cannot learn the shift of the argmax):
// median regret 0.00227 -> 0.000245 (Currin), 0.00037 -> 0.00027 (Forrester); 3 neighbours: 0.00045 / 0.00046,
// a radius on every saturated pick: 0.00039 / 0.0014 (it stops Forrester's last refinement steps).
constexpr int kMaxTargetNeighbours = 2;
// Composite EI smoothing temperature relative to the spread of the observed composite values (as the gp strategy).
constexpr double kCompositeTauRelative = 1e-6;

using model_util::AppendRow;
using model_util::Mix;
using model_util::Ms;

json Finite(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

struct MfData {
  MfObservations obj;                 // objective (oriented) at every modelled trial; composite outputs mode: the
                                      // composite value (NaN where it is not finite -- the outputs are still data)
  std::vector<Eigen::VectorXd> outputs;  // composite outputs mode: one vector per output, aligned with obj rows
  std::vector<Eigen::VectorXd> c;     // per constraint, aligned with obj rows
  std::vector<bool> feasible;         // per row
  std::vector<bool> at_target;        // per row
  std::vector<const Trial*> trials;   // per row
  std::vector<Eigen::MatrixXd> excluded;  // per candidate fidelity: completed, failed and pending points there
  Eigen::MatrixXd pending_x;
  std::vector<int> pending_fid;       // candidate index (nearest)
  std::vector<int> per_candidate;     // observations per candidate fidelity (nearest)
  double low_cost_since_target = 0;   // cost below the target since the last target-fidelity trial
  int num_trials = 0;
};

// What the steps of one model pick (MfStrategy::ModelPoint) share.
struct MfPickContext {
  // The objective's multi-fidelity model: the surrogate of the objective, or (composite outputs mode) the composite
  // of the output surrogates, in the composite's own (oriented) units.
  std::shared_ptr<CompositeFidelityModel> comp;
  std::shared_ptr<const MultiFidelityModel> obj;
  std::shared_ptr<const acq::Model> target;
  std::vector<acq::ConstraintModel> constraints;
  double incumbent = kNegInf;    // at the target fidelity (feasible when constrained), model space
  double best_target = kNegInf;  // the incumbent, or the believed target maximum before there is one
  double tau = 0;                // composite EI smoothing temperature
  Eigen::MatrixXd raw;           // raw candidates of every optimization
  const std::vector<Eigen::MatrixXd>* excluded = nullptr;
  acq::OptimizerOptions optimizer;
};

// The fidelity and point a model pick settles on, and why.
struct MfPick {
  int fidelity = -1;  // candidate index; -1: none found
  Eigen::VectorXd x;
  double value = kNegInf;
  std::string reason;
};

}  // namespace

class MfStrategy : public Strategy {
 public:
  MfStrategy(const StudyConfig& config, MfStrategyOptions options)
      : options_(options), encoding_(config.parameters), fid_(*config.fidelity),
        sign_(config.objective.goal == Goal::kMaximize ? 1.0 : -1.0), constraint_specs_(config.constraints),
        cost_(*config.fidelity) {
    if (config.objective.composite() && options_.composite_model == CompositeModel::kOutputs) {
      StatusOr<std::shared_ptr<CompositeOuter>> outer = CompositeOuter::Create(config);
      if (outer.ok()) {
        outer_ = *outer;
        for (const OutputSpec& o : config.outputs) output_names_.push_back(o.name);
        base_ = CompositeBaseSamples(static_cast<int>(output_names_.size()), options_.composite_samples, config.seed);
      }
    }
    num_objective_models_ = outer_ ? static_cast<int>(output_names_.size()) : 1;
    composite_objective_ = config.objective.composite();
    if (fid_.discrete) {
      values_ = fid_.levels;
      const double lo = fid_.levels.front(), hi = fid_.levels.back();
      for (double v : values_) coords_.push_back((v - lo) / (hi - lo));
    } else {
      const int g = options_.fidelity_grid;
      for (int i = 0; i < g; ++i) {
        const double u = static_cast<double>(i) / (g - 1);
        coords_.push_back(u);
        values_.push_back(i == g - 1 ? fid_.high : fid_.low + u * (fid_.high - fid_.low));
      }
    }
    coords_.back() = 1.0;
    configured_kind_ = options_.model == MfModelKind::kFidelityKernel ||
                               (options_.model == MfModelKind::kAuto && !fid_.discrete)
                           ? MfSurrogate::Kind::kFidelityKernel
                           : MfSurrogate::Kind::kCoKriging;
  }

  StatusOr<std::vector<Suggestion>> Suggest(const StudySnapshot& study, int count, StrategyState* state) override;
  StatusOr<std::vector<PointPrediction>> Predict(const StudySnapshot& study,
                                                 const std::vector<std::vector<double>>& points,
                                                 const StrategyState& state) override;
  StatusOr<std::optional<Recommendation>> Recommend(const StudySnapshot& study, const StrategyState& state) override;
  json Summary(const StudySnapshot& study, const StrategyState& state) override {
    json out = {{"acquisition", MfAcquisitionName(options_.acquisition)},
                {"mode", "multi_fidelity"},
                {"model", state.json.value("model", MfSurrogate::KindName(configured_kind_))},
                {"asks", state.json.value("asks", 0)}};
    if (study.config.objective.composite()) out["composite_model"] = composite() ? "outputs" : "scalar";
    return out;
  }

 private:
  int Target() const { return static_cast<int>(values_.size()) - 1; }
  int NearestCandidate(double fidelity) const {
    int best = 0;
    for (int i = 1; i < static_cast<int>(values_.size()); ++i) {
      if (std::abs(values_[i] - fidelity) < std::abs(values_[best] - fidelity)) best = i;
    }
    return best;
  }
  bool IsTarget(double fidelity) const { return fidelity == fid_.target(); }
  double Coord(double fidelity) const {
    if (fid_.discrete) return coords_[NearestCandidate(fidelity)];
    return std::clamp((fidelity - fid_.low) / (fid_.high - fid_.low), 0.0, 1.0);
  }
  double CostOf(int m) const { return cost_.Cost(values_[m]); }
  // A lower fidelity is a candidate only when it costs at most max_cost_ratio of the target (mf_options.h).
  bool Open(int m) const { return m == Target() || CostOf(m) <= options_.max_cost_ratio * CostOf(Target()); }
  // No lower fidelity is cheap enough to pay: the study runs single-fidelity at the target.
  bool SingleFidelity() const {
    for (int m = 0; m < Target(); ++m) {
      if (Open(m)) return false;
    }
    return true;
  }
  double TrialCost(const Trial& t) const {
    if (t.cost && std::isfinite(*t.cost) && *t.cost > 0) return *t.cost;
    return cost_.Cost(t.fidelity.value_or(fid_.target()));
  }

  bool composite() const { return outer_ != nullptr; }
  // Which outcomes the saved models are of: "objective", or "outputs:<name>,..." in composite outputs mode.
  std::string Layout() const;
  // Composite outputs mode: the composite of the output surrogates models[0..K-1].
  std::shared_ptr<CompositeFidelityModel> Composite(const std::vector<std::shared_ptr<MfSurrogate>>& models) const;
  // Composite EI smoothing temperature (units of the composite).
  double CompositeTau(const MfData& data) const;

  MfData Collect(const StudySnapshot& study) const;
  MfSurrogate::Kind KindFor(const MfData& data) const;
  bool EnsureModels(const MfData& data, const json& state_in, json* state_out, bool fit, json* diag);
  std::vector<std::pair<int, int>> Design() const;  // (sobol index, candidate fidelity)
  Suggestion DesignPoint(const StudyConfig& config, int design_index, std::vector<Eigen::MatrixXd>* excluded) const;
  Eigen::MatrixXd RawCandidates(const MfData& data, const acq::Model& target, uint64_t seed) const;
  Suggestion ModelPoint(const MfData& data, uint64_t seed, std::vector<std::shared_ptr<MfSurrogate>>* models,
                        std::vector<Eigen::MatrixXd>* excluded, double* low_cost);
  // The steps of ModelPoint.
  MfPickContext PickContext(const MfData& data, const std::vector<std::shared_ptr<MfSurrogate>>& models,
                            const std::vector<Eigen::MatrixXd>& excluded) const;
  // Target log EI (x PoF) with incumbent `best`: composite EI over the outputs' target models in outputs mode.
  std::shared_ptr<const acq::Acquisition> TargetLogEi(const MfPickContext& ctx, double best, bool with_pof) const;
  acq::OptimizerResult Optimize(const MfPickContext& ctx, const acq::Acquisition& a, int m, double radius = -1) const;
  // Each open fidelity's acquisition maximized; the best value per unit cost wins. results: one per fidelity.
  MfPick ScoreFidelities(const MfPickContext& ctx, const MfData& data, uint64_t seed, json* per,
                         std::vector<acq::OptimizerResult>* results, int* evaluations) const;
  // A pick next to a point already evaluated at its fidelity goes to the target, by target log EI.
  void AvoidSaturation(const MfPickContext& ctx, const std::vector<acq::OptimizerResult>& results, MfPick* pick) const;
  // After target_every_cost of lower-fidelity cost, or with no pick at all: the target-fidelity recommendation.
  void TargetGuard(const MfPickContext& ctx, double low_cost, MfPick* pick) const;

  MfStrategyOptions options_;
  GpEncoding encoding_;
  FidelitySpec fid_;
  double sign_;
  std::vector<ConstraintSpec> constraint_specs_;
  MfCostModel cost_;
  std::vector<double> values_;  // candidate fidelities (study units), ascending, last = target
  std::vector<double> coords_;  // their coordinates in [0, 1]
  MfSurrogate::Kind configured_kind_;
  std::shared_ptr<CompositeOuter> outer_;  // composite outputs mode only
  std::vector<std::string> output_names_;  // composite outputs mode only
  int num_objective_models_ = 1;           // 1, or one per output in composite outputs mode
  bool composite_objective_ = false;       // the study has a composite objective (either mode)
  Eigen::MatrixXd base_;                   // composite outputs mode: base samples (mf_composite.h)
  // Cache for Predict / Recommend / the next ask: valid for cache_n_ observations and the state's "models".
  std::vector<std::shared_ptr<MfSurrogate>> cache_;
  int cache_n_ = -1;
  bool cache_fit_ = false;
  json cache_theta_;
};

MfData MfStrategy::Collect(const StudySnapshot& study) const {
  const StudyConfig& config = study.config;
  MfData data;
  data.num_trials = static_cast<int>(study.trials.size());
  data.excluded.assign(values_.size(), Eigen::MatrixXd(0, encoding_.dim()));
  data.per_candidate.assign(values_.size(), 0);
  data.pending_x.resize(0, encoding_.dim());
  std::vector<std::vector<double>> c(config.constraints.size());
  std::vector<std::vector<double>> outs(output_names_.size());
  std::vector<double> y, s;
  Eigen::MatrixXd x(0, encoding_.dim());
  const double scale = fid_.discrete ? 1.0 : fid_.high - fid_.low;
  for (const Trial& t : study.trials) {
    if (t.state == TrialState::kAbandoned) continue;
    const double f = t.fidelity.value_or(fid_.target());
    const Eigen::VectorXd row = encoding_.Encode(t.params);
    const int cand = NearestCandidate(f);
    for (size_t m = 0; m < values_.size(); ++m) {
      if (std::abs(values_[m] - f) <= 1e-9 * scale) AppendRow(&data.excluded[m], row);
    }
    data.low_cost_since_target = IsTarget(f) ? 0.0 : data.low_cost_since_target + TrialCost(t);
    if (t.state == TrialState::kPending) {
      AppendRow(&data.pending_x, row);
      data.pending_fid.push_back(cand);
    }
    if (t.state != TrialState::kCompleted) continue;
    double v = 0;
    std::vector<double> ov, cv;
    if (!ModelledTrialValues(config, outer_.get(), output_names_, t.values, &v, &ov, &cv)) continue;
    AppendRow(&x, row);
    y.push_back(sign_ * v);
    s.push_back(Coord(f));
    data.obj.level.push_back(fid_.discrete ? cand : -1);
    for (size_t k = 0; k < cv.size(); ++k) c[k].push_back(cv[k]);
    for (size_t k = 0; k < ov.size(); ++k) outs[k].push_back(ov[k]);
    data.feasible.push_back(t.feasible.value_or(IsFeasible(config, t.values)));
    data.at_target.push_back(IsTarget(f));
    data.trials.push_back(&t);
    ++data.per_candidate[cand];
  }
  data.obj.x = x;
  data.obj.y = Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  data.obj.s = Eigen::Map<Eigen::VectorXd>(s.data(), static_cast<Eigen::Index>(s.size()));
  for (auto& ck : c) data.c.push_back(Eigen::Map<Eigen::VectorXd>(ck.data(), static_cast<Eigen::Index>(ck.size())));
  for (auto& o : outs) data.outputs.push_back(Eigen::Map<Eigen::VectorXd>(o.data(), static_cast<Eigen::Index>(o.size())));
  return data;
}

std::string MfStrategy::Layout() const {
  if (!composite()) return "objective";
  std::string out = "outputs:";
  for (size_t k = 0; k < output_names_.size(); ++k) out += (k ? "," : "") + output_names_[k];
  return out;
}

std::shared_ptr<CompositeFidelityModel> MfStrategy::Composite(
    const std::vector<std::shared_ptr<MfSurrogate>>& models) const {
  std::vector<std::shared_ptr<const MfSurrogate>> outputs(models.begin(), models.begin() + num_objective_models_);
  std::shared_ptr<CompositeOuter> outer = outer_;
  return std::make_shared<CompositeFidelityModel>(
      std::move(outputs), [outer](const Eigen::VectorXd& y, Eigen::VectorXd* g) { return outer->Evaluate(y, g); },
      sign_, base_);
}

double MfStrategy::CompositeTau(const MfData& data) const {
  double sum = 0, sum2 = 0, best = kNegInf;
  int finite = 0;
  for (Eigen::Index i = 0; i < data.obj.y.size(); ++i) {
    const double v = data.obj.y[i];
    if (!std::isfinite(v)) continue;
    ++finite;
    sum += v;
    sum2 += v * v;
    best = std::max(best, v);
  }
  double spread = finite > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / finite) / (finite - 1))) : 0.0;
  if (!(spread > 0) || !std::isfinite(spread)) spread = std::isfinite(best) ? std::max(1.0, std::abs(best)) : 1.0;
  return kCompositeTauRelative * spread;
}

MfSurrogate::Kind MfStrategy::KindFor(const MfData& data) const {
  if (configured_kind_ != MfSurrogate::Kind::kCoKriging) return configured_kind_;
  for (int n : data.per_candidate) {
    if (n < kMinPerLevel) return MfSurrogate::Kind::kFidelityKernel;
  }
  return MfSurrogate::Kind::kCoKriging;
}

bool MfStrategy::EnsureModels(const MfData& data, const json& state_in, json* state_out, bool fit, json* diag) {
  const int n = static_cast<int>(data.obj.y.size());
  // A state written for another model layout (e.g. before composite_model changed) is not reused.
  const bool same_layout = state_in.value("models_layout", std::string("objective")) == Layout();
  const json saved = same_layout ? state_in.value("models", json::array()) : json::array();
  const size_t num = num_objective_models_ + data.c.size();
  // A cache built without fitting (Predict) does not stand in for a fit: the next ask must refit exactly as it
  // would after a restart.
  if (cache_n_ == n && cache_theta_ == saved && cache_.size() == num && (!fit || cache_fit_)) return true;
  const MfSurrogate::Kind kind = KindFor(data);
  const std::string kind_name = MfSurrogate::KindName(kind);
  std::vector<std::shared_ptr<MfSurrogate>> models;
  json entries = json::array(), fits = json::array();
  for (size_t k = 0; k < num; ++k) {
    const json entry = k < saved.size() ? saved[k] : json();
    const bool usable = entry.is_object() && entry.contains("theta") && entry.value("kind", "") == kind_name;
    MfFitSettings fs;
    fs.random_starts = options_.fit_random_starts;
    fs.local_evaluations = options_.local_fit_evaluations;
    fs.seed = k;
    if (!usable) {
      fs.mode = FitMode::kFull;
    } else {
      const int fitted_n = entry.value("n", 0), full_n = entry.value("n_full", 0);
      if (!fit || n == fitted_n) {
        fs.mode = FitMode::kNone;
      } else if (n - full_n >= options_.full_refit_every) {
        fs.mode = FitMode::kFull;
      } else {
        fs.mode = options_.local_fit_evaluations > 0 ? FitMode::kLocal : FitMode::kNone;
      }
    }
    MfObservations obs = data.obj;
    const size_t nobj = static_cast<size_t>(num_objective_models_);
    if (k >= nobj) {
      obs.y = data.c[k - nobj];
    } else if (composite()) {
      obs.y = data.outputs[k];
    }
    std::shared_ptr<MfSurrogate> model = MfSurrogate::Create(kind, encoding_.spec(), coords_);
    json d = model->Fit(obs, usable ? entry["theta"] : json(), fs);
    d["mode"] = fs.mode == FitMode::kFull ? "full" : (fs.mode == FitMode::kLocal ? "local" : "restored");
    if (!model->ok()) {
      if (diag) (*diag)["fit"] = d;
      return false;
    }
    json e = {{"theta", model->Theta()},
              {"n", n},
              {"n_full", fs.mode == FitMode::kFull ? n : entry.value("n_full", n)},
              {"kind", kind_name}};
    if (fs.mode == FitMode::kNone && usable) e["n"] = entry.value("n", n);
    entries.push_back(e);
    fits.push_back(d);
    models.push_back(std::move(model));
  }
  if (diag) (*diag)["fit"] = num == 1 ? fits[0] : fits;
  cache_ = std::move(models);
  cache_n_ = n;
  cache_fit_ = fit;
  if (state_out) {
    (*state_out)["models"] = entries;
    (*state_out)["model"] = kind_name;
    if (composite()) {
      (*state_out)["models_layout"] = Layout();
    } else {
      state_out->erase("models_layout");
    }
  }
  cache_theta_ = state_out ? entries : saved;
  return true;
}

std::vector<std::pair<int, int>> MfStrategy::Design() const {
  const int d = encoding_.dim();
  const int n = options_.InitialTrials(d), nt = options_.InitialTargetTrials(d);
  std::vector<std::pair<int, int>> out;
  if (SingleFidelity()) {  // the single-fidelity gp's design, at the target
    for (int i = 0; i < n; ++i) out.push_back({i, Target()});
    return out;
  }
  for (int i = 0; i < n; ++i) out.push_back({i, 0});
  if (fid_.discrete) {
    for (int m = 1; m <= Target(); ++m) {
      for (int i = 0; i < nt; ++i) out.push_back({i, m});
    }
  } else {
    for (int i = 0; i < nt; ++i) out.push_back({i, Target()});
  }
  return out;
}

Suggestion MfStrategy::DesignPoint(const StudyConfig& config, int design_index,
                                   std::vector<Eigen::MatrixXd>* excluded) const {
  const std::vector<std::pair<int, int>> design = Design();
  const auto [first, m] = design[design_index % design.size()];
  const uint64_t stride = static_cast<uint64_t>(std::max<size_t>(design.size(), 1));
  Suggestion s;
  uint64_t index = static_cast<uint64_t>(first);
  for (int tries = 0; tries < 256; ++tries, index += stride) {
    const std::vector<double> u = ScrambledSobolPoints(encoding_.dim(), config.seed, index, 1)[0];
    s.params = encoding_.space().FromUnit(u);
    if (!acq::IsNearRow(encoding_.Encode(s.params), (*excluded)[m], 1e-12)) break;
  }
  AppendRow(&(*excluded)[m], encoding_.Encode(s.params));
  s.fidelity = values_[m];
  s.diagnostics = {{"strategy", "gp"}, {"mode", "multi_fidelity"}, {"phase", "initial"},
                   {"sobol_index", index}, {"fidelity", values_[m]}, {"cost", cost_.Cost(values_[m])}};
  return s;
}

Eigen::MatrixXd MfStrategy::RawCandidates(const MfData& data, const acq::Model& target, uint64_t seed) const {
  const int d = encoding_.dim();
  const int n = options_.raw_samples;
  const int local = data.obj.y.size() > 0 ? n / 4 : 0;
  Eigen::MatrixXd raw(n, d);
  const std::vector<std::vector<double>> sobol = ScrambledSobolPoints(d, seed, 0, n - local);
  for (int i = 0; i < n - local; ++i) raw.row(i) = encoding_.FromUnitCube(sobol[i]).transpose();
  if (local == 0) return raw;
  // Perturbations of the five observed points with the best target posterior mean.
  const Eigen::Index nobs = data.obj.x.rows();
  Eigen::VectorXd score = data.obj.y;
  if (const gp::Posterior p = target.PosteriorAt(data.obj.x, gp::PosteriorOptions()); p.status.ok()) {
    score = p.mean;
  }
  for (Eigen::Index i = 0; i < score.size(); ++i) {
    if (!std::isfinite(score[i])) score[i] = kNegInf;
  }
  std::vector<Eigen::Index> order(nobs);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return score[a] > score[b]; });
  const Eigen::Index top = std::min<Eigen::Index>(5, nobs);
  std::mt19937_64 rng(Mix(seed ^ 0x10ca1ULL));
  std::normal_distribution<double> normal;
  const std::vector<int> cont = encoding_.spec().ColumnsOfType(gp::ColumnType::kContinuous);
  for (int i = 0; i < local; ++i) {
    Eigen::VectorXd x = data.obj.x.row(order[i % top]).transpose();
    const double sc = (i % 2 == 0) ? 0.01 : 0.1;
    for (int j : cont) x[j] = std::clamp(x[j] + sc * normal(rng), 0.0, 1.0);
    raw.row(n - local + i) = x.transpose();
  }
  return raw;
}

MfPickContext MfStrategy::PickContext(const MfData& data, const std::vector<std::shared_ptr<MfSurrogate>>& models,
                                      const std::vector<Eigen::MatrixXd>& excluded) const {
  MfPickContext ctx;
  ctx.comp = composite() ? Composite(models) : nullptr;
  ctx.obj = ctx.comp ? std::shared_ptr<const MultiFidelityModel>(ctx.comp)
                     : std::shared_ptr<const MultiFidelityModel>(models[0]);
  ctx.target = ctx.obj->TargetModel();
  for (size_t k = 0; k < constraint_specs_.size(); ++k) {
    const ConstraintSpec& cs = constraint_specs_[k];
    const MfSurrogate& cm = *models[k + num_objective_models_];
    ctx.constraints.push_back({cm.TargetModel(), cm.ToModel(cs.bound), cs.op == ConstraintOp::kLessEqual});
  }
  for (Eigen::Index i = 0; i < data.obj.y.size(); ++i) {
    if (data.at_target[i] && std::isfinite(data.obj.y[i]) && (ctx.constraints.empty() || data.feasible[i])) {
      ctx.incumbent = std::max(ctx.incumbent, ctx.comp ? data.obj.y[i] : models[0]->ToModel(data.obj.y[i]));
    }
  }
  ctx.tau = ctx.comp ? CompositeTau(data) : 0.0;
  ctx.excluded = &excluded;
  ctx.optimizer.num_restarts = options_.restarts;
  ctx.optimizer.max_evaluations = options_.optimizer_evaluations;
  return ctx;
}

std::shared_ptr<const acq::Acquisition> MfStrategy::TargetLogEi(const MfPickContext& ctx, double best,
                                                                bool with_pof) const {
  std::shared_ptr<const acq::Acquisition> a;
  if (ctx.comp) {
    a = ctx.comp->TargetCompositeEi(std::isfinite(best) ? best : -1e300, ctx.tau);
  } else {
    a = std::make_shared<acq::LogExpectedImprovement>(ctx.target, best);
  }
  if (with_pof && !ctx.constraints.empty()) a = std::make_shared<acq::ConstrainedAcquisition>(a, ctx.constraints);
  return a;
}

acq::OptimizerResult MfStrategy::Optimize(const MfPickContext& ctx, const acq::Acquisition& a, int m,
                                          double radius) const {
  acq::OptimizationDomain domain{encoding_.spec(), [this](const Eigen::VectorXd& r) { return encoding_.Snap(r); },
                                 (*ctx.excluded)[m]};
  acq::OptimizerOptions o = ctx.optimizer;
  if (radius > 0) o.duplicate_tolerance = radius;
  return acq::OptimizeAcquisition(a, ctx.raw, domain, o);
}

MfPick MfStrategy::ScoreFidelities(const MfPickContext& ctx, const MfData& data, uint64_t seed, json* per,
                                   std::vector<acq::OptimizerResult>* results, int* evaluations) const {
  const int tgt = Target();
  // No lower fidelity cheap enough to pay (max_cost_ratio): the single-fidelity gp's rule, target log EI (x PoF).
  const bool single = SingleFidelity();
  Eigen::VectorXd max_values;
  if (options_.acquisition == MfAcquisition::kMfMes && !single) {
    const Eigen::Index m = std::min<Eigen::Index>(kMaxValueCandidates, ctx.raw.rows());
    Eigen::MatrixXd cand(m + data.obj.x.rows(), encoding_.dim());
    cand << ctx.raw.topRows(m), data.obj.x;
    max_values = ctx.comp ? ctx.comp->MaxValueSamples(cand, ctx.incumbent, options_.max_value_samples,
                                                      Mix(seed ^ 0x3a7ULL))
                          : acq::MaxValueEntropySearch(ctx.target, cand, ctx.incumbent, options_.max_value_samples)
                                .max_samples();
  }
  const double cost_t = cost_.Cost(values_[tgt]);
  MfPick pick;
  for (int m = 0; m <= tgt; ++m) {
    const double cost_m = cost_.Cost(values_[m]);
    if (!Open(m)) {
      per->push_back({{"fidelity", values_[m]}, {"cost", cost_m}, {"found", false},
                      {"skipped", "costs more than max_cost_ratio (" + json(options_.max_cost_ratio).dump() +
                                      ") of the target"}});
      results->push_back(acq::OptimizerResult());
      continue;
    }
    std::shared_ptr<const acq::Acquisition> a;
    if (single) {
      a = TargetLogEi(ctx, ctx.best_target, true);
    } else if (options_.acquisition == MfAcquisition::kMfMes) {
      a = std::make_shared<MultiFidelityMes>(ctx.obj, m, max_values, cost_m, ctx.constraints);
    } else {
      a = std::make_shared<CostWeightedEi>(ctx.obj, m, ctx.best_target, cost_t / cost_m, ctx.constraints,
                                           ctx.comp ? TargetLogEi(ctx, ctx.best_target, false) : nullptr);
    }
    const acq::OptimizerResult r = Optimize(ctx, *a, m);
    *evaluations += r.evaluations;
    results->push_back(r);
    json e = {{"fidelity", values_[m]}, {"cost", cost_m}, {"found", r.found}};
    if (r.found) {
      e["value"] = Finite(r.value);
      // Value per unit cost: mf_mes is information per cost already; cost_ei is log(EI r cost_T / cost_m).
      const bool mes = options_.acquisition == MfAcquisition::kMfMes && !single;
      e["value_per_cost"] = Finite(mes ? r.value : std::exp(r.value) / cost_t);
      if (mes) e["information"] = Finite(r.value * cost_m);
      if (single) e["acquisition"] = "log_ei";
      if (m != tgt) {
        JointFidelityPosterior jp;
        double rr = 0;
        if (ctx.obj->Joint(r.x, m, false, &jp) && FidelityCorrelation(jp, false, &rr, nullptr)) e["correlation"] = rr;
      }
      if (r.value > pick.value || pick.fidelity < 0) {
        pick.fidelity = m;
        pick.x = r.x;
        pick.value = r.value;
      }
    }
    per->push_back(e);
  }
  pick.reason = single ? "single fidelity: no lower fidelity costs at most max_cost_ratio (" +
                             json(options_.max_cost_ratio).dump() + ") of the target; target log EI"
                       : "acquisition";
  return pick;
}

void MfStrategy::AvoidSaturation(const MfPickContext& ctx, const std::vector<acq::OptimizerResult>& results,
                                 MfPick* pick) const {
  const int tgt = Target();
  const std::vector<Eigen::MatrixXd>& excluded = *ctx.excluded;
  if (pick->fidelity >= 0 && pick->fidelity < tgt && results[tgt].found &&
      acq::IsNearRow(pick->x, excluded[pick->fidelity], kSaturationDistance)) {
    pick->reason = "saturated: the fidelity " + json(values_[pick->fidelity]).dump() + " pick is within " +
                   json(kSaturationDistance).dump() + " of a point evaluated there; the target's pick instead";
    pick->fidelity = tgt;
    pick->x = results[tgt].x;
    pick->value = results[tgt].value;
  }
  const bool ei_at_target = options_.target_point_ei && options_.acquisition == MfAcquisition::kMfMes;
  if (pick->fidelity == tgt && !SingleFidelity() &&
      (ei_at_target || acq::IsNearRow(pick->x, excluded[tgt], kSaturationDistance))) {
    // A target pick next to an evaluated target point (MES keeps returning to the believed argmax) -- or every target
    // pick with `target_point_ei` -- is replaced by the maximizer of target log EI (x PoF).
    const std::shared_ptr<const acq::Acquisition> ei = TargetLogEi(ctx, ctx.best_target, true);
    int near = 0;
    for (Eigen::Index i = 0; i < excluded[tgt].rows(); ++i) {
      if ((excluded[tgt].row(i).transpose() - pick->x).cwiseAbs().maxCoeff() <= kSaturationDistance) ++near;
    }
    const double radius = near >= kMaxTargetNeighbours ? kSaturationDistance : -1;
    const acq::OptimizerResult r = Optimize(ctx, *ei, tgt, ei_at_target ? -1 : radius);
    if (r.found) {
      pick->x = r.x;
      pick->value = r.value;
      pick->reason += ei_at_target ? "; target point by target log EI"
                                   : "; target pick within " + json(kSaturationDistance).dump() +
                                         " of an evaluated target point: target log EI instead" +
                                         (radius > 0 ? " (at least " + json(kSaturationDistance).dump() +
                                                           " from every evaluated target point)"
                                                     : std::string());
    }
  }
}

void MfStrategy::TargetGuard(const MfPickContext& ctx, double low_cost, MfPick* pick) const {
  const int tgt = Target();
  const bool guard = !SingleFidelity() && options_.target_every_cost > 0 &&
                     low_cost >= options_.target_every_cost * cost_.Cost(values_[tgt]);
  if (!guard && pick->fidelity >= 0) return;
  // The target-fidelity recommendation: maximizer of the target posterior mean (x PoF), or of target log EI
  // (x PoF) when that point was already evaluated at the target.
  pick->reason = guard ? "guard: low-fidelity cost since the last target evaluation reached target_every_cost"
                       : "no candidate at a lower fidelity";
  std::shared_ptr<const acq::Acquisition> rec;
  if (ctx.constraints.empty()) {
    rec = std::make_shared<acq::UpperConfidenceBound>(ctx.target, 0.0);
  } else {
    rec = std::make_shared<acq::ConstrainedAcquisition>(
        std::make_shared<acq::LogProbabilityOfImprovement>(ctx.target, ctx.best_target), ctx.constraints);
  }
  acq::OptimizerResult r = Optimize(ctx, *rec, tgt);
  std::string how = ctx.constraints.empty() ? "posterior mean" : "probability of improvement x feasibility";
  if (!r.found || acq::IsNearRow(r.x, (*ctx.excluded)[tgt], 1e-3)) {
    r = Optimize(ctx, *TargetLogEi(ctx, ctx.best_target, true), tgt);
    how = "log expected improvement (the mean maximizer was already evaluated)";
  }
  if (r.found) {
    pick->fidelity = tgt;
    pick->x = r.x;
    pick->value = r.value;
    pick->reason += " (" + how + ")";
  }
}

Suggestion MfStrategy::ModelPoint(const MfData& data, uint64_t seed, std::vector<std::shared_ptr<MfSurrogate>>* models,
                                  std::vector<Eigen::MatrixXd>* excluded, double* low_cost) {
  const auto t0 = Clock::now();
  MfPickContext ctx = PickContext(data, *models, *excluded);
  const int n = static_cast<int>(data.obj.y.size());
  const int tgt = Target();
  ctx.raw = RawCandidates(data, *ctx.target, seed);
  const gp::Posterior at_obs = ctx.target->PosteriorAt(data.obj.x, gp::PosteriorOptions());
  const double believed = at_obs.status.ok() && at_obs.mean.size() > 0 ? at_obs.mean.maxCoeff() : kNegInf;
  ctx.best_target = std::isfinite(ctx.incumbent) ? ctx.incumbent : believed;
  // How tightly the target observations pin the target posterior (model units): the largest posterior sd at a point
  // observed at the target, and the target level's learned noise sd.
  double target_sd_at_observed = 0;
  if (at_obs.status.ok()) {
    for (Eigen::Index i = 0; i < at_obs.variance.size(); ++i) {
      if (data.at_target[i]) target_sd_at_observed = std::max(target_sd_at_observed, std::sqrt(std::max(0.0, at_obs.variance[i])));
    }
  }

  json per = json::array();
  std::vector<acq::OptimizerResult> results;
  int evaluations = 0;
  MfPick pick = ScoreFidelities(ctx, data, seed, &per, &results, &evaluations);
  AvoidSaturation(ctx, results, &pick);
  TargetGuard(ctx, *low_cost, &pick);

  Suggestion s;
  s.diagnostics = {{"strategy", "gp"}, {"mode", "multi_fidelity"}, {"phase", "model"},
                   {"acquisition", MfAcquisitionName(options_.acquisition)},
                   {"model", MfSurrogate::KindName((*models)[0]->kind())}, {"observations", n},
                   {"pending_conditioned", data.pending_x.rows()}, {"fidelities", per}, {"reason", pick.reason},
                   {"low_fidelity_cost_since_target", *low_cost}, {"cost_model", cost_.Describe()},
                   {"raw_candidates", ctx.raw.rows()}, {"optimizer_evaluations", evaluations},
                   {"target_sd_at_observed", Finite(target_sd_at_observed)},
                   {"target_noise_sd", Finite(std::sqrt(std::max(0.0, (*models)[0]->TargetModel()->NoiseVariance())))}};
  if (ctx.comp) {
    // One surrogate per output; target_noise_sd above is the first output's (its units).
    s.diagnostics["composite_model"] = "outputs";
    s.diagnostics["outputs"] = output_names_;
    json noise = json::array();
    for (int k = 0; k < num_objective_models_; ++k) {
      noise.push_back(Finite(std::sqrt(std::max(0.0, (*models)[k]->TargetModel()->NoiseVariance()))));
    }
    s.diagnostics["output_target_noise_sd"] = noise;
  } else if (composite_objective_) {
    s.diagnostics["composite_model"] = "scalar";
  }
  if (pick.fidelity < 0) {
    // Every candidate taken at every fidelity (tiny discrete spaces): a fresh Sobol point at the target.
    const std::vector<double> u = ScrambledSobolPoints(encoding_.dim(), Mix(seed), 0, 1)[0];
    s.params = encoding_.space().FromUnit(u);
    s.fidelity = values_[tgt];
    s.diagnostics["phase"] = "fallback";
    s.diagnostics["reason"] = "every candidate equals an observed, failed or pending point";
    *low_cost = 0;
    return s;
  }
  const int chosen = pick.fidelity;
  s.params = encoding_.Decode(pick.x);
  const Eigen::VectorXd x = encoding_.Encode(s.params);
  s.fidelity = values_[chosen];
  AppendRow(&(*excluded)[chosen], x);
  *low_cost = chosen == tgt ? 0.0 : *low_cost + cost_.Cost(values_[chosen]);
  s.diagnostics["fidelity"] = values_[chosen];
  s.diagnostics["cost"] = cost_.Cost(values_[chosen]);
  s.diagnostics["acquisition_value"] = Finite(pick.value);
  s.diagnostics["optimize_ms"] = Ms(t0);
  // Kriging believer: condition every model on the pick at its fidelity before the next one.
  for (auto& model : *models) {
    double mean;
    if (!model->MeanAt(x, chosen, &mean)) continue;
    if (auto next = model->Condition(x.transpose(), {chosen}, Eigen::VectorXd::Constant(1, mean))) {
      model = std::move(next);
    }
  }
  return s;
}

StatusOr<std::vector<Suggestion>> MfStrategy::Suggest(const StudySnapshot& study, int count, StrategyState* state) {
  cost_.Learn(study.trials);
  const MfData data = Collect(study);
  json& js = state->json;
  const uint64_t ask = js.value("asks", uint64_t{0});
  js["asks"] = ask + 1;
  const int design_size = static_cast<int>(Design().size());
  std::vector<Eigen::MatrixXd> excluded = data.excluded;
  double low_cost = data.low_cost_since_target;
  std::vector<Suggestion> out;
  std::vector<std::shared_ptr<MfSurrogate>> models;
  json fit_diag = json::object();
  double fit_ms = 0;
  bool model_failed = false;
  for (int i = 0; i < count; ++i) {
    const int design_index = js.value("design_index", 0);
    const bool initial = design_index < design_size || data.obj.y.size() < 3;
    if (!initial && models.empty() && !model_failed) {
      const auto t0 = Clock::now();
      model_failed = !EnsureModels(data, js, &js, true, &fit_diag);
      fit_ms = Ms(t0);
      if (!model_failed) {
        for (const auto& m : cache_) {
          std::shared_ptr<MfSurrogate> model = m;
          if (data.pending_x.rows() > 0) {  // kriging believer on the pending trials
            Eigen::VectorXd z(data.pending_x.rows());
            bool okay = true;
            for (Eigen::Index p = 0; p < z.size(); ++p) {
              okay = okay && model->MeanAt(data.pending_x.row(p).transpose(), data.pending_fid[p], &z[p]);
            }
            if (okay) {
              if (auto next = model->Condition(data.pending_x, data.pending_fid, z)) model = std::move(next);
            }
          }
          models.push_back(std::move(model));
        }
      }
    }
    if (initial || model_failed) {
      Suggestion s = DesignPoint(study.config, design_index, &excluded);
      js["design_index"] = design_index + 1;
      if (model_failed) {
        s.diagnostics["phase"] = "fallback";
        s.diagnostics["reason"] = "model fit failed";
        s.diagnostics["fit"] = fit_diag;
      }
      const double f = *s.fidelity;
      low_cost = IsTarget(f) ? 0.0 : low_cost + cost_.Cost(f);
      out.push_back(std::move(s));
      continue;
    }
    const uint64_t seed = Mix(study.config.seed ^ Mix(ask * 4096 + i));
    Suggestion s = ModelPoint(data, seed, &models, &excluded, &low_cost);
    s.diagnostics["fit"] = fit_diag;
    s.diagnostics["fit_ms"] = fit_ms;
    out.push_back(std::move(s));
  }
  return out;
}

StatusOr<std::vector<PointPrediction>> MfStrategy::Predict(const StudySnapshot& study,
                                                           const std::vector<std::vector<double>>& points,
                                                           const StrategyState& state) {
  const MfData data = Collect(study);
  if (data.obj.y.size() < 2) return FailedPrecondition("the multi-fidelity model needs at least two completed trials");
  json diag;
  if (!EnsureModels(data, state.json, nullptr, false, &diag)) {
    return Internal("multi-fidelity model could not be built: " + diag.dump());
  }
  Eigen::MatrixXd xq(static_cast<Eigen::Index>(points.size()), encoding_.dim());
  for (size_t i = 0; i < points.size(); ++i) xq.row(i) = encoding_.Encode(points[i]).transpose();
  std::vector<PointPrediction> out(points.size());
  const size_t nobj = static_cast<size_t>(num_objective_models_);
  for (size_t k = 0; k < cache_.size(); ++k) {
    Eigen::VectorXd mean, sd;
    if (!cache_[k]->PredictTarget(xq, &mean, &sd)) return Internal("multi-fidelity posterior is not finite");
    const std::string& name = k >= nobj ? study.config.constraints[k - nobj].name
                                        : (composite() ? output_names_[k] : study.config.objective.name);
    const double sign = k == 0 && !composite() ? sign_ : 1.0;
    for (size_t i = 0; i < points.size(); ++i) out[i][name] = {sign * mean[i], sd[i]};
  }
  if (composite()) {
    // The composite objective at the target: Monte Carlo mean and sd over the outputs' target posteriors.
    const gp::Posterior p = Composite(cache_)->TargetModel()->PosteriorAt(xq, gp::PosteriorOptions());
    if (!p.status.ok()) return Internal("composite posterior is not finite: " + p.status.message());
    for (size_t i = 0; i < points.size(); ++i) {
      out[i][study.config.objective.name] = {sign_ * p.mean[i], std::sqrt(std::max(0.0, p.variance[i]))};
    }
  }
  return out;
}

StatusOr<std::optional<Recommendation>> MfStrategy::Recommend(const StudySnapshot& study,
                                                              const StrategyState& state) {
  const MfData data = Collect(study);
  if (data.obj.y.size() < 2 || !EnsureModels(data, state.json, nullptr, false, nullptr)) {
    return std::optional<Recommendation>();
  }
  Eigen::VectorXd mean, sd;
  if (composite()) {
    const gp::Posterior p = Composite(cache_)->TargetModel()->PosteriorAt(data.obj.x, gp::PosteriorOptions());
    if (!p.status.ok()) return std::optional<Recommendation>();
    mean = p.mean;
  } else if (!cache_[0]->PredictTarget(data.obj.x, &mean, &sd)) {
    return std::optional<Recommendation>();
  }
  // Among points observed at the target (feasible ones when any is); before any target observation, among all.
  const Eigen::Index n = data.obj.y.size();
  auto eligible = [&](Eigen::Index i, bool need_target, bool need_feasible) {
    return (!need_target || data.at_target[i]) && (!need_feasible || data.feasible[i]);
  };
  Eigen::Index best = -1;
  for (int pass = 0; pass < 4 && best < 0; ++pass) {
    const bool need_target = pass < 2, need_feasible = !constraint_specs_.empty() && pass % 2 == 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (eligible(i, need_target, need_feasible) && (best < 0 || mean[i] > mean[best])) best = i;
    }
  }
  if (best < 0) return std::optional<Recommendation>();
  Recommendation r;
  r.params = data.trials[best]->params;
  ASSIGN_OR_RETURN(std::vector<PointPrediction> p, Predict(study, {r.params}, state));
  r.predicted = p[0];
  return std::optional<Recommendation>(std::move(r));
}

namespace {

Status ValidateMf(const StudyConfig& config) {
  if (!config.fidelity) return InvalidArgument("the multi-fidelity gp needs a fidelity", "fidelity");
  ASSIGN_OR_RETURN(MfStrategyOptions options, ParseMfStrategyOptions(config));
  if (config.objective.composite() && options.composite_model == CompositeModel::kOutputs) {
    RETURN_IF_ERROR(CompositeOuter::Create(config).status());
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<Strategy>> CreateMf(const StudyConfig& config) {
  ASSIGN_OR_RETURN(MfStrategyOptions options, ParseMfStrategyOptions(config));
  return std::unique_ptr<Strategy>(std::make_unique<MfStrategy>(config, options));
}

}  // namespace

StrategyFactory MfStrategyFactory() { return {ValidateMf, CreateMf}; }

}  // namespace bayesd
