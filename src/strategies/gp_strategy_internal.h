// Internals of the `gp` strategy (gp_strategy.h): what its source files share. Not included outside
// src/strategies. The strategy is one class, GpStrategy, whose members are defined by responsibility:
//   gp_strategy.cc              the lifecycle: initial design, one model-based pick (ModelPoint), Suggest, Predict,
//                               Recommend, Summary, option validation and the factory;
//   gp_strategy_models.cc       what the models see of a study (Collect, failed-trial imputation) and fitting them
//                               (EnsureModels and its refit policy, the failed-trial classifier);
//   gp_strategy_region.cc       where a pick searches: the trust-region box and its restart segments, and the raw
//                               candidates;
//   gp_strategy_acquisition.cc  the acquisition of a pick: incumbent, constraint models, composite EI, the local
//                               objective model.
#ifndef BAYESD_SRC_STRATEGIES_GP_STRATEGY_INTERNAL_H_
#define BAYESD_SRC_STRATEGIES_GP_STRATEGY_INTERNAL_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acquisition/acquisition.h"
#include "acquisition/composite.h"
#include "gp/gp_classifier.h"
#include "src/strategies/gp_composite.h"
#include "src/strategies/gp_encoding.h"
#include "src/strategies/gp_model.h"
#include "src/strategies/gp_options.h"
#include "src/strategies/model_util.h"
#include "src/strategies/strategy.h"

namespace bayesd::gp_strategy_internal {

using nlohmann::json;
namespace acq = acquisition;
using Clock = std::chrono::steady_clock;

// Fit sizes: the models' refit policy, the failure classifier's grid and the local model all stop at kMaxFullFitN.
constexpr int kMaxFullFitN = 300;       // above this many observations only warm local refits (cost O(n^3) each)
constexpr double kLargeNRefitGrowth = 1.1;  // ... and only when n grew by 10% since the last one
constexpr double kLargeNFitSeconds = 2.0;   // ... each capped at this wall-clock time

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
// leads), the spent regions' centres (penalized in explore picks, and in segments with trust_region_segment_penalty)
// and whether the pick explores because the new segment has nothing to start from (EI over the median observed
// value).
struct SearchRegion {
  Eigen::VectorXd lower, upper;
  int box_centre_row = -1;  // the observation the box is centred on (with a box)
  double length = 0;        // the box's side (with a box)
  int centre_row = -1;
  Eigen::MatrixXd spent_centres;
  // Whether the acquisition carries the soft-ball penalty of spent_centres: explore picks always, segment picks with
  // trust_region_segment_penalty (both only with trust_region_exclusion > 0).
  bool penalize_spent = false;
  bool explore = false;
  json diag;  // null without a trust region
};

class GpStrategy : public Strategy {
 public:
  GpStrategy(const StudyConfig& config, GpStrategyOptions options)
      : options_(options), encoding_(config.parameters),
        sign_(config.objective.goal == Goal::kMaximize ? 1.0 : -1.0), constraint_specs_(config.constraints),
        plain_(config.constraints.empty() && !config.objective.composite()) {
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
  // incumbent: the objective's incumbent in m[0]'s space (given for the local model, and for the global model when
  // it includes believed values); default Incumbent(data, region).
  std::shared_ptr<const acq::Acquisition> MakeAcquisition(const StudyData& data,
                                                          const std::vector<std::shared_ptr<const acq::Model>>& m,
                                                          const Eigen::MatrixXd& raw, const SearchRegion& region,
                                                          uint64_t seed,
                                                          std::optional<double> incumbent = std::nullopt) const;
  // The acquisition with the pick's factors: the spent-region penalty (region.penalize_spent) and P(not failed)
  // (failure_model_) -- added on the log scale, multiplied into a linear-scale acquisition's excess over a floor
  // (acq::ApplyLogFactor). The floor and why factors were left out go into *diag.
  std::shared_ptr<const acq::Acquisition> WithFactors(std::shared_ptr<const acq::Acquisition> acquisition,
                                                      const StudyData& data, const SearchRegion& region,
                                                      json* diag) const;
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
  // The objective model's fitted noise variance in its standardized units (0 without a model).
  double ObjectiveNoiseRatio() const;
  // options_.acquisition with "auto" resolved: nei when the objective model's noise share is above
  // auto_noise_ratio in a plain study (no constraints, no composite objective), log_ei otherwise.
  GpAcquisition EffectiveAcquisition() const;
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
  bool plain_;                       // no constraints, no composite objective: the "auto" settings' benchmarked case
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
  // Kriging believer, this Suggest call: every (point, model slot, believed value) the models were conditioned on
  // -- pending trials, then the batch's earlier picks; values are posterior means in the slot's model space.
  // Incumbents and nei's baseline include them, so a later pick has to improve on what the earlier ones are
  // believed to reach instead of repeating them.
  struct Belief {
    Eigen::VectorXd x;
    size_t slot;  // index into the models vector
    double mean;
  };
  std::vector<Belief> beliefs_;
  // `model` (slot `slot` of the models vector) conditioned on the rows of x at the believed values `mean`, which are
  // recorded in beliefs_; `model` itself when the update fails.
  std::shared_ptr<const acq::Model> ConditionOnBelief(std::shared_ptr<const acq::Model> model, const Eigen::MatrixXd& x,
                                                      const Eigen::VectorXd& mean, size_t slot);
  // The largest believed value for model slot `slot` among points inside region's box (all points without a box);
  // -inf when none.
  double BelievedBest(size_t slot, const SearchRegion& region) const;
  // The distinct believed points, in the order first believed.
  Eigen::MatrixXd BelievedPoints() const;
};

}  // namespace bayesd::gp_strategy_internal

#endif  // BAYESD_SRC_STRATEGIES_GP_STRATEGY_INTERNAL_H_
