#include "acquisition/optimizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include <nlopt.h>

#include "gp/outcome_transform.h"

namespace bayesd::acquisition {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

struct Candidate {
  Eigen::VectorXd x;
  double value;
  std::string termination;
};

// NLopt callback state: the acquisition restricted to the free (continuous) columns of a base point.
struct RunState {
  const Acquisition* acquisition = nullptr;
  Eigen::VectorXd base;    // d, the fixed columns' values
  std::vector<int> free;   // indices of the optimized columns
  int evaluations = 0;
  double best_value = kNegInf;
  Eigen::VectorXd best_x;  // d
};

double Objective(unsigned n, const double* u, double* grad, void* data) {
  auto* s = static_cast<RunState*>(data);
  ++s->evaluations;
  Eigen::VectorXd x = s->base;
  for (unsigned i = 0; i < n; ++i) x[s->free[i]] = u[i];
  Eigen::VectorXd g;
  const double v = s->acquisition->Evaluate(x, grad ? &g : nullptr);
  if (!std::isfinite(v)) {
    if (grad) std::fill(grad, grad + n, 0.0);
    return -1e300;
  }
  if (grad) {
    for (unsigned i = 0; i < n; ++i) grad[i] = g[s->free[i]];
  }
  if (v > s->best_value) {
    s->best_value = v;
    s->best_x = x;
  }
  return v;
}

Candidate Refine(const Acquisition& acquisition, const Eigen::VectorXd& x0, const std::vector<int>& free,
                 const OptimizerOptions& options, int* evaluations) {
  RunState state;
  state.acquisition = &acquisition;
  state.base = x0;
  state.free = free;
  state.best_x = x0;
  state.best_value = acquisition.Evaluate(x0, nullptr);
  const unsigned n = static_cast<unsigned>(free.size());
  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, n);
  if (!opt) return {x0, state.best_value, "NLOPT_OUT_OF_MEMORY"};
  std::vector<double> lo(n, 0.0), hi(n, 1.0);
  const bool boxed = options.lower.size() == x0.size() && options.upper.size() == x0.size();
  for (unsigned i = 0; i < n && boxed; ++i) {
    lo[i] = std::clamp(options.lower[free[i]], 0.0, 1.0);
    hi[i] = std::clamp(options.upper[free[i]], lo[i], 1.0);
  }
  nlopt_set_lower_bounds(opt, lo.data());
  nlopt_set_upper_bounds(opt, hi.data());
  nlopt_set_max_objective(opt, Objective, &state);
  nlopt_set_xtol_rel(opt, options.xtol_rel);
  nlopt_set_ftol_rel(opt, options.ftol_rel);
  nlopt_set_maxeval(opt, options.max_evaluations);
  std::vector<double> u(n);
  for (unsigned i = 0; i < n; ++i) u[i] = std::clamp(x0[free[i]], lo[i], hi[i]);
  double f = 0;
  const nlopt_result r = nlopt_optimize(opt, u.data(), &f);
  nlopt_destroy(opt);
  *evaluations += state.evaluations;
  const char* name = nlopt_result_to_string(r);
  return {state.best_x, state.best_value, name ? name : "UNKNOWN"};
}

// All combinations of the categorical columns (empty when there are more than `limit`).
std::vector<std::vector<int>> CategoricalCombinations(const gp::InputSpec& spec, const std::vector<int>& cats,
                                                      int limit) {
  double total = 1;
  for (int c : cats) total *= spec.columns[c].num_categories;
  std::vector<std::vector<int>> out;
  if (cats.empty() || total > limit) return out;
  std::vector<int> combo(cats.size(), 0);
  while (true) {
    out.push_back(combo);
    size_t k = 0;
    while (k < cats.size() && ++combo[k] == spec.columns[cats[k]].num_categories) combo[k++] = 0;
    if (k == cats.size()) break;
  }
  return out;
}

// The best categorical assignment for the continuous part of x (evaluated in one batch).
Eigen::VectorXd BestCombination(const Acquisition& acquisition, const Eigen::VectorXd& x,
                                const std::vector<int>& cats, const std::vector<std::vector<int>>& combos) {
  Eigen::MatrixXd rows(combos.size(), x.size());
  for (size_t i = 0; i < combos.size(); ++i) {
    rows.row(i) = x.transpose();
    for (size_t k = 0; k < cats.size(); ++k) rows(i, cats[k]) = combos[i][k];
  }
  const Eigen::VectorXd v = acquisition.EvaluateMany(rows);
  Eigen::Index arg = 0;
  for (Eigen::Index i = 1; i < v.size(); ++i) {
    if (v[i] > v[arg]) arg = i;
  }
  return rows.row(arg).transpose();
}

// The best candidates (in `order`) pairwise at least min_restart_distance apart in the continuous columns; topped
// up with the next best when too few are far enough apart.
std::vector<Eigen::Index> RestartIndices(const Eigen::MatrixXd& raw, const std::vector<Eigen::Index>& order,
                                         const std::vector<int>& free, const OptimizerOptions& options) {
  const size_t want = std::min<size_t>(options.num_restarts, order.size());
  std::vector<Eigen::Index> starts;
  auto far = [&](Eigen::Index i) {
    for (Eigen::Index j : starts) {
      double d2 = 0;
      for (int c : free) d2 += (raw(i, c) - raw(j, c)) * (raw(i, c) - raw(j, c));
      if (d2 < options.min_restart_distance * options.min_restart_distance) return false;
    }
    return true;
  };
  for (Eigen::Index i : order) {
    if (starts.size() == want) break;
    if (far(i)) starts.push_back(i);
  }
  for (Eigen::Index i : order) {
    if (starts.size() == want) break;
    if (std::find(starts.begin(), starts.end(), i) == starts.end()) starts.push_back(i);
  }
  return starts;
}

// BoTorch's initialize_q_batch: `want` indices drawn without replacement with weights exp(eta z), z = standardized
// finite raw values (non-finite ones get weight 0), the best candidate always among them. Plain top-k when the
// values do not vary.
std::vector<Eigen::Index> BoltzmannIndices(const Eigen::VectorXd& values, const std::vector<Eigen::Index>& order,
                                           const OptimizerOptions& options) {
  const size_t m = order.size();
  const size_t want = std::min<size_t>(options.num_restarts, m);
  std::vector<double> kept;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) kept.push_back(values[i]);
  }
  const int finite = static_cast<int>(kept.size());
  // Two-pass and scaled (gp::SampleMeanSd): log-EI values like -9.42 +- 1e-6 cancel in a one-pass sum of squares,
  // and EI values near 1e-200 underflow in it.
  double mean = 0, sd = 0;
  gp::SampleMeanSd(Eigen::Map<const Eigen::VectorXd>(kept.data(), finite), &mean, &sd);
  if (!(sd > 0) || !std::isfinite(sd) || static_cast<size_t>(finite) <= want) {
    return std::vector<Eigen::Index>(order.begin(), order.begin() + want);
  }
  std::vector<double> w(values.size(), 0.0);
  for (double eta = options.boltzmann_eta; eta > 1e-12; eta *= 0.5) {
    bool overflow = false;
    for (Eigen::Index i = 0; i < values.size(); ++i) {
      w[i] = std::isfinite(values[i]) ? std::exp(eta * (values[i] - mean) / sd) : 0.0;
      overflow = overflow || !std::isfinite(w[i]);
    }
    if (!overflow) break;
  }
  std::mt19937_64 rng(options.seed ^ 0xb0172a4eULL);
  std::vector<Eigen::Index> picked;
  double total = std::accumulate(w.begin(), w.end(), 0.0);
  while (picked.size() < want && total > 0) {
    double u = std::uniform_real_distribution<double>(0.0, total)(rng);
    Eigen::Index pick = -1;
    for (Eigen::Index i = 0; i < values.size(); ++i) {
      if (w[i] <= 0) continue;
      pick = i;
      u -= w[i];
      if (u <= 0) break;
    }
    if (pick < 0) break;
    picked.push_back(pick);
    total -= w[pick];
    w[pick] = 0;
  }
  if (std::find(picked.begin(), picked.end(), order[0]) == picked.end()) {
    if (picked.size() < want) {
      picked.push_back(order[0]);
    } else {
      picked.back() = order[0];
    }
  }
  for (Eigen::Index i : order) {  // top up (only when fewer finite weights than restarts)
    if (picked.size() >= want) break;
    if (std::find(picked.begin(), picked.end(), i) == picked.end()) picked.push_back(i);
  }
  return picked;
}

}  // namespace

gp::GpStatus OptimizerOptions::Validate() const {
  if (num_restarts < 1) return gp::GpInvalid("num_restarts = " + std::to_string(num_restarts) + " must be >= 1");
  if (max_evaluations < 1) {
    return gp::GpInvalid("max_evaluations = " + std::to_string(max_evaluations) + " must be >= 1");
  }
  if (!(xtol_rel >= 0) || !(ftol_rel >= 0)) return gp::GpInvalid("xtol_rel and ftol_rel must be >= 0");
  if (max_categorical_combinations < 0) return gp::GpInvalid("max_categorical_combinations must be >= 0");
  if (!(duplicate_tolerance >= 0)) return gp::GpInvalid("duplicate_tolerance must be >= 0");
  if (!(min_restart_distance >= 0)) return gp::GpInvalid("min_restart_distance must be >= 0");
  if (!(boltzmann_eta > 0) || !std::isfinite(boltzmann_eta)) return gp::GpInvalid("boltzmann_eta must be > 0");
  return gp::GpOk();
}

bool IsNearRow(const Eigen::VectorXd& x, const Eigen::MatrixXd& rows, double tolerance) {
  if (rows.rows() == 0 || rows.cols() != x.size()) return false;
  return ((rows.rowwise() - x.transpose()).cwiseAbs().rowwise().maxCoeff().array() <= tolerance).any();
}

OptimizerResult OptimizeAcquisition(const Acquisition& acquisition, const Eigen::MatrixXd& raw,
                                    const OptimizationDomain& domain, const OptimizerOptions& options) {
  OptimizerResult result;
  if (raw.rows() == 0 || !options.Validate().ok()) return result;
  auto snap = [&](const Eigen::VectorXd& x) { return domain.snap ? domain.snap(x) : x; };
  const std::vector<int> cats = domain.spec.ColumnsOfType(gp::ColumnType::kCategorical);
  std::vector<int> free = domain.spec.ColumnsOfType(gp::ColumnType::kContinuous);
  const std::vector<std::vector<int>> combos =
      CategoricalCombinations(domain.spec, cats, options.max_categorical_combinations);

  const Eigen::VectorXd raw_values = acquisition.EvaluateMany(raw);
  std::vector<Eigen::Index> order(raw.rows());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    const double va = std::isnan(raw_values[a]) ? kNegInf : raw_values[a];
    const double vb = std::isnan(raw_values[b]) ? kNegInf : raw_values[b];
    return va > vb;
  });
  result.raw_best_value = raw_values[order[0]];

  std::vector<Candidate> pool;
  const std::vector<Eigen::Index> starts =
      options.restart_selection == OptimizerOptions::RestartSelection::kBoltzmann
          ? BoltzmannIndices(raw_values, order, options)
          : RestartIndices(raw, order, free, options);
  for (Eigen::Index start : starts) {
    Eigen::VectorXd x0 = raw.row(start).transpose();
    std::string how = "raw";
    if (!combos.empty()) {
      x0 = BestCombination(acquisition, x0, cats, combos);
      how = "enumerated";
    }
    Candidate c{x0, acquisition.Evaluate(x0, nullptr), how};
    if (!free.empty() && acquisition.has_gradient()) {
      c = Refine(acquisition, x0, free, options, &result.evaluations);
      ++result.restarts;
      if (!combos.empty()) c.x = BestCombination(acquisition, c.x, cats, combos);
    }
    c.x = snap(c.x);
    c.value = acquisition.Evaluate(c.x, nullptr);
    pool.push_back(std::move(c));
  }
  std::stable_sort(pool.begin(), pool.end(), [](const Candidate& a, const Candidate& b) {
    return (std::isnan(a.value) ? kNegInf : a.value) > (std::isnan(b.value) ? kNegInf : b.value);
  });
  // Fallbacks after the refined points: the remaining raw candidates in order of their raw value.
  for (const Candidate& c : pool) {
    if (!IsNearRow(c.x, domain.excluded, options.duplicate_tolerance)) {
      result.found = true;
      result.x = c.x;
      result.value = c.value;
      result.termination = c.termination;
      return result;
    }
  }
  for (Eigen::Index i : order) {
    const Eigen::VectorXd x = snap(raw.row(i).transpose());
    if (!IsNearRow(x, domain.excluded, options.duplicate_tolerance)) {
      result.found = true;
      result.x = x;
      result.value = acquisition.Evaluate(x, nullptr);
      result.termination = "raw_fallback";
      return result;
    }
  }
  return result;
}

}  // namespace bayesd::acquisition
