#include "acquisition/model.h"

namespace bayesd::acquisition {

std::unique_ptr<Model> ExactGpModel::Condition(const Eigen::MatrixXd& x, const Eigen::VectorXd& z,
                                               gp::GpStatus* status) const {
  auto conditioned = std::make_shared<gp::ExactGp>(*gp_);
  *status = gp_->Fantasize(x, z, conditioned.get());
  if (!status->ok()) return nullptr;
  return std::make_unique<ExactGpModel>(std::move(conditioned));
}

bool PosteriorAtPoint(const Model& model, const Eigen::VectorXd& x, bool gradients, PointPosterior* out) {
  gp::PosteriorOptions options;
  options.gradients = gradients;
  const gp::Posterior post = model.PosteriorAt(x.transpose(), options);
  if (!post.status.ok() || post.mean.size() != 1) return false;
  out->mean = post.mean[0];
  out->variance = post.variance[0];
  if (gradients) {
    out->mean_gradient = post.mean_gradient.row(0).transpose();
    out->variance_gradient = post.variance_gradient.row(0).transpose();
  }
  return std::isfinite(out->mean) && std::isfinite(out->variance);
}

}  // namespace bayesd::acquisition
