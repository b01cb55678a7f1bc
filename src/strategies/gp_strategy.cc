#include "src/strategies/gp_strategy.h"

#include "gp/gp_classifier.h"
#include "gp/kernel_factory.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "acquisition/acquisition.h"
#include "acquisition/composite.h"
#include "acquisition/failure.h"
#include "acquisition/monte_carlo.h"
#include "acquisition/normal.h"
#include "acquisition/optimizer.h"
#include "acquisition/penalty.h"
#include "src/strategies/baseline_strategies.h"
#include "src/strategies/gp_composite.h"
#include "src/strategies/gp_encoding.h"
#include "src/strategies/gp_local_model.h"
#include "src/strategies/gp_model.h"
#include "src/strategies/gp_options.h"
#include "src/strategies/gp_trust_region.h"
#include "src/strategies/model_util.h"
#include "src/study/composite.h"

namespace bayesd {
namespace {

using nlohmann::json;
namespace acq = acquisition;
using Clock = std::chrono::steady_clock;

constexpr int kMaxBaseline = 16;        // nei baseline / kg discretization: best observed points by posterior mean
constexpr int kMaxFullFitN = 300;       // above this many observations only warm local refits (cost O(n^3) each)
constexpr double kLargeNRefitGrowth = 1.1;  // ... and only when n grew by 10% since the last one
constexpr double kLargeNFitSeconds = 2.0;   // ... each capped at this wall-clock time
constexpr int kMaxThompsonCandidates = 768;  // joint draw is O(m^3)
// Composite EI smoothing temperature, relative to the spread of the observed composite values: small enough that
// the smoothed EI equals EI wherever some sample improves (error <= tau log 2), finite where none does.
constexpr double kCompositeTauRelative = 1e-6;
constexpr int kInfeasibleChecks = 3;  // consecutive positive optimistic-infeasibility checks before the verdict

using model_util::AppendRow;
using model_util::Mix;
using model_util::Ms;

// What the models see of a study.
struct StudyData {
  Eigen::MatrixXd x;                    // n x d, completed trials with finite objective and constraint values
  Eigen::VectorXd y;                    // n, objective oriented so that larger is better (composite outputs
                                        // mode: NaN where the composite value is not finite)
  std::vector<Eigen::VectorXd> outputs;  // composite outputs mode: one n-vector per output
  std::vector<Eigen::VectorXd> c;       // one n-vector per constraint, as measured
  std::vector<bool> feasible;           // n
  std::vector<const Trial*> trials;     // n, the modelled trials
  Eigen::MatrixXd pending;              // p x d
  Eigen::MatrixXd excluded;             // rows never proposed: completed, failed and pending points
  Eigen::MatrixXd finished;             // completed and failed points (the failure classifier's inputs)
  std::vector<double> finished_label;   // +1 completed, -1 failed
  int num_failed = 0;
  int num_imputed = 0;                  // failed trials appended to x / y / c at pessimistic values (last rows)
  int num_trials = 0;                   // trials in the study (all states)
};

// Where one pick searches (GpStrategy::TrustRegionBox): the box of the continuous columns (empty: the whole
// domain), and after a trust-region restart the segment's centre row (its log-EI incumbent; -1: the global incumbent
// leads), the spent regions' centres (excluded from the acquisition) and whether the pick explores because the new
// segment has nothing to start from (EI over the median observed value).
struct SearchRegion {
  Eigen::VectorXd lower, upper;
  int box_centre_row = -1;  // the observation the box is centred on (with a box)
  double length = 0;        // the box's side (with a box)
  int centre_row = -1;
  Eigen::MatrixXd spent_centres;
  bool explore = false;
  json diag;  // null without a trust region
};

// Failed trials as pessimistic observations, appended after the completed rows (data->num_imputed of them), once
// at least two completed trials have a finite objective: the objective at its worst completed value and, per
// constraint, the worst observed value (most violating side), marked infeasible. Without this a failed point tells
// the objective GP nothing, so EI just across the failure boundary never decays and keeps being proposed.
// Composite outputs mode (`outs` non-empty): every output GP gets that output's value *in the trial with the worst
// finite composite value* -- an observed output vector whose composite is the worst seen. Per-output extremes would
// not do: an output has no "bad" direction of its own (a target can sit at either end), and a vector of separate
// extremes may make the composite good, or non-finite.
void ImputeFailedTrials(const StudySnapshot& study, const GpEncoding& encoding, std::vector<double>* y,
                        std::vector<std::vector<double>>* c, std::vector<std::vector<double>>* outs,
                        StudyData* data) {
  if (data->num_failed == 0) return;
  int worst = -1, finite = 0;  // y is oriented (larger is better); composite values may be NaN
  for (size_t i = 0; i < y->size(); ++i) {
    if (!std::isfinite((*y)[i])) continue;
    ++finite;
    if (worst < 0 || (*y)[i] < (*y)[worst]) worst = static_cast<int>(i);
  }
  if (finite < 2) return;
  const StudyConfig& config = study.config;
  std::vector<double> worst_c(c->size());
  for (size_t k = 0; k < c->size(); ++k) {
    const std::vector<double>& ck = (*c)[k];
    const bool le = config.constraints[k].op == ConstraintOp::kLessEqual;
    worst_c[k] = le ? *std::max_element(ck.begin(), ck.end()) : *std::min_element(ck.begin(), ck.end());
  }
  for (const Trial& t : study.trials) {
    if (t.state != TrialState::kFailed) continue;
    AppendRow(&data->x, encoding.Encode(t.params));
    y->push_back((*y)[worst]);
    for (size_t k = 0; k < c->size(); ++k) (*c)[k].push_back(worst_c[k]);
    for (std::vector<double>& o : *outs) o.push_back(o[worst]);
    data->feasible.push_back(c->empty());
    data->trials.push_back(&t);
    ++data->num_imputed;
  }
}

// A square matrix in the strategy state: its entries row-major as a JSON array (the curvature of a model entry).
using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

json SquareMatrixToJson(const Eigen::MatrixXd& m) {
  std::vector<double> v(static_cast<size_t>(m.size()));
  Eigen::Map<RowMajorMatrix>(v.data(), m.rows(), m.cols()) = m;
  return v;
}

// p x p from a row-major array of p * p numbers; empty when absent or of another size (older states).
Eigen::MatrixXd SquareMatrixFromJson(const json& j, Eigen::Index p) {
  if (!j.is_array() || j.size() != static_cast<size_t>(p * p)) return Eigen::MatrixXd();
  const std::vector<double> v = j.get<std::vector<double>>();
  return Eigen::Map<const RowMajorMatrix>(v.data(), p, p);
}

}  // namespace

class GpStrategy : public Strategy {
 public:
  GpStrategy(const StudyConfig& config, GpStrategyOptions options)
      : options_(options), encoding_(config.parameters),
        sign_(config.objective.goal == Goal::kMaximize ? 1.0 : -1.0), constraint_specs_(config.constraints) {
    if (config.objective.composite() && options_.composite_model == CompositeModel::kOutputs) {
      StatusOr<std::shared_ptr<CompositeOuter>> outer = CompositeOuter::Create(config);
      if (outer.ok()) {
        outer_ = *outer;
        for (const OutputSpec& o : config.outputs) output_names_.push_back(o.name);
      }
    }
    num_objective_models_ = outer_ ? static_cast<int>(output_names_.size()) : 1;
  }

  StatusOr<std::vector<Suggestion>> Suggest(const StudySnapshot& study, int count, StrategyState* state) override;
  StatusOr<std::vector<PointPrediction>> Predict(const StudySnapshot& study,
                                                 const std::vector<std::vector<double>>& points,
                                                 const StrategyState& state) override;
  StatusOr<std::optional<Recommendation>> Recommend(const StudySnapshot& study, const StrategyState& state) override;
  json Summary(const StudySnapshot& study, const StrategyState& state) override;

 private:
  // The models for the current data: reused from the cache, rebuilt from the state's hyperparameters, or (when
  // `fit`) refitted per the refit policy, writing the new hyperparameters into *state. false when unusable.
  bool EnsureModels(const StudyData& data, const json& state_in, json* state_out, bool fit, json* diag);
  FitMode ChooseMode(const json& entry, int n, bool fit) const;
  StudyData Collect(const StudySnapshot& study) const;
  Suggestion InitialPoint(const StudyConfig& config, json* state, Eigen::MatrixXd* excluded) const;
  StatusOr<Suggestion> ModelPoint(const StudyConfig& config, const StudyData& data, uint64_t seed,
                                  std::vector<std::shared_ptr<const acq::Model>>* models, Eigen::MatrixXd* excluded,
                                  json* state);
  // n raw candidates: scrambled Sobol points (in the box lower..upper of the continuous columns when given) and
  // local_fraction of them perturbations of the best observed points (options_.local_candidates).
  Eigen::MatrixXd RawCandidates(const StudyData& data, uint64_t seed, int n, const SearchRegion& region,
                                bool multiscale) const;
  // The trust region box (continuous columns; others [0, 1]) around the incumbent -- or, after a restart, around
  // the current segment's best point or its seed --, with its diagnostics. state: the strategy state (the segment
  // seed is kept there), or null.
  SearchRegion TrustRegionBox(const StudyData& data, json* state) const;
  // The row seeding a restarted segment that starts at observation `start`: the best observed point (y oriented,
  // NaN = not eligible) outside every spent region (one exclusion radius from each centre), or -1. Kept in
  // state["trust_region_seed"] so it stays fixed while the segment runs (the lengthscales that define "outside"
  // change with every fit).
  int SegmentSeed(const StudyData& data, const std::vector<double>& y, int start, const Eigen::MatrixXd& spent_centres,
                  json* state) const;
  // Radii of the spent-region exclusion per column: trust_region_exclusion x the objective GP's lengthscale
  // (unit-cube units; 0 for columns without one).
  Eigen::VectorXd ExclusionRadii() const;
  // incumbent: the objective's incumbent in m[0]'s space when m[0] is not the global objective model (local model).
  std::shared_ptr<const acq::Acquisition> MakeAcquisition(const StudyData& data,
                                                          const std::vector<std::shared_ptr<const acq::Model>>& m,
                                                          const Eigen::MatrixXd& raw, const SearchRegion& region,
                                                          uint64_t seed,
                                                          std::optional<double> incumbent = std::nullopt) const;
  // Step 5d (option local_model): the objective model for this pick's acquisition fitted to the region's
  // neighbourhood, or null (no box, too few points, failed fit). Fitted once per Suggest call and appended to
  // *models (after the outcome models) so the kriging believer conditions it on the batch's earlier picks.
  std::shared_ptr<const acq::Model> LocalObjectiveModel(const StudyData& data, const SearchRegion& region,
                                                        uint64_t seed,
                                                        std::vector<std::shared_ptr<const acq::Model>>* models,
                                                        json* diag);
  Eigen::MatrixXd TopObserved(const StudyData& data, int k) const;
  // The log-EI incumbent in model space (composite mode: in the composite's units); region: see SearchRegion.
  double Incumbent(const StudyData& data, const SearchRegion& region = SearchRegion()) const;
  bool AnyFeasible(const StudyData& data) const;
  // Composite outputs mode: EI of the composite by Monte Carlo over the output models m[0..K-1].
  std::shared_ptr<const acq::CompositeExpectedImprovement> MakeCompositeEi(
      const StudyData& data, const std::vector<std::shared_ptr<const acq::Model>>& m, uint64_t seed) const;
  std::vector<acq::ConstraintModel> ConstraintModels(const std::vector<std::shared_ptr<const acq::Model>>& m) const;
  // The observed values a model is fitted on: output k (composite mode) or the objective, then the constraints.
  const Eigen::VectorXd& ModelTarget(const StudyData& data, size_t k) const;
  bool composite() const { return outer_ != nullptr; }
  // Fits the failed-trial classifier when there are failed and completed trials; diagnostics into *diag.
  void FitFailureModel(const StudyData& data, json* diag);

  GpStrategyOptions options_;
  GpEncoding encoding_;
  double sign_;                      // +1 maximize, -1 minimize
  std::vector<ConstraintSpec> constraint_specs_;
  std::shared_ptr<CompositeOuter> outer_;  // composite outputs mode only
  std::vector<std::string> output_names_;  // composite outputs mode only
  int num_objective_models_ = 1;           // 1, or one per output in composite outputs mode
  // objective (or one per composite output), then constraints; valid for cache_n_ observations
  std::vector<OutcomeModel> cache_;
  int cache_n_ = -1;
  json cache_theta_;                 // the state "models" the cache was built with
  json infeasibility_;               // the last optimistic-feasibility check (ModelPoint), copied into the state
  std::shared_ptr<const gp::GpClassifier> failure_model_;  // P(not failed), this Suggest call; null: not used
  // This Suggest call's local model (LocalObjectiveModel): tried yet, its incumbent and diagnostics.
  bool local_tried_ = false;
  double local_incumbent_ = 0;
  json local_diag_;
};

StudyData GpStrategy::Collect(const StudySnapshot& study) const {
  const StudyConfig& config = study.config;
  StudyData data;
  data.num_trials = static_cast<int>(study.trials.size());
  data.c.resize(config.constraints.size());
  std::vector<double> y;
  std::vector<std::vector<double>> c(config.constraints.size());
  std::vector<std::vector<double>> outs(output_names_.size());
  for (const Trial& t : study.trials) {
    if (t.state == TrialState::kAbandoned) continue;
    const Eigen::VectorXd row = encoding_.Encode(t.params);
    AppendRow(&data.excluded, row);
    if (t.state == TrialState::kPending) AppendRow(&data.pending, row);
    if (t.state == TrialState::kCompleted || t.state == TrialState::kFailed) {
      AppendRow(&data.finished, row);
      data.finished_label.push_back(t.state == TrialState::kFailed ? -1.0 : 1.0);
      data.num_failed += t.state == TrialState::kFailed;
    }
    if (t.state != TrialState::kCompleted) continue;
    std::optional<double> v;
    std::vector<double> ov;
    bool finite = true;
    if (composite()) {
      double g = 0;
      if (!outer_->OutputsOf(t.values, output_names_, &ov, &g)) continue;
      v = std::isfinite(g) ? g : std::numeric_limits<double>::quiet_NaN();  // kept: the outputs are still data
    } else {
      v = ObjectiveValue(config, t.values);
      if (!v || !std::isfinite(*v)) continue;
    }
    std::vector<double> cv;
    for (const ConstraintSpec& cs : config.constraints) {
      auto it = t.values.find(cs.name);
      finite = finite && it != t.values.end() && std::isfinite(it->second);
      cv.push_back(finite ? it->second : 0.0);
    }
    if (!finite) continue;
    AppendRow(&data.x, row);
    y.push_back(sign_ * *v);
    for (size_t k = 0; k < cv.size(); ++k) c[k].push_back(cv[k]);
    for (size_t k = 0; k < ov.size(); ++k) outs[k].push_back(ov[k]);
    data.feasible.push_back(t.feasible.value_or(IsFeasible(config, t.values)));
    data.trials.push_back(&t);
  }
  if (options_.model_failures && options_.impute_failures) ImputeFailedTrials(study, encoding_, &y, &c, &outs, &data);
  data.y = Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  for (size_t k = 0; k < c.size(); ++k) {
    data.c[k] = Eigen::Map<Eigen::VectorXd>(c[k].data(), static_cast<Eigen::Index>(c[k].size()));
  }
  for (auto& o : outs) data.outputs.push_back(Eigen::Map<Eigen::VectorXd>(o.data(), static_cast<Eigen::Index>(o.size())));
  if (data.x.cols() == 0) data.x.resize(0, encoding_.dim());
  if (data.pending.cols() == 0) data.pending.resize(0, encoding_.dim());
  if (data.excluded.cols() == 0) data.excluded.resize(0, encoding_.dim());
  return data;
}

FitMode GpStrategy::ChooseMode(const json& entry, int n, bool fit) const {
  if (!entry.is_object() || !entry.contains("theta")) return FitMode::kFull;
  const int fitted_n = entry.value("n", 0), full_n = entry.value("n_full", 0);
  if (!fit || n == fitted_n) return FitMode::kNone;
  if (n > kMaxFullFitN) return n >= kLargeNRefitGrowth * fitted_n ? FitMode::kLocal : FitMode::kNone;
  if (n - full_n >= options_.full_refit_every) return FitMode::kFull;
  return options_.local_fit_evaluations > 0 ? FitMode::kLocal : FitMode::kNone;
}

bool GpStrategy::EnsureModels(const StudyData& data, const json& state_in, json* state_out, bool fit, json* diag) {
  const int n = static_cast<int>(data.y.size());
  const json saved = state_in.value("models", json::array());
  const size_t num = num_objective_models_ + data.c.size();
  if (cache_n_ == n && cache_theta_ == saved && cache_.size() == num) return true;
  // A state written for another model layout (e.g. before composite_model changed) is not reused.
  const json saved_models = saved.size() == num ? saved : json::array();
  std::vector<OutcomeModel> models;
  json entries = json::array();
  json fits = json::array();
  for (size_t k = 0; k < num; ++k) {
    OutcomeModelOptions mo;
    // Large n: every LML evaluation is O(n^3); one warm-started run under a wall-clock cap.
    mo.fit.num_random_starts = n > kMaxFullFitN ? 0 : options_.fit_random_starts;
    mo.fit.max_seconds = n > kMaxFullFitN ? kLargeNFitSeconds : 0.0;
    mo.fit.seed = k;
    mo.local_evaluations = options_.local_fit_evaluations;
    mo.newton = true;  // the curvature is persisted in the state entry below
    mo.kernel.stationary.type = options_.kernel;
    mo.max_curvature_n = kMaxFullFitN;
    if (k == 0 && !composite() && options_.warp_outcomes) mo.transform.warp = gp::OutcomeTransformOptions::Warp::kAuto;
    OutcomeModel model(encoding_.spec(), mo);
    const json entry = k < saved_models.size() ? saved_models[k] : json();
    Eigen::VectorXd warm;
    Eigen::MatrixXd curvature;
    if (entry.is_object() && entry.contains("theta")) {
      const std::vector<double> t = entry["theta"].get<std::vector<double>>();
      warm = Eigen::Map<const Eigen::VectorXd>(t.data(), static_cast<Eigen::Index>(t.size()));
      // The curvature of the MAP objective at theta for Newton refits; absent in older states.
      curvature = SquareMatrixFromJson(entry.value("curvature", json()), warm.size());
    }
    const FitMode mode = ChooseMode(entry, n, fit);
    gp::FitDiagnostics d = model.Fit(data.x, ModelTarget(data, k), warm, mode, curvature);
    if (!model.ok() && mode != FitMode::kFull) {
      d = model.Fit(data.x, ModelTarget(data, k), Eigen::VectorXd(), FitMode::kFull);
    }
    if (!model.ok()) {
      if (diag) (*diag)["fit"] = model.Describe(d);
      return false;
    }
    const Eigen::VectorXd theta = model.hyperparameters();
    json e = {{"theta", std::vector<double>(theta.data(), theta.data() + theta.size())},
              {"n", n},
              {"n_full", mode == FitMode::kFull ? n : (entry.is_object() ? entry.value("n_full", n) : n)}};
    if (mode == FitMode::kNone && entry.is_object()) e["n"] = entry.value("n", n);
    if (model.curvature().size() != 0) e["curvature"] = SquareMatrixToJson(model.curvature());
    entries.push_back(e);
    json desc = model.Describe(d);
    desc["mode"] = mode == FitMode::kFull ? "full" : (mode == FitMode::kLocal ? "local" : "restored");
    desc["seconds"] = d.seconds;
    fits.push_back(desc);
    models.push_back(std::move(model));
  }
  if (diag) (*diag)["fit"] = num == 1 ? fits[0] : fits;
  cache_ = std::move(models);
  cache_n_ = n;
  if (state_out) (*state_out)["models"] = entries;
  cache_theta_ = state_out ? entries : saved;
  return true;
}

Suggestion GpStrategy::InitialPoint(const StudyConfig& config, json* state, Eigen::MatrixXd* excluded) const {
  uint64_t index = state->value("sobol_index", uint64_t{0});
  Suggestion s;
  for (int tries = 0; tries < 256; ++tries) {
    const std::vector<double> u = ScrambledSobolPoints(encoding_.dim(), config.seed, index++, 1)[0];
    s.params = encoding_.space().FromUnit(u);
    if (!acq::IsNearRow(encoding_.Encode(s.params), *excluded, 1e-12)) break;
  }
  (*state)["sobol_index"] = index;
  AppendRow(excluded, encoding_.Encode(s.params));
  s.diagnostics = {{"strategy", "gp"}, {"phase", "initial"}, {"sobol_index", index - 1}};
  return s;
}

Eigen::MatrixXd GpStrategy::RawCandidates(const StudyData& data, uint64_t seed, int n, const SearchRegion& region,
                                          bool multiscale) const {
  const int d = encoding_.dim();
  const Eigen::VectorXd& lower = region.lower;
  const Eigen::VectorXd& upper = region.upper;
  const int local = data.y.size() > 0 ? std::min(n - 1, static_cast<int>(n * options_.local_fraction)) : 0;
  const bool boxed = lower.size() == d && upper.size() == d;
  const std::vector<int> cont = encoding_.spec().ColumnsOfType(gp::ColumnType::kContinuous);
  Eigen::MatrixXd raw(n, d);
  const std::vector<std::vector<double>> sobol = ScrambledSobolPoints(d, seed, 0, n - local);
  for (int i = 0; i < n - local; ++i) {
    raw.row(i) = encoding_.FromUnitCube(sobol[i]).transpose();
    if (boxed) {  // the continuous columns' Sobol coordinates mapped into the box
      for (int j : cont) raw(i, j) = lower[j] + sobol[i][j] * (upper[j] - lower[j]);
    }
  }
  if (local == 0) return raw;
  // Perturbations of the best observed points so refinement can start near the incumbents.
  const Eigen::MatrixXd top = region.centre_row >= 0 ? Eigen::MatrixXd(data.x.row(region.centre_row))
                                                     : TopObserved(data, boxed ? 1 : 5);
  std::mt19937_64 rng(Mix(seed ^ 0x10ca1ULL));
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  const Eigen::VectorXd lo = boxed ? lower : Eigen::VectorXd::Zero(d);
  const Eigen::VectorXd hi = boxed ? upper : Eigen::VectorXd::Ones(d);
  auto clip = [&](int j, double v) { return std::clamp(v, lo[j], hi[j]); };
  const double side = (hi - lo).maxCoeff();  // perturbation scales are relative to the box
  if (!multiscale) {
    for (int i = 0; i < local; ++i) {
      Eigen::VectorXd x = top.row(i % top.rows()).transpose();
      const double scale = ((i % 2 == 0) ? 0.01 : 0.1) * side;
      for (int j : cont) x[j] = clip(j, x[j] + scale * normal(rng));
      raw.row(n - local + i) = x.transpose();
    }
    return raw;
  }
  // Multiscale: every centre gets every scale; every second round moves only a random subset of the coordinates
  // (each with probability min(0.5, 2 / #continuous), at least one), which keeps the good coordinates of the centre.
  static constexpr double kScales[] = {1e-3, 1e-2, 0.05, 0.2};
  const double p_subset = cont.empty() ? 1.0 : std::min(0.5, 2.0 / static_cast<double>(cont.size()));
  const int k = static_cast<int>(top.rows());
  for (int i = 0; i < local; ++i) {
    Eigen::VectorXd x = top.row(i % k).transpose();
    const double scale = kScales[(i / k) % 4] * side;
    const bool subset = ((i / (4 * k)) % 2) == 1 && cont.size() > 1;
    std::vector<int> moved;
    for (int j : cont) {
      if (!subset || uniform(rng) < p_subset) moved.push_back(j);
    }
    if (moved.empty() && !cont.empty()) moved.push_back(cont[rng() % cont.size()]);
    for (int j : moved) x[j] = clip(j, x[j] + scale * normal(rng));
    raw.row(n - local + i) = x.transpose();
  }
  return raw;
}

Eigen::MatrixXd GpStrategy::TopObserved(const StudyData& data, int k) const {
  const int n = static_cast<int>(data.y.size());
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  Eigen::VectorXd score = data.y.unaryExpr(
      [](double v) { return std::isfinite(v) ? v : -std::numeric_limits<double>::infinity(); });
  if (!composite() && !cache_.empty() && cache_[0].ok()) {
    const gp::Posterior post = cache_[0].gp()->Predict(data.x, gp::PosteriorOptions());
    if (post.status.ok()) score = post.mean;
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[a] > score[b]; });
  const int m = std::min(k, n);
  Eigen::MatrixXd out(m, encoding_.dim());
  for (int i = 0; i < m; ++i) out.row(i) = data.x.row(order[i]);
  return out;
}

Eigen::VectorXd GpStrategy::ExclusionRadii() const {
  Eigen::VectorXd radii = Eigen::VectorXd::Zero(encoding_.dim());
  if (cache_.empty() || !cache_[0].ok()) return radii;
  const Eigen::VectorXd theta = cache_[0].hyperparameters();
  const std::vector<std::string> names = cache_[0].gp()->HyperparameterNames();
  static const std::string kPrefix = "lengthscale[";
  for (size_t i = 0; i < names.size() && static_cast<Eigen::Index>(i) < theta.size(); ++i) {
    if (names[i].compare(0, kPrefix.size(), kPrefix) != 0) continue;
    const int col = std::atoi(names[i].c_str() + kPrefix.size());
    if (col >= 0 && col < encoding_.dim()) radii[col] = options_.trust_region_exclusion * std::exp(theta[i]);
  }
  return radii;
}

int GpStrategy::SegmentSeed(const StudyData& data, const std::vector<double>& y, int start,
                            const Eigen::MatrixXd& spent_centres, json* state) const {
  const int observed = static_cast<int>(y.size());
  if (state && state->contains("trust_region_seed")) {
    const json& memo = (*state)["trust_region_seed"];
    if (memo.value("segment_start", -1) == start) {
      const int64_t trial = memo.value("trial", int64_t{-1});
      for (int i = 0; i < observed; ++i) {
        if (data.trials[i]->number == trial) return std::isfinite(y[i]) ? i : -1;
      }
      return -1;
    }
  }
  int seed = -1;
  if (spent_centres.rows() > 0 && options_.trust_region_exclusion > 0) {
    const acq::RegionPenalty ball(nullptr, spent_centres, ExclusionRadii());
    const double one_radius = std::log(-std::expm1(-0.5));  // the penalty at q = 1
    for (int i = 0; i < observed; ++i) {
      if (!std::isfinite(y[i]) || (seed >= 0 && y[i] <= y[seed])) continue;
      if (ball.LogPenalty(data.x.row(i).transpose(), nullptr) >= one_radius) seed = i;
    }
  }
  if (state) {
    (*state)["trust_region_seed"] = {{"segment_start", start},
                                     {"trial", seed >= 0 ? data.trials[seed]->number : int64_t{-1}}};
  }
  return seed;
}

SearchRegion GpStrategy::TrustRegionBox(const StudyData& data, json* state) const {
  SearchRegion region;
  const int d = encoding_.dim();
  const int observed = static_cast<int>(data.y.size()) - data.num_imputed;  // imputed failures are the last rows
  std::vector<double> y(observed);
  int best = -1;
  for (int i = 0; i < observed; ++i) {
    const bool ok = std::isfinite(data.y[i]) && (data.c.empty() || data.feasible[i]);
    y[i] = ok ? data.y[i] : std::numeric_limits<double>::quiet_NaN();
    if (ok && (best < 0 || data.y[i] > data.y[best])) best = i;
  }
  if (best < 0) return region;  // nothing feasible yet: no incumbent to centre on
  TrustRegionOptions tro;
  tro.length_init = options_.trust_region_length;
  tro.failure_tolerance = options_.trust_region_failure_tolerance;
  tro.restart_length = options_.TrustRegionRestartLength();
  tro.segment_length_init = options_.trust_region_restart_side;
  tro.length_max = options_.TrustRegionMaxLength();
  tro.resume_side = options_.TrustRegionResumeSide();
  tro.behind_progress = options_.trust_region_behind_progress;
  const TrustRegionState tr = ReplayTrustRegion(y, options_.InitialTrials(d), d, tro);
  json& diag = region.diag;
  diag = {{"length", tr.length}, {"successes", tr.successes}, {"failures", tr.failures}, {"restarts", tr.restarts}};
  if (tro.restart_length > 0 && tr.resumed && tr.incumbent >= 0 && tr.incumbent < observed) {
    // A resumed segment: the global incumbent's region again, the other spent regions still excluded.
    region.spent_centres.resize(0, d);
    for (int i : tr.spent_best) {
      if (i != tr.incumbent) AppendRow(&region.spent_centres, data.x.row(i).transpose());
    }
    diag["segment_start"] = tr.segment_start;
    diag["spent_regions"] = region.spent_centres.rows();
    diag["resumed"] = true;
    region.centre_row = tr.incumbent;
    best = tr.incumbent;
  } else if (tro.restart_length > 0 && tr.restarts > 0) {
    // A restarted region: centred at the best point of its segment, or at its seed (the best point outside the
    // spent regions) while that is better; the spent regions' centres are excluded from the acquisition.
    region.spent_centres.resize(0, d);
    for (int i : tr.spent_best) AppendRow(&region.spent_centres, data.x.row(i).transpose());
    int centre = -1;
    for (int i = std::min(tr.segment_start, observed); i < observed; ++i) {
      if (std::isfinite(y[i]) && (centre < 0 || y[i] > y[centre])) centre = i;
    }
    const int seed = SegmentSeed(data, y, tr.segment_start, region.spent_centres, state);
    if (seed >= 0 && (centre < 0 || y[seed] > y[centre])) centre = seed;
    diag["segment_start"] = tr.segment_start;
    diag["spent_regions"] = region.spent_centres.rows();
    diag["seed_trial"] = seed >= 0 ? json(data.trials[seed]->number) : json(nullptr);
    if (centre < 0) {  // nothing to centre on: this pick explores the whole domain
      region.explore = true;
      diag["explore"] = true;
      return region;
    }
    region.centre_row = centre;
    best = centre;
  }
  region.box_centre_row = best;
  region.length = tr.length;
  region.lower = Eigen::VectorXd::Zero(d);
  region.upper = Eigen::VectorXd::Ones(d);
  for (int j : encoding_.spec().ColumnsOfType(gp::ColumnType::kContinuous)) {
    const double c = data.x(best, j);
    region.lower[j] = std::max(0.0, c - tr.length / 2);
    region.upper[j] = std::min(1.0, c + tr.length / 2);
  }
  return region;
}

bool GpStrategy::AnyFeasible(const StudyData& data) const {
  return std::find(data.feasible.begin(), data.feasible.end(), true) != data.feasible.end();
}

double GpStrategy::Incumbent(const StudyData& data, const SearchRegion& region) const {
  double best = -std::numeric_limits<double>::infinity();
  if (!composite() && region.centre_row >= 0) return cache_[0].transform().ToModel(data.y[region.centre_row]);
  if (!composite() && region.explore) {
    // A restarted region with nothing to start from: EI over the median observed value, so the pick goes where the
    // model expects a good value away from the spent regions (not merely where the variance is largest).
    std::vector<double> v;
    for (Eigen::Index i = 0; i < data.y.size(); ++i) {
      if (std::isfinite(data.y[i])) v.push_back(cache_[0].transform().ToModel(data.y[i]));
    }
    if (!v.empty()) {
      std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
      return v[v.size() / 2];
    }
  }
  for (Eigen::Index i = 0; i < data.y.size(); ++i) {
    if (!std::isfinite(data.y[i]) || !(data.c.empty() || data.feasible[i])) continue;
    // Composite outputs mode: in the composite's own units (oriented); otherwise in the objective's model space.
    best = std::max(best, composite() ? data.y[i] : cache_[0].transform().ToModel(data.y[i]));
  }
  return best;
}

const Eigen::VectorXd& GpStrategy::ModelTarget(const StudyData& data, size_t k) const {
  const size_t nobj = static_cast<size_t>(num_objective_models_);
  if (k < nobj) return composite() ? data.outputs[k] : data.y;
  return data.c[k - nobj];
}

std::vector<acq::ConstraintModel> GpStrategy::ConstraintModels(
    const std::vector<std::shared_ptr<const acq::Model>>& m) const {
  std::vector<acq::ConstraintModel> constraints;
  for (size_t k = 0; k < constraint_specs_.size(); ++k) {
    const ConstraintSpec& cs = constraint_specs_[k];
    const size_t i = k + num_objective_models_;
    constraints.push_back({m[i], cache_[i].transform().ToModel(cs.bound), cs.op == ConstraintOp::kLessEqual});
  }
  return constraints;
}

std::shared_ptr<const acq::CompositeExpectedImprovement> GpStrategy::MakeCompositeEi(
    const StudyData& data, const std::vector<std::shared_ptr<const acq::Model>>& m, uint64_t seed) const {
  const int k = num_objective_models_;
  std::vector<acq::OutputModel> outputs;
  for (int j = 0; j < k; ++j) outputs.push_back({m[j], cache_[j].transform().offset(), cache_[j].transform().scale()});
  // Fixed quasi-MC base samples: scrambled Sobol points of [0,1]^K mapped through Phi^-1.
  const int s = options_.composite_samples;
  const std::vector<std::vector<double>> u = ScrambledSobolPoints(k, seed, 0, s);
  Eigen::MatrixXd z(s, k);
  for (int i = 0; i < s; ++i) {
    for (int j = 0; j < k; ++j) z(i, j) = acq::NormalQuantile(std::clamp(u[i][j], 1e-12, 1 - 1e-12));
  }
  // The incumbent and the smoothing temperature in the composite's units.
  double best = Incumbent(data);
  double sum = 0, sum2 = 0;
  int finite = 0;
  for (Eigen::Index i = 0; i < data.y.size(); ++i) {
    if (!std::isfinite(data.y[i])) continue;
    ++finite;
    sum += data.y[i];
    sum2 += data.y[i] * data.y[i];
  }
  double spread = finite > 1 ? std::sqrt(std::max(0.0, (sum2 - sum * sum / finite) / (finite - 1))) : 0.0;
  if (!(spread > 0) || !std::isfinite(spread)) spread = std::isfinite(best) ? std::max(1.0, std::abs(best)) : 1.0;
  // No finite composite value observed yet (e.g. every one divided by zero): any finite value improves; the
  // smoothed EI then ranks points by how many samples give a finite composite.
  if (!std::isfinite(best)) best = -1e300;
  std::shared_ptr<CompositeOuter> outer = outer_;
  return std::make_shared<acq::CompositeExpectedImprovement>(
      std::move(outputs), [outer](const Eigen::VectorXd& y, Eigen::VectorXd* g) { return outer->Evaluate(y, g); },
      sign_, best, std::move(z), kCompositeTauRelative * spread);
}

std::shared_ptr<const acq::Acquisition> GpStrategy::MakeAcquisition(
    const StudyData& data, const std::vector<std::shared_ptr<const acq::Model>>& m, const Eigen::MatrixXd& raw,
    const SearchRegion& region, uint64_t seed, std::optional<double> incumbent) const {
  const std::vector<acq::ConstraintModel> constraints = ConstraintModels(m);
  if (options_.acquisition == GpAcquisition::kConfig) {
    // CONFIG handles "nothing feasible yet" itself: its optimistic problem is feasible wherever a constraint may
    // still hold, and minimizes the optimistic violation when nothing may.
    const double beta = acq::GpUcbBeta(static_cast<int>(data.y.size()) + 1, encoding_.dim(), options_.ucb_delta,
                                       options_.ucb_beta_scale);
    return std::make_shared<acq::ConfigAcquisition>(m[0], constraints, beta);
  }
  if (!constraints.empty() && !AnyFeasible(data)) {
    return std::make_shared<acq::LogProbabilityOfFeasibility>(constraints);
  }
  std::shared_ptr<const acq::Acquisition> base;
  if (composite()) {
    base = MakeCompositeEi(data, m, seed);
    if (constraints.empty()) return base;
    return std::make_shared<acq::ConstrainedAcquisition>(base, constraints);
  }
  const double best = incumbent ? *incumbent : Incumbent(data, region);
  switch (options_.acquisition) {
    case GpAcquisition::kLogEi: base = std::make_shared<acq::LogExpectedImprovement>(m[0], best); break;
    case GpAcquisition::kEi: base = std::make_shared<acq::ExpectedImprovement>(m[0], best); break;
    case GpAcquisition::kPi: base = std::make_shared<acq::LogProbabilityOfImprovement>(m[0], best); break;
    case GpAcquisition::kUcb: {
      const double beta = acq::GpUcbBeta(static_cast<int>(data.y.size()) + 1, encoding_.dim(), options_.ucb_delta,
                                         options_.ucb_beta_scale);
      base = std::make_shared<acq::UpperConfidenceBound>(m[0], beta);
      break;
    }
    case GpAcquisition::kNei:
      base = std::make_shared<acq::NoisyExpectedImprovement>(m[0], TopObserved(data, kMaxBaseline),
                                                            options_.mc_samples, seed);
      break;
    case GpAcquisition::kKg: {
      Eigen::MatrixXd a = TopObserved(data, kMaxBaseline - 6);
      const gp::Posterior post = m[0]->PosteriorAt(raw, gp::PosteriorOptions());
      if (post.status.ok()) {
        std::vector<Eigen::Index> order(raw.rows());
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + std::min<Eigen::Index>(6, raw.rows()), order.end(),
                          [&](Eigen::Index i, Eigen::Index j) { return post.mean[i] > post.mean[j]; });
        for (Eigen::Index i = 0; i < std::min<Eigen::Index>(6, raw.rows()); ++i) {
          AppendRow(&a, raw.row(order[i]).transpose());
        }
      }
      base = std::make_shared<acq::KnowledgeGradient>(m[0], a, options_.mc_samples);
      break;
    }
    case GpAcquisition::kMes: {
      Eigen::MatrixXd cand(std::min<Eigen::Index>(512, raw.rows()) + data.x.rows(), encoding_.dim());
      cand << raw.topRows(cand.rows() - data.x.rows()), data.x;
      base = std::make_shared<acq::MaxValueEntropySearch>(m[0], cand, best);
      break;
    }
    case GpAcquisition::kTs: return nullptr;  // handled by the caller
    case GpAcquisition::kConfig: return nullptr;  // handled above
  }
  if (constraints.empty()) return base;
  return std::make_shared<acq::ConstrainedAcquisition>(base, constraints);
}

std::shared_ptr<const acq::Model> GpStrategy::LocalObjectiveModel(
    const StudyData& data, const SearchRegion& region, uint64_t seed,
    std::vector<std::shared_ptr<const acq::Model>>* models, json* diag) {
  const int d = encoding_.dim();
  const size_t index = cache_.size();  // the local model's slot after the outcome models
  if (options_.local_model == LocalModelMode::kOff || composite() || region.lower.size() != d ||
      region.box_centre_row < 0) {
    return nullptr;
  }
  const double length = region.length;
  // A full multi-start fit at every ask is O(n^3) per evaluation: above kMaxFullFitN observations (where the global
  // model stops full fits too) there is no local model.
  if (length > options_.local_model_max_length || data.y.size() > kMaxFullFitN) return nullptr;
  if (!local_tried_) {
    local_tried_ = true;
    const int centre = region.box_centre_row;
    const int observed = static_cast<int>(data.y.size()) - data.num_imputed;
    LocalModelOptions lo;
    lo.neighbourhood = options_.local_model_neighbourhood;
    lo.fit_random_starts = options_.fit_random_starts;
    lo.seed = seed;
    lo.kernel = options_.local_model_kernel;
    // Only observed rows (imputed failures stay in the global model), so the local data is the region's own.
    const LocalModel local = FitLocalModel(encoding_.spec(), data.x.topRows(observed), data.y.head(observed),
                                           data.x.row(centre).transpose(), length, lo);
    local_diag_ = local.Describe();
    bool use = local.model != nullptr;
    if (use && options_.local_model == LocalModelMode::kLoo) {
      // The local model only where it predicts the neighbourhood's observations better than the global model.
      const double global = LooLogPredictive(cache_[0], local.rows);
      local_diag_["global_loo"] = std::isfinite(global) ? json(global) : json(nullptr);
      use = std::isfinite(local.loo) && std::isfinite(global) && local.loo > global;
    }
    local_diag_["used"] = use;
    if (use) {
      local_incumbent_ = local.model->transform().ToModel(data.y[centre]);
      std::shared_ptr<const acq::Model> m = local.model->AsModel();
      if (data.pending.rows() > 0) {  // kriging believer on the pending trials, as the outcome models
        const gp::Posterior post = m->PosteriorAt(data.pending, gp::PosteriorOptions());
        gp::GpStatus status;
        if (post.status.ok()) {
          if (auto next = m->Condition(data.pending, post.mean, &status)) m = std::move(next);
        }
      }
      models->resize(index);
      models->push_back(std::move(m));
    }
  }
  if (diag && !local_diag_.is_null()) (*diag)["local_model"] = local_diag_;
  return models->size() > index ? (*models)[index] : nullptr;
}

void GpStrategy::FitFailureModel(const StudyData& data, json* diag) {
  failure_model_ = nullptr;
  const int n = static_cast<int>(data.finished_label.size());
  if (!options_.model_failures || data.num_failed == 0 || data.num_failed == n) return;
  const auto t0 = Clock::now();
  auto classifier = std::make_shared<gp::GpClassifier>(gp::MakeKernel(encoding_.spec(), gp::KernelOptions()));
  const Eigen::VectorXd labels = Eigen::Map<const Eigen::VectorXd>(data.finished_label.data(), n);
  // Lengthscales in unit-cube units and output scales (latent variance) chosen by the Laplace evidence; one
  // Newton solve per grid point, O(n^3) each, so the grid shrinks to its middle above kMaxFullFitN points.
  const bool small = n <= kMaxFullFitN;
  const std::vector<double> ls = small ? std::vector<double>{0.05, 0.1, 0.2, 0.4, 0.8, 1.6} : std::vector<double>{0.2};
  const std::vector<double> os = small ? std::vector<double>{1.0, 4.0, 16.0, 64.0, 256.0} : std::vector<double>{16.0};
  const gp::GpStatus status = classifier->SelectHyperparameters(data.finished, labels, ls, os);
  json d = {{"failed", data.num_failed}, {"finished", n}, {"imputed", data.num_imputed}, {"ms", Ms(t0)}};
  if (!status.ok()) {
    d["used"] = false;
    d["message"] = status.message();
  } else {
    d["used"] = true;
    d["log_evidence"] = classifier->LogMarginalLikelihood();
    d["newton_iterations"] = classifier->newton_iterations();
    json hp = json::object();
    const Eigen::VectorXd theta = classifier->kernel().Params();
    const std::vector<std::string> names = classifier->kernel().ParamNames();
    for (size_t i = 0; i < names.size(); ++i) hp[names[i]] = std::exp(theta[i]);
    d["hyperparameters"] = hp;
    // How sure the classifier is where failures happened: mean and min P(fail) at the failed points.
    const Eigen::VectorXd p = classifier->Probability(data.finished);
    double sum = 0, lowest = 1;
    for (int i = 0; i < n; ++i) {
      if (labels[i] > 0 || !std::isfinite(p[i])) continue;
      sum += 1 - p[i];
      lowest = std::min(lowest, 1 - p[i]);
    }
    d["p_fail_at_failed"] = {{"mean", sum / data.num_failed}, {"min", lowest}};
    failure_model_ = std::move(classifier);
  }
  if (diag) *diag = d;
}

StatusOr<Suggestion> GpStrategy::ModelPoint(const StudyConfig& config, const StudyData& data, uint64_t seed,
                                            std::vector<std::shared_ptr<const acq::Model>>* models,
                                            Eigen::MatrixXd* excluded, json* state) {
  const auto t0 = Clock::now();
  const int n = static_cast<int>(data.y.size());
  // Candidate budget shrinks with n: scoring is O(n^2) per candidate.
  const int raw_n = std::max(std::min(options_.raw_samples, 64), static_cast<int>(options_.raw_samples *
                                                                                   std::min(1.0, 200.0 / std::max(1, n))));
  // "auto" settings: the benchmarked ones (docs/bo.md) for plain studies, the earlier ones otherwise.
  const bool plain = constraint_specs_.empty() && !config.objective.composite();
  const bool trust_region =
      options_.trust_region == TrustRegionMode::kOn || (options_.trust_region == TrustRegionMode::kAuto && plain);
  const SearchRegion region = trust_region ? TrustRegionBox(data, state) : SearchRegion();
  const bool multiscale = options_.local_candidates == LocalCandidates::kMultiscale ||
                          (options_.local_candidates == LocalCandidates::kAuto && plain);
  const Eigen::MatrixXd raw = RawCandidates(data, seed, raw_n, region, multiscale);
  Suggestion s;
  s.diagnostics = {{"strategy", "gp"}, {"phase", "model"}, {"observations", n},
                   {"pending_conditioned", data.pending.rows()}};
  if (!region.diag.is_null()) s.diagnostics["trust_region"] = region.diag;
  Eigen::VectorXd x;
  double value = 0;
  if (options_.acquisition == GpAcquisition::kTs) {
    const Eigen::Index m = std::min<Eigen::Index>(raw.rows(), kMaxThompsonCandidates);
    Eigen::MatrixXd cand(m, raw.cols());
    for (Eigen::Index i = 0; i < m; ++i) cand.row(i) = encoding_.Snap(raw.row(i).transpose()).transpose();
    gp::GpStatus status;
    const Eigen::VectorXd f = acq::SampleJointPosterior(*(*models)[0], cand, seed, &status);
    Eigen::Index arg = -1;
    for (Eigen::Index i = 0; i < f.size(); ++i) {
      if ((arg < 0 || f[i] > f[arg]) && !acq::IsNearRow(cand.row(i).transpose(), *excluded, 1e-9)) arg = i;
    }
    if (arg >= 0) {
      x = cand.row(arg).transpose();
      value = f[arg];
    }
    s.diagnostics["acquisition"] = "ts";
    s.diagnostics["candidates"] = m;
    if (!status.ok()) s.diagnostics["model_message"] = status.message();
  } else {
    std::shared_ptr<const acq::Acquisition> acquisition;
    if (auto local = LocalObjectiveModel(data, region, seed, models, &s.diagnostics)) {
      std::vector<std::shared_ptr<const acq::Model>> m = *models;
      m[0] = std::move(local);
      acquisition = MakeAcquisition(data, m, raw, region, seed, local_incumbent_);
    } else {
      acquisition = MakeAcquisition(data, *models, raw, region, seed);
    }
    if (region.spent_centres.rows() > 0 && options_.trust_region_exclusion > 0 && acquisition->log_scale()) {
      acquisition = std::make_shared<acq::RegionPenalty>(acquisition, region.spent_centres, ExclusionRadii());
    }
    if (failure_model_ && acquisition->log_scale()) {
      acquisition = std::make_shared<acq::WithSuccessProbability>(acquisition, failure_model_);
    }
    acq::OptimizationDomain domain{encoding_.spec(), [this](const Eigen::VectorXd& r) { return encoding_.Snap(r); },
                                   *excluded};
    acq::OptimizerOptions oo;
    oo.num_restarts = options_.restarts > 0 ? options_.restarts : (plain ? 10 : 5);
    oo.max_evaluations = options_.optimizer_evaluations;
    const bool boltzmann = options_.restart_selection == RestartSelection::kBoltzmann ||
                           (options_.restart_selection == RestartSelection::kAuto && plain);
    oo.restart_selection = boltzmann ? acq::OptimizerOptions::RestartSelection::kBoltzmann
                               : acq::OptimizerOptions::RestartSelection::kDiverseTop;
    oo.seed = seed;
    oo.lower = region.lower;
    oo.upper = region.upper;
    const acq::OptimizerResult r = acq::OptimizeAcquisition(*acquisition, raw, domain, oo);
    if (r.found) {
      x = r.x;
      value = r.value;
    }
    s.diagnostics["acquisition"] = acquisition->name();
    s.diagnostics["raw_candidates"] = raw.rows();
    s.diagnostics["raw_best_value"] = std::isfinite(r.raw_best_value) ? json(r.raw_best_value) : json(nullptr);
    s.diagnostics["restarts"] = r.restarts;
    s.diagnostics["optimizer_evaluations"] = r.evaluations;
    s.diagnostics["optimizer_termination"] = r.termination;
    if (!constraint_specs_.empty() && !AnyFeasible(data) && infeasibility_.is_null()) {
      // Is CONFIG's optimistic problem infeasible? With the unscaled GP-UCB beta (Srinivas et al.'s
      // high-probability bound, not the 0.2-scaled exploration weight), minimize the total optimistic violation
      // (exact penalty, rho = 1e6) over the whole domain; > 0 at the minimizer and at every raw candidate means no
      // point is feasible under any function within the confidence bounds: the problem appears infeasible.
      const double beta = acq::GpUcbBeta(n + 1, encoding_.dim(), options_.ucb_delta, 1.0);
      const acq::ConfigAcquisition check((*models)[0], ConstraintModels(*models), beta, 1e6);
      acq::OptimizationDomain open{encoding_.spec(), domain.snap, Eigen::MatrixXd(0, encoding_.dim())};
      acq::OptimizerOptions open_options = oo;  // the whole domain, not a trust region
      open_options.lower.resize(0);
      open_options.upper.resize(0);
      const acq::OptimizerResult rc = acq::OptimizeAcquisition(check, raw, open, open_options);
      double violation = rc.found ? check.Violation(rc.x) : std::numeric_limits<double>::infinity();
      for (Eigen::Index i = 0; i < raw.rows() && violation > 0; ++i) {
        violation = std::min(violation, check.Violation(raw.row(i).transpose()));
      }
      infeasibility_ = {{"optimistic_problem_infeasible", violation > 0},
                        {"min_optimistic_violation", std::isfinite(violation) ? json(violation) : json(nullptr)},
                        {"beta", beta},
                        {"observations", n}};
      s.diagnostics["infeasibility_check"] = infeasibility_;
    }
  }
  if (x.size() == 0) {
    // Every candidate was taken (tiny discrete spaces): a fresh Sobol point, which may repeat a completed one.
    json tmp = {{"sobol_index", Mix(seed) % 1000003}};
    Suggestion f = InitialPoint(config, &tmp, excluded);
    f.diagnostics["phase"] = "fallback";
    f.diagnostics["reason"] = "every candidate equals an observed, failed or pending point";
    return f;
  }
  s.params = encoding_.Decode(x);
  x = encoding_.Encode(s.params);
  AppendRow(excluded, x);
  s.diagnostics["acquisition_value"] = std::isfinite(value) ? json(value) : json(nullptr);
  s.diagnostics["optimize_ms"] = Ms(t0);
  // Kriging believer: condition every model on the pick at its posterior mean before the next one.
  for (auto& model : *models) {
    acq::PointPosterior p;
    if (!acq::PosteriorAtPoint(*model, x, false, &p)) continue;
    gp::GpStatus status;
    std::shared_ptr<const acq::Model> next = model->Condition(x.transpose(), Eigen::VectorXd::Constant(1, p.mean),
                                                             &status);
    if (next) model = std::move(next);
  }
  return s;
}

StatusOr<std::vector<Suggestion>> GpStrategy::Suggest(const StudySnapshot& study, int count, StrategyState* state) {
  const StudyData data = Collect(study);
  json& js = state->json;
  const uint64_t ask = js.value("asks", uint64_t{0});
  js["asks"] = ask + 1;
  const int initial = options_.InitialTrials(encoding_.dim());
  Eigen::MatrixXd excluded = data.excluded;
  std::vector<Suggestion> out;
  std::vector<std::shared_ptr<const acq::Model>> models;
  json fit_diag = json::object();
  double fit_ms = 0;
  bool model_failed = false;
  infeasibility_ = json();
  failure_model_ = nullptr;
  local_tried_ = false;
  local_diag_ = json();
  json failure_diag;
  for (int i = 0; i < count; ++i) {
    const bool initial_phase = data.num_trials + i < initial || data.y.size() < 2;
    if (!initial_phase && models.empty() && !model_failed) {
      const auto t0 = Clock::now();
      model_failed = !EnsureModels(data, js, &js, true, &fit_diag);
      fit_ms = Ms(t0);
      if (!model_failed) {
        FitFailureModel(data, &failure_diag);
        for (const OutcomeModel& m : cache_) models.push_back(m.AsModel());
        for (auto& model : models) {  // kriging believer on the pending trials
          if (data.pending.rows() == 0) break;
          const gp::Posterior post = model->PosteriorAt(data.pending, gp::PosteriorOptions());
          gp::GpStatus status;
          if (!post.status.ok()) continue;
          if (auto next = model->Condition(data.pending, post.mean, &status)) model = std::move(next);
        }
      }
    }
    if (initial_phase || model_failed) {
      Suggestion s = InitialPoint(study.config, &js, &excluded);
      if (model_failed) {
        s.diagnostics["phase"] = "fallback";
        s.diagnostics["reason"] = "model fit failed";
        s.diagnostics["fit"] = fit_diag;
      }
      out.push_back(std::move(s));
      continue;
    }
    const uint64_t seed = Mix(study.config.seed ^ Mix(ask * 4096 + i));
    ASSIGN_OR_RETURN(Suggestion s, ModelPoint(study.config, data, seed, &models, &excluded, &js));
    s.diagnostics["fit"] = fit_diag;
    s.diagnostics["fit_ms"] = fit_ms;
    if (!failure_diag.is_null()) s.diagnostics["failure_model"] = failure_diag;
    out.push_back(std::move(s));
  }
  if (!constraint_specs_.empty()) {
    if (AnyFeasible(data)) {
      js.erase("infeasibility");
    } else if (!infeasibility_.is_null()) {
      // A verdict needs persistence: right after a small design a stationary GP can be confidently wrong about a
      // heavy-tailed constraint (seen on compression_spring after 6 points, gone 2 asks later), so the study
      // "appears infeasible" only after kInfeasibleChecks consecutive positive checks and 2x the initial design.
      const json prev = js.value("infeasibility", json::object());
      const bool positive = infeasibility_.value("optimistic_problem_infeasible", false);
      const int streak = positive ? prev.value("consecutive_positive_checks", 0) + 1 : 0;
      infeasibility_["consecutive_positive_checks"] = streak;
      infeasibility_["appears_infeasible"] =
          positive && streak >= kInfeasibleChecks && static_cast<int>(data.y.size()) - data.num_imputed >= 2 * initial;
      js["infeasibility"] = infeasibility_;
    }
  }
  return out;
}

StatusOr<std::vector<PointPrediction>> GpStrategy::Predict(const StudySnapshot& study,
                                                           const std::vector<std::vector<double>>& points,
                                                           const StrategyState& state) {
  const StudyData data = Collect(study);
  if (data.y.size() == 0) return FailedPrecondition("the gp model needs at least one completed trial");
  json diag;
  if (!EnsureModels(data, state.json, nullptr, false, &diag)) {
    return Internal("gp model could not be built: " + diag.dump());
  }
  Eigen::MatrixXd xq(static_cast<Eigen::Index>(points.size()), encoding_.dim());
  for (size_t i = 0; i < points.size(); ++i) xq.row(i) = encoding_.Encode(points[i]).transpose();
  std::vector<PointPrediction> out(points.size());
  const size_t nobj = static_cast<size_t>(num_objective_models_);
  for (size_t k = 0; k < cache_.size(); ++k) {
    Eigen::VectorXd mean, sd;
    if (!cache_[k].PredictOutcome(xq, &mean, &sd)) return Internal("gp posterior is not finite");
    const std::string& name = k >= nobj ? study.config.constraints[k - nobj].name
                                        : (composite() ? output_names_[k] : study.config.objective.name);
    const double sign = k == 0 && !composite() ? sign_ : 1.0;
    for (size_t i = 0; i < points.size(); ++i) out[i][name] = {sign * mean[i], sd[i]};
  }
  if (composite()) {
    // The composite objective's posterior mean and sd by Monte Carlo over the outputs (fixed samples).
    std::vector<std::shared_ptr<const acq::Model>> models;
    for (const OutcomeModel& m : cache_) models.push_back(m.AsModel());
    const auto cei = MakeCompositeEi(data, models, study.config.seed);
    for (size_t i = 0; i < points.size(); ++i) {
      acq::CompositeExpectedImprovement::Estimate e;
      if (!cei->EstimateAt(xq.row(i).transpose(), &e)) return Internal("gp posterior is not finite");
      out[i][study.config.objective.name] = {sign_ * e.mean, e.sd};
    }
  }
  return out;
}

StatusOr<std::optional<Recommendation>> GpStrategy::Recommend(const StudySnapshot& study,
                                                              const StrategyState& state) {
  const StudyData data = Collect(study);
  if (data.y.size() == 0 || !EnsureModels(data, state.json, nullptr, false, nullptr)) {
    return std::optional<Recommendation>();
  }
  // The observed point with the best posterior mean of the objective (among feasible ones when any is).
  gp::Posterior post;
  if (composite()) {
    std::vector<std::shared_ptr<const acq::Model>> models;
    for (const OutcomeModel& m : cache_) models.push_back(m.AsModel());
    const auto cei = MakeCompositeEi(data, models, study.config.seed);
    post.mean.resize(data.x.rows());
    for (Eigen::Index i = 0; i < data.x.rows(); ++i) {
      acq::CompositeExpectedImprovement::Estimate e;
      const bool ok = cei->EstimateAt(data.x.row(i).transpose(), &e);
      post.mean[i] = ok && std::isfinite(e.mean) ? e.mean : -std::numeric_limits<double>::infinity();
    }
  } else {
    post = cache_[0].gp()->Predict(data.x, gp::PosteriorOptions());
  }
  if (!post.status.ok()) return std::optional<Recommendation>();
  const bool any_feasible = AnyFeasible(data);
  Eigen::Index best = -1;
  for (Eigen::Index i = 0; i < data.y.size() - data.num_imputed; ++i) {  // never a failed trial
    if (!data.c.empty() && any_feasible && !data.feasible[i]) continue;
    if (best < 0 || post.mean[i] > post.mean[best]) best = i;
  }
  Recommendation r;
  r.params = data.trials[best]->params;
  ASSIGN_OR_RETURN(std::vector<PointPrediction> p, Predict(study, {r.params}, state));
  r.predicted = p[0];
  return std::optional<Recommendation>(std::move(r));
}

json GpStrategy::Summary(const StudySnapshot& study, const StrategyState& state) {
  json out = {{"acquisition", composite() ? std::string("composite_log_ei") : GpAcquisitionName(options_.acquisition)},
              {"asks", state.json.value("asks", 0)}};
  if (study.config.objective.composite()) out["composite_model"] = composite() ? "outputs" : "scalar";
  if (!constraint_specs_.empty()) {
    bool any_feasible = false;
    for (const Trial& t : study.trials) any_feasible = any_feasible || (t.feasible && *t.feasible);
    const json check = state.json.value("infeasibility", json());
    const bool appears = !any_feasible && check.is_object() && check.value("appears_infeasible", false);
    out["appears_infeasible"] = appears;
    if (appears) out["infeasibility"] = check;
  }
  return out;
}

namespace {

Status ValidateGp(const StudyConfig& config) {
  ASSIGN_OR_RETURN(GpStrategyOptions options, ParseGpStrategyOptions(config));
  if (config.fidelity) {
    // The registry sends `gp` studies with a fidelity to the multi-fidelity mode (mf_strategy.h); this model has no
    // fidelity input, so a direct caller must not hand it one.
    return InvalidArgument("the single-fidelity gp models no fidelity; multi-fidelity studies use the mf mode",
                           "fidelity");
  }
  const GpAcquisition a = options.acquisition;
  const bool composite_outputs =
      config.objective.composite() && options.composite_model == CompositeModel::kOutputs;
  if (composite_outputs) {
    if (a != GpAcquisition::kLogEi) {
      return InvalidArgument("strategy.acquisition \"" + GpAcquisitionName(a) +
                                 "\" is not available for a composite objective modelled output by output "
                                 "(composite EI); use log_ei, or set composite_model to \"scalar\"",
                             "strategy.acquisition");
    }
    RETURN_IF_ERROR(CompositeOuter::Create(config).status());
  }
  if (!config.constraints.empty() && a != GpAcquisition::kLogEi && a != GpAcquisition::kPi &&
      a != GpAcquisition::kNei && a != GpAcquisition::kConfig) {
    return InvalidArgument("strategy.acquisition \"" + GpAcquisitionName(a) +
                               "\" does not support constraints; use log_ei, pi or nei (multiplied by the "
                               "probability of feasibility) or config",
                           "strategy.acquisition");
  }
  return OkStatus();
}

std::unique_ptr<Strategy> CreateGp(const StudyConfig& config) {
  StatusOr<GpStrategyOptions> options = ParseGpStrategyOptions(config);
  return std::make_unique<GpStrategy>(config, options.ok() ? *options : GpStrategyOptions());
}

}  // namespace

StrategyFactory GpStrategyFactory() { return {ValidateGp, CreateGp}; }

}  // namespace bayesd
