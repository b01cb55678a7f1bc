// GpStrategy (gp_strategy_internal.h): where a pick searches -- the trust-region box, its restart segments (seed
// and spent-region exclusion) -- and the raw candidates the acquisition optimizer starts from.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "acquisition/penalty.h"
#include "gp/kernel_factory.h"
#include "src/strategies/baseline_strategies.h"
#include "src/strategies/gp_strategy_internal.h"
#include "src/strategies/gp_trust_region.h"

namespace bayesd::gp_strategy_internal {

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
  // Which picks carry the spent regions' penalty (SearchRegion::penalize_spent): explore picks, and segment picks
  // on request.
  const bool exclusion = options_.trust_region_exclusion > 0;
  const bool segment_penalty = exclusion && options_.trust_region_segment_penalty;
  if (tro.restart_length > 0 && tr.resumed && tr.incumbent >= 0 && tr.incumbent < observed) {
    // A resumed segment: the global incumbent's region again, the other spent regions still listed.
    region.spent_centres.resize(0, d);
    for (int i : tr.spent_best) {
      if (i != tr.incumbent) AppendRow(&region.spent_centres, data.x.row(i).transpose());
    }
    region.penalize_spent = segment_penalty;
    diag["segment_start"] = tr.segment_start;
    diag["spent_regions"] = region.spent_centres.rows();
    diag["resumed"] = true;
    region.centre_row = tr.incumbent;
    best = tr.incumbent;
  } else if (tro.restart_length > 0 && tr.restarts > 0) {
    // A restarted region: centred at the best point of its segment, or at its seed (the best point outside the
    // spent regions) while that is better; the spent regions' centres are listed for the seed and the penalty.
    region.spent_centres.resize(0, d);
    for (int i : tr.spent_best) AppendRow(&region.spent_centres, data.x.row(i).transpose());
    region.penalize_spent = segment_penalty;
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
      region.penalize_spent = exclusion;  // the whole domain: keep the search out of the spent basins
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

Eigen::VectorXd GpStrategy::ExclusionRadii() const {
  if (cache_.empty() || !cache_[0].ok()) return Eigen::VectorXd::Zero(encoding_.dim());
  return options_.trust_region_exclusion * gp::ColumnLengthscales(cache_[0].gp()->kernel(), encoding_.dim());
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
    // The centre projected into the box first: the best point by posterior mean may lie outside a trust region
    // centred at the best observed one, and coordinates a subset round does not move must not stay outside.
    for (int j : cont) x[j] = clip(j, x[j]);
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

}  // namespace bayesd::gp_strategy_internal
