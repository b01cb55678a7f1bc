// GpStrategy (gp_strategy_internal.h): the acquisition of one pick -- incumbent, constraint models, composite EI
// (composite outputs mode) and the local objective model of the trust region.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <vector>

#include "acquisition/acquisition.h"
#include "acquisition/composite.h"
#include "acquisition/failure.h"
#include "acquisition/monte_carlo.h"
#include "acquisition/normal.h"
#include "acquisition/penalty.h"
#include "gp/outcome_transform.h"
#include "src/strategies/baseline_strategies.h"
#include "src/strategies/gp_local_model.h"
#include "src/strategies/gp_strategy_internal.h"

namespace bayesd::gp_strategy_internal {
namespace {

constexpr int kMaxBaseline = 16;        // nei baseline / kg discretization: best observed points by posterior mean
// Composite EI smoothing temperature, relative to the spread of the observed composite values: small enough that
// the smoothed EI equals EI wherever some sample improves (error <= tau log 2), finite where none does.
constexpr double kCompositeTauRelative = 1e-6;
constexpr int kFloorRows = 64;  // a signed acquisition's floor: its lowest value at this many worst observations

}  // namespace

double GpStrategy::ObjectiveNoiseRatio() const {
  if (cache_.empty() || !cache_[0].ok() || !cache_[0].gp()) return 0.0;
  return cache_[0].gp()->noise_variance();  // standardized outcome: a share of the observed variance
}

GpAcquisition GpStrategy::EffectiveAcquisition() const {
  if (options_.acquisition != GpAcquisition::kAuto) return options_.acquisition;
  // Constrained and composite studies keep log-EI, with which docs/constrained.md was measured.
  if (!plain_) return GpAcquisition::kLogEi;
  return ObjectiveNoiseRatio() > options_.auto_noise_ratio ? GpAcquisition::kNei : GpAcquisition::kLogEi;
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
  switch (EffectiveAcquisition()) {
    case GpAcquisition::kAuto:  // resolved by EffectiveAcquisition
    case GpAcquisition::kLogEi: base = std::make_shared<acq::LogExpectedImprovement>(m[0], best); break;
    case GpAcquisition::kEi: base = std::make_shared<acq::ExpectedImprovement>(m[0], best); break;
    case GpAcquisition::kPi: base = std::make_shared<acq::LogProbabilityOfImprovement>(m[0], best); break;
    case GpAcquisition::kUcb: {
      const double beta = acq::GpUcbBeta(static_cast<int>(data.y.size()) + 1, encoding_.dim(), options_.ucb_delta,
                                         options_.ucb_beta_scale);
      base = std::make_shared<acq::UpperConfidenceBound>(m[0], beta);
      break;
    }
    case GpAcquisition::kNei: {
      // Baseline: the best observed points and the believed ones (BoTorch's X_pending in qNEI's baseline).
      Eigen::MatrixXd baseline = TopObserved(data, kMaxBaseline);
      const Eigen::MatrixXd believed = BelievedPoints();
      for (Eigen::Index r = 0; r < believed.rows(); ++r) AppendRow(&baseline, believed.row(r).transpose());
      base = std::make_shared<acq::NoisyExpectedImprovement>(m[0], baseline, options_.mc_samples, seed);
      break;
    }
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

std::shared_ptr<const acq::Acquisition> GpStrategy::WithFactors(std::shared_ptr<const acq::Acquisition> acquisition,
                                                               const StudyData& data, const SearchRegion& region,
                                                               json* diag) const {
  if (!acquisition) return acquisition;
  // The floor: 0 for the nonnegative linear-scale acquisitions (EI, KG, MES); for a signed one (UCB, CONFIG) its
  // lowest value at the observed points (the kFloorRows worst by objective), so a penalized or likely failing point
  // is worth what the worst observation is.
  const bool factored = (region.penalize_spent && region.spent_centres.rows() > 0) || failure_model_;
  double floor = 0;
  if (factored && !acquisition->log_scale() && !acquisition->nonnegative()) {
    std::vector<Eigen::Index> order(data.x.rows());
    std::iota(order.begin(), order.end(), 0);
    auto worse = [&](Eigen::Index a, Eigen::Index b) {
      const double ya = std::isfinite(data.y[a]) ? data.y[a] : -std::numeric_limits<double>::infinity();
      const double yb = std::isfinite(data.y[b]) ? data.y[b] : -std::numeric_limits<double>::infinity();
      return ya < yb;
    };
    const Eigen::Index k = std::min<Eigen::Index>(kFloorRows, data.x.rows());
    std::partial_sort(order.begin(), order.begin() + k, order.end(), worse);
    Eigen::MatrixXd rows(k, data.x.cols());
    for (Eigen::Index i = 0; i < k; ++i) rows.row(i) = data.x.row(order[i]);
    const Eigen::VectorXd at_observed = acquisition->EvaluateMany(rows);
    floor = std::numeric_limits<double>::infinity();
    for (double v : at_observed) {
      if (std::isfinite(v)) floor = std::min(floor, v);
    }
    if (std::isfinite(floor)) {
      (*diag)["acquisition_floor"] = floor;
    } else {  // no observed value to anchor the floor: the factors are left out
      (*diag)["acquisition_factors"] = "not applied: no finite acquisition value at the observed points";
    }
  }
  if (std::isfinite(floor)) {
    if (region.penalize_spent && region.spent_centres.rows() > 0) {
      acquisition = std::make_shared<acq::RegionPenalty>(acquisition, region.spent_centres, ExclusionRadii(), floor);
      floor = 0;  // the penalized linear-scale acquisition is nonnegative
    }
    if (failure_model_) {
      acquisition = std::make_shared<acq::WithSuccessProbability>(acquisition, failure_model_, floor);
    }
  }
  return acquisition;
}

std::shared_ptr<const acq::Model> GpStrategy::ConditionOnBelief(std::shared_ptr<const acq::Model> model,
                                                                const Eigen::MatrixXd& x, const Eigen::VectorXd& mean,
                                                                size_t slot) {
  gp::GpStatus status;
  std::shared_ptr<const acq::Model> next = model->Condition(x, mean, &status);
  if (!next) return model;
  for (Eigen::Index r = 0; r < x.rows(); ++r) beliefs_.push_back({x.row(r).transpose(), slot, mean[r]});
  return next;
}

double GpStrategy::BelievedBest(size_t slot, const SearchRegion& region) const {
  double best = -std::numeric_limits<double>::infinity();
  const bool boxed = region.lower.size() == encoding_.dim() && region.upper.size() == encoding_.dim();
  for (const Belief& b : beliefs_) {
    if (b.slot != slot || !std::isfinite(b.mean)) continue;
    if (boxed && ((b.x - region.lower).minCoeff() < 0 || (region.upper - b.x).minCoeff() < 0)) continue;
    best = std::max(best, b.mean);
  }
  return best;
}

Eigen::MatrixXd GpStrategy::BelievedPoints() const {
  Eigen::MatrixXd points(0, encoding_.dim());
  for (const Belief& b : beliefs_) {
    bool seen = false;
    for (Eigen::Index r = 0; r < points.rows() && !seen; ++r) seen = (points.row(r).transpose() - b.x).isZero(0);
    if (!seen) AppendRow(&points, b.x);
  }
  return points;
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
  std::vector<double> finite;
  for (Eigen::Index i = 0; i < data.y.size(); ++i) {
    if (std::isfinite(data.y[i])) finite.push_back(data.y[i]);
  }
  // Two-pass and scaled (gp::SampleMeanSd): the one-pass sum of squares lost the spread of values with a large
  // offset (1e8 +- 1e-3) to cancellation.
  double mean = 0, spread = 0;
  gp::SampleMeanSd(Eigen::Map<const Eigen::VectorXd>(finite.data(), static_cast<Eigen::Index>(finite.size())), &mean,
                   &spread);
  if (!(spread > 0) || !std::isfinite(spread)) spread = std::isfinite(best) ? std::max(1.0, std::abs(best)) : 1.0;
  // No finite composite value observed yet (e.g. every one divided by zero): any finite value improves; the
  // smoothed EI then ranks points by how many samples give a finite composite.
  if (!std::isfinite(best)) best = -1e300;
  std::shared_ptr<CompositeOuter> outer = outer_;
  return std::make_shared<acq::CompositeExpectedImprovement>(
      std::move(outputs), [outer](const Eigen::VectorXd& y, Eigen::VectorXd* g) { return outer->Evaluate(y, g); },
      sign_, best, std::move(z), kCompositeTauRelative * spread);
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
    // Imputed failures (worst value at the failed points) raise the global model's noise estimate without any
    // unresolved structure behind it, and the local model leaves them out: no noise rule while there are any.
    const bool noisy = options_.local_model == LocalModelMode::kAuto && data.num_imputed == 0 &&
                       ObjectiveNoiseRatio() > options_.auto_noise_ratio;
    const bool compared = !noisy && options_.local_model != LocalModelMode::kOn;
    LocalModelOptions lo;
    lo.neighbourhood = options_.local_model_neighbourhood;
    lo.fit_random_starts = options_.fit_random_starts;
    lo.seed = seed;
    lo.kernel = options_.local_model_kernel;
    // local_model_structure where the local model is used outright; the leave-one-out comparison keeps the ARD
    // local model it was measured with (docs/bo.md step 5d).
    lo.structure = compared ? gp::KernelOptions::Structure::kArd : options_.local_model_structure;
    // Only observed rows (imputed failures stay in the global model), so the local data is the region's own.
    const LocalModel local = FitLocalModel(encoding_.spec(), data.x.topRows(observed), data.y.head(observed),
                                           data.x.row(centre).transpose(), length, lo);
    local_diag_ = local.Describe();
    bool use = local.model != nullptr;
    if (use && noisy) {
      // The global model reads the structure below its lengthscales as noise: the local model is what resolves it.
      local_diag_["reason"] = "noise";
    } else if (use && compared) {
      // The local model only where it predicts the neighbourhood's observations better than the global model.
      const double global = LooLogPredictive(cache_[0], local.rows);
      local_diag_["global_loo"] = std::isfinite(global) ? json(global) : json(nullptr);
      use = std::isfinite(local.loo) && std::isfinite(global) && local.loo > global;
      local_diag_["reason"] = "loo";
    }
    local_diag_["used"] = use;
    if (use) {
      local_incumbent_ = local.model->transform().ToModel(data.y[centre]);
      std::shared_ptr<const acq::Model> m = local.model->AsModel();
      if (data.pending.rows() > 0) {  // kriging believer on the pending trials, as the outcome models
        const gp::Posterior post = m->PosteriorAt(data.pending, gp::PosteriorOptions());
        if (post.status.ok()) m = ConditionOnBelief(std::move(m), data.pending, post.mean, index);
      }
      models->resize(index);
      models->push_back(std::move(m));
    }
  }
  if (diag && !local_diag_.is_null()) (*diag)["local_model"] = local_diag_;
  return models->size() > index ? (*models)[index] : nullptr;
}

}  // namespace bayesd::gp_strategy_internal
