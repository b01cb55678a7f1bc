#include "src/strategies/gp_strategy.h"

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
#include "src/strategies/gp_encoding.h"
#include "src/strategies/gp_model.h"
#include "src/strategies/gp_options.h"
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

double Ms(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void AppendRow(Eigen::MatrixXd* m, const Eigen::VectorXd& row) {
  if (m->cols() != row.size()) m->resize(0, row.size());
  m->conservativeResize(m->rows() + 1, Eigen::NoChange);
  m->row(m->rows() - 1) = row.transpose();
}

// What the models see of a study.
struct StudyData {
  Eigen::MatrixXd x;                    // n x d, completed trials with finite objective and constraint values
  Eigen::VectorXd y;                    // n, objective oriented so that larger is better
  std::vector<Eigen::VectorXd> c;       // one n-vector per constraint, as measured
  std::vector<bool> feasible;           // n
  std::vector<const Trial*> trials;     // n, the modelled trials
  Eigen::MatrixXd pending;              // p x d
  Eigen::MatrixXd excluded;             // rows never proposed: completed, failed and pending points
  int num_trials = 0;                   // trials in the study (all states)
};

}  // namespace

class GpStrategy : public Strategy {
 public:
  GpStrategy(const StudyConfig& config, GpStrategyOptions options)
      : options_(options), encoding_(config.parameters),
        sign_(config.objective.goal == Goal::kMaximize ? 1.0 : -1.0), constraint_specs_(config.constraints) {}

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
                                  std::vector<std::shared_ptr<const acq::Model>>* models, Eigen::MatrixXd* excluded);
  Eigen::MatrixXd RawCandidates(const StudyData& data, uint64_t seed, int n) const;
  std::shared_ptr<const acq::Acquisition> MakeAcquisition(const StudyData& data,
                                                          const std::vector<std::shared_ptr<const acq::Model>>& m,
                                                          const Eigen::MatrixXd& raw, uint64_t seed) const;
  Eigen::MatrixXd TopObserved(const StudyData& data, int k) const;
  double Incumbent(const StudyData& data) const;
  bool AnyFeasible(const StudyData& data) const;

  GpStrategyOptions options_;
  GpEncoding encoding_;
  double sign_;                      // +1 maximize, -1 minimize
  std::vector<ConstraintSpec> constraint_specs_;
  std::vector<OutcomeModel> cache_;  // objective, then constraints; valid for cache_n_ observations
  int cache_n_ = -1;
  json cache_theta_;                 // the state "models" the cache was built with
};

StudyData GpStrategy::Collect(const StudySnapshot& study) const {
  const StudyConfig& config = study.config;
  StudyData data;
  data.num_trials = static_cast<int>(study.trials.size());
  data.c.resize(config.constraints.size());
  std::vector<double> y;
  std::vector<std::vector<double>> c(config.constraints.size());
  for (const Trial& t : study.trials) {
    if (t.state == TrialState::kAbandoned) continue;
    const Eigen::VectorXd row = encoding_.Encode(t.params);
    AppendRow(&data.excluded, row);
    if (t.state == TrialState::kPending) AppendRow(&data.pending, row);
    if (t.state != TrialState::kCompleted) continue;
    const std::optional<double> v = ObjectiveValue(config, t.values);
    if (!v || !std::isfinite(*v)) continue;
    bool finite = true;
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
    data.feasible.push_back(t.feasible.value_or(IsFeasible(config, t.values)));
    data.trials.push_back(&t);
  }
  data.y = Eigen::Map<Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  for (size_t k = 0; k < c.size(); ++k) {
    data.c[k] = Eigen::Map<Eigen::VectorXd>(c[k].data(), static_cast<Eigen::Index>(c[k].size()));
  }
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
  const size_t num = 1 + data.c.size();
  if (cache_n_ == n && cache_theta_ == saved && cache_.size() == num) return true;
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
    if (k == 0 && options_.warp_outcomes) mo.transform.warp = gp::OutcomeTransformOptions::Warp::kAuto;
    OutcomeModel model(encoding_.spec(), mo);
    const json entry = k < saved.size() ? saved[k] : json();
    Eigen::VectorXd warm;
    if (entry.is_object() && entry.contains("theta")) {
      const std::vector<double> t = entry["theta"].get<std::vector<double>>();
      warm = Eigen::Map<const Eigen::VectorXd>(t.data(), static_cast<Eigen::Index>(t.size()));
    }
    const FitMode mode = ChooseMode(entry, n, fit);
    gp::FitDiagnostics d = model.Fit(data.x, k == 0 ? data.y : data.c[k - 1], warm, mode);
    if (!model.ok() && mode != FitMode::kFull) {
      d = model.Fit(data.x, k == 0 ? data.y : data.c[k - 1], Eigen::VectorXd(), FitMode::kFull);
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

Eigen::MatrixXd GpStrategy::RawCandidates(const StudyData& data, uint64_t seed, int n) const {
  const int d = encoding_.dim();
  const int local = data.y.size() > 0 ? n / 4 : 0;
  Eigen::MatrixXd raw(n, d);
  const std::vector<std::vector<double>> sobol = ScrambledSobolPoints(d, seed, 0, n - local);
  for (int i = 0; i < n - local; ++i) raw.row(i) = encoding_.FromUnitCube(sobol[i]).transpose();
  // Perturbations of the best observed points (two scales) so refinement can start near the incumbents.
  const Eigen::MatrixXd top = TopObserved(data, 5);
  std::mt19937_64 rng(Mix(seed ^ 0x10ca1ULL));
  std::normal_distribution<double> normal;
  const std::vector<int> cont = encoding_.spec().ColumnsOfType(gp::ColumnType::kContinuous);
  for (int i = 0; i < local; ++i) {
    Eigen::VectorXd x = top.row(i % top.rows()).transpose();
    const double scale = (i % 2 == 0) ? 0.01 : 0.1;
    for (int j : cont) x[j] = std::clamp(x[j] + scale * normal(rng), 0.0, 1.0);
    raw.row(n - local + i) = x.transpose();
  }
  return raw;
}

Eigen::MatrixXd GpStrategy::TopObserved(const StudyData& data, int k) const {
  const int n = static_cast<int>(data.y.size());
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  Eigen::VectorXd score = data.y;
  if (!cache_.empty() && cache_[0].ok()) {
    const gp::Posterior post = cache_[0].gp()->Predict(data.x, gp::PosteriorOptions());
    if (post.status.ok()) score = post.mean;
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[a] > score[b]; });
  const int m = std::min(k, n);
  Eigen::MatrixXd out(m, encoding_.dim());
  for (int i = 0; i < m; ++i) out.row(i) = data.x.row(order[i]);
  return out;
}

bool GpStrategy::AnyFeasible(const StudyData& data) const {
  return std::find(data.feasible.begin(), data.feasible.end(), true) != data.feasible.end();
}

double GpStrategy::Incumbent(const StudyData& data) const {
  double best = -std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < data.y.size(); ++i) {
    if (data.c.empty() || data.feasible[i]) best = std::max(best, cache_[0].transform().ToModel(data.y[i]));
  }
  return best;
}

std::shared_ptr<const acq::Acquisition> GpStrategy::MakeAcquisition(
    const StudyData& data, const std::vector<std::shared_ptr<const acq::Model>>& m, const Eigen::MatrixXd& raw,
    uint64_t seed) const {
  std::vector<acq::ConstraintModel> constraints;
  for (size_t k = 0; k < data.c.size(); ++k) {
    const ConstraintSpec& cs = constraint_specs_[k];
    constraints.push_back({m[k + 1], cache_[k + 1].transform().ToModel(cs.bound), cs.op == ConstraintOp::kLessEqual});
  }
  if (!constraints.empty() && !AnyFeasible(data)) {
    return std::make_shared<acq::LogProbabilityOfFeasibility>(constraints);
  }
  const double best = Incumbent(data);
  std::shared_ptr<const acq::Acquisition> base;
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
  }
  if (constraints.empty()) return base;
  return std::make_shared<acq::ConstrainedAcquisition>(base, constraints);
}

StatusOr<Suggestion> GpStrategy::ModelPoint(const StudyConfig& config, const StudyData& data, uint64_t seed,
                                            std::vector<std::shared_ptr<const acq::Model>>* models,
                                            Eigen::MatrixXd* excluded) {
  const auto t0 = Clock::now();
  const int n = static_cast<int>(data.y.size());
  // Candidate budget shrinks with n: scoring is O(n^2) per candidate.
  const int raw_n = std::max(std::min(options_.raw_samples, 64), static_cast<int>(options_.raw_samples *
                                                                                   std::min(1.0, 200.0 / std::max(1, n))));
  const Eigen::MatrixXd raw = RawCandidates(data, seed, raw_n);
  Suggestion s;
  s.diagnostics = {{"strategy", "gp"}, {"phase", "model"}, {"observations", n},
                   {"pending_conditioned", data.pending.rows()}};
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
    auto acquisition = MakeAcquisition(data, *models, raw, seed);
    acq::OptimizationDomain domain{encoding_.spec(), [this](const Eigen::VectorXd& r) { return encoding_.Snap(r); },
                                   *excluded};
    acq::OptimizerOptions oo;
    oo.num_restarts = options_.restarts;
    oo.max_evaluations = options_.optimizer_evaluations;
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
  for (int i = 0; i < count; ++i) {
    const bool initial_phase = data.num_trials + i < initial || data.y.size() < 2;
    if (!initial_phase && models.empty() && !model_failed) {
      const auto t0 = Clock::now();
      model_failed = !EnsureModels(data, js, &js, true, &fit_diag);
      fit_ms = Ms(t0);
      if (!model_failed) {
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
    ASSIGN_OR_RETURN(Suggestion s, ModelPoint(study.config, data, seed, &models, &excluded));
    s.diagnostics["fit"] = fit_diag;
    s.diagnostics["fit_ms"] = fit_ms;
    out.push_back(std::move(s));
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
  for (size_t k = 0; k < cache_.size(); ++k) {
    Eigen::VectorXd mean, sd;
    if (!cache_[k].PredictOutcome(xq, &mean, &sd)) return Internal("gp posterior is not finite");
    const std::string& name = k == 0 ? study.config.objective.name : study.config.constraints[k - 1].name;
    const double sign = k == 0 ? sign_ : 1.0;
    for (size_t i = 0; i < points.size(); ++i) out[i][name] = {sign * mean[i], sd[i]};
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
  const gp::Posterior post = cache_[0].gp()->Predict(data.x, gp::PosteriorOptions());
  if (!post.status.ok()) return std::optional<Recommendation>();
  const bool any_feasible = AnyFeasible(data);
  Eigen::Index best = -1;
  for (Eigen::Index i = 0; i < data.y.size(); ++i) {
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
  (void)study;
  return {{"acquisition", GpAcquisitionName(options_.acquisition)}, {"asks", state.json.value("asks", 0)}};
}

namespace {

Status ValidateGp(const StudyConfig& config) {
  ASSIGN_OR_RETURN(GpStrategyOptions options, ParseGpStrategyOptions(config));
  if (config.fidelity) {
    return InvalidArgument("strategy gp does not support multi-fidelity studies yet: remove `fidelity` or choose "
                           "another strategy",
                           "fidelity");
  }
  const GpAcquisition a = options.acquisition;
  if (!config.constraints.empty() && a != GpAcquisition::kLogEi && a != GpAcquisition::kPi &&
      a != GpAcquisition::kNei) {
    return InvalidArgument("strategy.acquisition \"" + GpAcquisitionName(a) +
                               "\" does not support constraints; use log_ei, pi or nei (multiplied by the "
                               "probability of feasibility)",
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
