// MfStrategy (mf_strategy_internal.h): the lifecycle -- what the models see of a study, fitting them, the initial
// design, Suggest, Predict, Recommend, option validation and the factory. One model-based pick is in
// mf_strategy_pick.cc.
#include "src/strategies/mf_strategy_internal.h"

#include <vector>

#include "gp/outcome_transform.h"

namespace bayesd {
namespace mf_strategy_internal {

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
  double best = kNegInf;
  std::vector<double> finite;
  for (Eigen::Index i = 0; i < data.obj.y.size(); ++i) {
    const double v = data.obj.y[i];
    if (!std::isfinite(v)) continue;
    finite.push_back(v);
    best = std::max(best, v);
  }
  double mean = 0, spread = 0;  // two-pass and scaled: no cancellation with a large offset
  gp::SampleMeanSd(Eigen::Map<const Eigen::VectorXd>(finite.data(), static_cast<Eigen::Index>(finite.size())), &mean,
                   &spread);
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

}  // namespace mf_strategy_internal

namespace {

using mf_strategy_internal::MfStrategy;

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
