#include "src/strategies/gp_local_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <Eigen/Cholesky>

namespace bayesd {

std::vector<int> LocalRows(const gp::InputSpec& spec, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                           const Eigen::VectorXd& centre, double side, int min_points) {
  const std::vector<int> cont = spec.ColumnsOfType(gp::ColumnType::kContinuous);
  const int n = static_cast<int>(x.rows());
  std::vector<double> dist(n, 0.0);
  std::vector<int> order;
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(y[i])) continue;
    for (int j : cont) dist[i] = std::max(dist[i], std::abs(x(i, j) - centre[j]));
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return dist[a] < dist[b]; });
  size_t keep = 0;
  while (keep < order.size() && dist[order[keep]] <= side / 2) ++keep;
  keep = std::min(order.size(), std::max(keep, static_cast<size_t>(std::max(0, min_points))));
  order.resize(keep);
  std::sort(order.begin(), order.end());  // data order, as the global model sees it
  return order;
}

double LooLogPredictive(const OutcomeModel& model, const std::vector<int>& rows) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!model.ok() || model.transform().warped()) return nan;
  const gp::ExactGp& gp = *model.gp();
  Eigen::MatrixXd k = gp.kernel().ComputeSymmetric(gp.x());
  k.diagonal().array() += gp.noise_variance() + gp.jitter();
  const Eigen::LLT<Eigen::MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) return nan;
  const Eigen::MatrixXd kinv = llt.solve(Eigen::MatrixXd::Identity(k.rows(), k.cols()));
  const Eigen::VectorXd alpha = kinv * gp.y();
  const double log_scale = std::log(model.transform().scale());
  double sum = 0;
  for (int i : rows) {
    if (i < 0 || i >= k.rows() || !(kinv(i, i) > 0)) return nan;
    const double var = 1.0 / kinv(i, i), r = alpha[i] * var;  // y_i - mu_-i and s_-i^2, model units
    sum += -0.5 * std::log(2 * M_PI * var) - 0.5 * r * r / var - log_scale;
  }
  return sum;
}

LocalModel FitLocalModel(const gp::InputSpec& spec, const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                         const Eigen::VectorXd& centre, double region_length, const LocalModelOptions& options) {
  LocalModel out;
  const int d = static_cast<int>(x.cols());
  out.side = std::clamp(options.neighbourhood * region_length, 1e-6, 1.0);
  const int min_points = options.min_points > 0 ? options.min_points : 2 * d + 1;
  out.rows = LocalRows(spec, x, y, centre, out.side, min_points);
  const int m = static_cast<int>(out.rows.size());
  if (m < 2) return out;
  Eigen::MatrixXd xl(m, d);
  Eigen::VectorXd yl(m);
  for (int i = 0; i < m; ++i) {
    xl.row(i) = x.row(out.rows[i]);
    yl[i] = y[out.rows[i]];
  }
  OutcomeModelOptions mo;
  mo.fit.num_random_starts = options.fit_random_starts;
  mo.fit.seed = options.seed;
  mo.kernel.stationary.type = options.kernel;
  mo.kernel.structure = options.structure;
  // The Hvarfner prior and the lengthscale floor at the neighbourhood's scale instead of the unit cube's.
  mo.kernel.stationary.lengthscale_prior_shift = std::log(out.side);
  mo.kernel.stationary.min_lengthscale *= out.side;
  auto model = std::make_shared<OutcomeModel>(spec, mo);
  out.fit = model->Fit(xl, yl, Eigen::VectorXd(), FitMode::kFull);
  if (!model->ok()) return out;
  out.incumbent = model->transform().ToModel(yl.maxCoeff());
  std::vector<int> all(m);
  std::iota(all.begin(), all.end(), 0);
  out.loo = LooLogPredictive(*model, all);
  out.model = std::move(model);
  return out;
}

nlohmann::json LocalModel::Describe() const {
  nlohmann::json j = model ? model->Describe(fit) : nlohmann::json{{"success", false}, {"message", fit.message}};
  j["points"] = rows.size();
  j["side"] = side;
  j["loo"] = std::isfinite(loo) ? nlohmann::json(loo) : nlohmann::json(nullptr);
  return j;
}

}  // namespace bayesd
