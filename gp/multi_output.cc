#include "gp/multi_output.h"

#include <cmath>
#include <string>

namespace bayesd::gp {

MultiOutputGp::MultiOutputGp(InputSpec spec, std::vector<GpRegressorOptions> options)
    : spec_(std::move(spec)), options_(std::move(options)) {}

std::vector<FitDiagnostics> MultiOutputGp::Fit(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                               const Eigen::MatrixXd& noise_variance) {
  models_.clear();
  for (Eigen::Index k = 0; k < y.cols(); ++k) {
    const GpRegressorOptions& o = options_.size() == 1 ? options_[0] : options_[std::min<size_t>(k, options_.size() - 1)];
    models_.emplace_back(spec_, o);
  }
  return Apply(x, y, noise_variance, /*add=*/false);
}

std::vector<FitDiagnostics> MultiOutputGp::AddObservations(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                                           const Eigen::MatrixXd& noise_variance) {
  return Apply(x, y, noise_variance, /*add=*/true);
}

std::vector<FitDiagnostics> MultiOutputGp::Apply(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                                                 const Eigen::MatrixXd& noise, bool add) {
  std::vector<FitDiagnostics> out(y.cols());
  const bool bad_shape = x.rows() != y.rows() || (noise.size() && (noise.rows() != y.rows() || noise.cols() != y.cols())) ||
                         y.cols() != num_outcomes() ||
                         (options_.size() != 1 && options_.size() != static_cast<size_t>(y.cols()));
  for (Eigen::Index k = 0; k < y.cols(); ++k) {
    if (bad_shape) {
      out[k].message = "MultiOutputGp: inconsistent shapes of x, y, noise_variance or options";
      continue;
    }
    std::vector<int> rows;
    for (Eigen::Index i = 0; i < y.rows(); ++i) {
      if (!std::isnan(y(i, k))) rows.push_back(static_cast<int>(i));
    }
    Eigen::MatrixXd xk(rows.size(), x.cols());
    Eigen::VectorXd yk(rows.size()), nk = Eigen::VectorXd::Zero(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
      xk.row(r) = x.row(rows[r]);
      yk[r] = y(rows[r], k);
      if (noise.size() && !std::isnan(noise(rows[r], k))) nk[r] = noise(rows[r], k);
    }
    if (rows.empty()) {
      out[k] = models_[k].last_fit();
      if (!add) out[k].message = "outcome " + std::to_string(k) + " has no observed rows";
      continue;
    }
    out[k] = add ? models_[k].AddObservations(xk, yk, nk) : models_[k].Fit(xk, yk, nk);
  }
  return out;
}

JointPosterior MultiOutputGp::PosteriorAt(const Eigen::MatrixXd& xq, const PosteriorOptions& options,
                                          Space space) const {
  JointPosterior jp;
  const Eigen::Index m = xq.rows(), k_out = num_outcomes();
  jp.mean.resize(m, k_out);
  jp.variance.resize(m, k_out);
  if (options.full_covariance) jp.covariance = Eigen::MatrixXd::Zero(k_out * m, k_out * m);
  for (Eigen::Index k = 0; k < k_out; ++k) {
    Posterior p = models_[k].PosteriorAt(xq, options, space);
    if (!p.status.ok()) {
      jp.status = GpStatus(p.status.code(), "outcome " + std::to_string(k) + ": " + p.status.message());
      return jp;
    }
    jp.mean.col(k) = p.mean;
    jp.variance.col(k) = p.variance;
    if (options.full_covariance) jp.covariance.block(k * m, k * m, m, m) = p.covariance;
    jp.per_outcome.push_back(std::move(p));
  }
  return jp;
}

}  // namespace bayesd::gp
