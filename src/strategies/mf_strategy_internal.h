// Internals of the multi-fidelity mode of the `gp` strategy (mf_strategy.h): what its source files share. Not
// included outside src/strategies. The strategy is one class, MfStrategy, whose members are defined by
// responsibility:
//   mf_strategy.cc       the lifecycle: what the models see of a study (Collect), fitting them (EnsureModels), the
//                        initial design, Suggest, Predict, Recommend, option validation and the factory;
//   mf_strategy_pick.cc  one model-based pick (ModelPoint): raw candidates, each fidelity's acquisition, the
//                        saturation and target-cost rules that can override it.
#ifndef BAYESD_SRC_STRATEGIES_MF_STRATEGY_INTERNAL_H_
#define BAYESD_SRC_STRATEGIES_MF_STRATEGY_INTERNAL_H_

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
#include "src/strategies/mf_strategy.h"
#include "src/strategies/model_util.h"
#include "src/study/composite.h"

namespace bayesd {
namespace mf_strategy_internal {

using nlohmann::json;
namespace acq = acquisition;
using Clock = std::chrono::steady_clock;

inline constexpr double kNegInf = -std::numeric_limits<double>::infinity();
inline constexpr int kMinPerLevel = 2;       // co-kriging needs this many observations at every level
inline constexpr int kMaxValueCandidates = 512;
// A lower-fidelity pick this close (max-abs, unit cube) to a point already evaluated at that fidelity is taken as a
// sign that the low level has nothing left to say there (the model still credits it because it underestimates the
// discrepancy): the target's own pick is evaluated instead.
inline constexpr double kSaturationDistance = 0.02;
// A saturated target pick (within kSaturationDistance of an evaluated target point) goes to target log EI; when that
// neighbourhood already holds this many target evaluations, log EI must pick a point at least kSaturationDistance
// from every evaluated target point. Without it Currin spent ~16 target evaluations on one point 0.02 from the
// optimum (the co-kriging delta level, with its target data in one place, cannot learn the shift of the argmax):
// median regret 0.00227 -> 0.000245 (Currin), 0.00037 -> 0.00027 (Forrester); 3 neighbours: 0.00045 / 0.00046,
// a radius on every saturated pick: 0.00039 / 0.0014 (it stops Forrester's last refinement steps).
inline constexpr int kMaxTargetNeighbours = 2;
// Composite EI smoothing temperature relative to the spread of the observed composite values (as the gp strategy).
inline constexpr double kCompositeTauRelative = 1e-6;

using model_util::AppendRow;
using model_util::Mix;
using model_util::Ms;

inline json Finite(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

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

}  // namespace mf_strategy_internal
}  // namespace bayesd

#endif  // BAYESD_SRC_STRATEGIES_MF_STRATEGY_INTERNAL_H_
