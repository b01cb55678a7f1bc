// GpStrategy (gp_strategy_internal.h): what the models see of a study and fitting them.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gp/gp_classifier.h"
#include "gp/kernel_factory.h"
#include "src/strategies/gp_encoding.h"
#include "src/strategies/gp_model.h"
#include "src/strategies/gp_strategy_internal.h"
#include "src/study/composite.h"

namespace bayesd::gp_strategy_internal {
namespace {

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
    double v = 0;
    std::vector<double> ov, cv;
    if (!ModelledTrialValues(config, outer_.get(), output_names_, t.values, &v, &ov, &cv)) continue;
    AppendRow(&data.x, row);
    y.push_back(sign_ * v);
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

const Eigen::VectorXd& GpStrategy::ModelTarget(const StudyData& data, size_t k) const {
  const size_t nobj = static_cast<size_t>(num_objective_models_);
  if (k < nobj) return composite() ? data.outputs[k] : data.y;
  return data.c[k - nobj];
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
    mo.kernel.structure = options_.kernel_structure;
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

}  // namespace bayesd::gp_strategy_internal
