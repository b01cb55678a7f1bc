// MfStrategy (mf_strategy_internal.h): one model-based pick -- the raw candidates, each open fidelity's acquisition
// maximized and compared per unit cost, and the saturation and target-cost rules that can override the winner.
#include "src/strategies/mf_strategy_internal.h"

namespace bayesd {
namespace mf_strategy_internal {

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

}  // namespace mf_strategy_internal
}  // namespace bayesd
