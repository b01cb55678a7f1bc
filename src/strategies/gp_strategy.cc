// GpStrategy (gp_strategy_internal.h): the lifecycle -- initial design, one model-based pick, Suggest, Predict,
// Recommend, Summary -- and the strategy factory.
#include "src/strategies/gp_strategy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acquisition/acquisition.h"
#include "acquisition/composite.h"
#include "acquisition/failure.h"
#include "acquisition/monte_carlo.h"
#include "acquisition/optimizer.h"
#include "acquisition/penalty.h"
#include "src/strategies/baseline_strategies.h"
#include "src/strategies/gp_composite.h"
#include "src/strategies/gp_options.h"
#include "src/strategies/gp_strategy_internal.h"

namespace bayesd {
namespace gp_strategy_internal {
namespace {

constexpr int kMaxThompsonCandidates = 768;  // joint draw is O(m^3)
constexpr int kInfeasibleChecks = 3;  // consecutive positive optimistic-infeasibility checks before the verdict

}  // namespace

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

StatusOr<Suggestion> GpStrategy::ModelPoint(const StudyConfig& config, const StudyData& data, uint64_t seed,
                                            std::vector<std::shared_ptr<const acq::Model>>* models,
                                            Eigen::MatrixXd* excluded, json* state) {
  const auto t0 = Clock::now();
  const int n = static_cast<int>(data.y.size());
  // Candidate budget shrinks with n: scoring is O(n^2) per candidate.
  const int raw_n = std::max(std::min(options_.raw_samples, 64), static_cast<int>(options_.raw_samples *
                                                                                   std::min(1.0, 200.0 / std::max(1, n))));
  // "auto" settings: the benchmarked ones (docs/bo.md) for plain studies (plain_), the earlier ones otherwise.
  const bool trust_region =
      options_.trust_region == TrustRegionMode::kOn || (options_.trust_region == TrustRegionMode::kAuto && plain_);
  const SearchRegion region = trust_region ? TrustRegionBox(data, state) : SearchRegion();
  const bool multiscale = options_.local_candidates == LocalCandidates::kMultiscale ||
                          (options_.local_candidates == LocalCandidates::kAuto && plain_);
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
    // With failed trials the sampled world also decides which candidates fail (a joint draw from the failure
    // classifier, acq::SampleSuccesses), and the pick is the best sampled value among those that succeed.
    std::vector<bool> success;
    if (failure_model_) {
      gp::GpStatus failure_status;
      success = acq::SampleSuccesses(*failure_model_, cand, Mix(seed ^ 0xfa11ed5ULL), &failure_status);
      if (!failure_status.ok()) s.diagnostics["failure_model_message"] = failure_status.message();
      // A world where every candidate fails says nothing about where to go: the draw is not used.
      if (std::find(success.begin(), success.end(), true) == success.end()) success.clear();
    }
    Eigen::Index arg = -1;
    for (Eigen::Index i = 0; i < f.size(); ++i) {
      if (!success.empty() && !success[i]) continue;  // fails in this world
      if ((arg < 0 || f[i] > f[arg]) && !acq::IsNearRow(cand.row(i).transpose(), *excluded, 1e-9)) arg = i;
    }
    if (arg >= 0) {
      x = cand.row(arg).transpose();
      value = f[arg];
    }
    s.diagnostics["acquisition"] = success.empty() ? "ts" : "ts*p_success";
    s.diagnostics["candidates"] = m;
    if (!status.ok()) s.diagnostics["model_message"] = status.message();
  } else {
    std::shared_ptr<const acq::Acquisition> acquisition;
    // The incumbent includes what the pending points and the batch's earlier picks are believed to reach (plain
    // studies: with constraints or a composite objective their feasibility or composite value is not believed);
    // an explore pick keeps its median incumbent.
    const bool any_believed = !beliefs_.empty();
    if (any_believed) s.diagnostics["believed_points"] = BelievedPoints().rows();
    // The incumbent in model slot `slot`'s space: the observed one, raised to the believed values (reported).
    auto with_believed = [&](double observed, size_t slot) {
      const double believed = BelievedBest(slot, region);
      if (any_believed) s.diagnostics["incumbent_believed"] = believed > observed;
      return std::max(observed, believed);
    };
    if (auto local = LocalObjectiveModel(data, region, seed, models, &s.diagnostics)) {
      std::vector<std::shared_ptr<const acq::Model>> m = *models;
      m[0] = std::move(local);
      acquisition = MakeAcquisition(data, m, raw, region, seed, with_believed(local_incumbent_, cache_.size()));
    } else if (plain_ && !region.explore && !composite()) {
      acquisition = MakeAcquisition(data, *models, raw, region, seed, with_believed(Incumbent(data, region), 0));
    } else {
      acquisition = MakeAcquisition(data, *models, raw, region, seed);
    }
    acquisition = WithFactors(std::move(acquisition), data, region, &s.diagnostics);
    acq::OptimizationDomain domain{encoding_.spec(), [this](const Eigen::VectorXd& r) { return encoding_.Snap(r); },
                                   *excluded};
    acq::OptimizerOptions oo;
    oo.num_restarts = options_.restarts > 0 ? options_.restarts : (plain_ ? 10 : 5);
    oo.max_evaluations = options_.optimizer_evaluations;
    const bool boltzmann = options_.restart_selection == RestartSelection::kBoltzmann ||
                           (options_.restart_selection == RestartSelection::kAuto && plain_);
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
    if (options_.acquisition == GpAcquisition::kAuto && plain_) {
      s.diagnostics["acquisition_auto"] = {{"noise_ratio", ObjectiveNoiseRatio()},
                                           {"threshold", options_.auto_noise_ratio}};
    }
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
  for (size_t k = 0; k < models->size(); ++k) {
    auto& model = (*models)[k];
    acq::PointPosterior p;
    if (!acq::PosteriorAtPoint(*model, x, false, &p)) continue;
    model = ConditionOnBelief(std::move(model), x.transpose(), Eigen::VectorXd::Constant(1, p.mean), k);
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
  beliefs_.clear();
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
        for (size_t k = 0; k < models.size(); ++k) {  // kriging believer on the pending trials
          auto& model = models[k];
          if (data.pending.rows() == 0) break;
          const gp::Posterior post = model->PosteriorAt(data.pending, gp::PosteriorOptions());
          if (post.status.ok()) model = ConditionOnBelief(std::move(model), data.pending, post.mean, k);
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

}  // namespace gp_strategy_internal

namespace {

using gp_strategy_internal::GpStrategy;

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
    if (a != GpAcquisition::kLogEi && a != GpAcquisition::kAuto) {
      return InvalidArgument("strategy.acquisition \"" + GpAcquisitionName(a) +
                                 "\" is not available for a composite objective modelled output by output "
                                 "(composite EI); use auto or log_ei, or set composite_model to \"scalar\"",
                             "strategy.acquisition");
    }
    RETURN_IF_ERROR(CompositeOuter::Create(config).status());
  }
  if (!config.constraints.empty() && a != GpAcquisition::kAuto && a != GpAcquisition::kLogEi && a != GpAcquisition::kPi &&
      a != GpAcquisition::kNei && a != GpAcquisition::kConfig) {
    return InvalidArgument("strategy.acquisition \"" + GpAcquisitionName(a) +
                               "\" does not support constraints; use auto, log_ei, pi or nei (multiplied by the "
                               "probability of feasibility) or config",
                           "strategy.acquisition");
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<Strategy>> CreateGp(const StudyConfig& config) {
  ASSIGN_OR_RETURN(GpStrategyOptions options, ParseGpStrategyOptions(config));
  return std::unique_ptr<Strategy>(std::make_unique<GpStrategy>(config, options));
}

}  // namespace

StrategyFactory GpStrategyFactory() { return {ValidateGp, CreateGp}; }

}  // namespace bayesd
