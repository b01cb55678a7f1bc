#include "acquisition/model.h"

#include <string>

namespace bayesd::acquisition {
namespace {

// Model::WithFixedSet's default: one full-covariance posterior of [xq; B] per call, read for the rows of xq.
class JointFixedSetPosterior : public FixedSetPosterior {
 public:
  JointFixedSetPosterior(const Model& model, Eigen::MatrixXd b) : model_(model), b_(std::move(b)) {}

  gp::CrossMoments At(const Eigen::MatrixXd& xq, bool gradients) const override {
    gp::CrossMoments out;
    const Eigen::Index m = xq.rows(), nb = b_.rows();
    if (xq.cols() != b_.cols()) {
      out.status = gp::GpInvalid("query points have " + std::to_string(xq.cols()) + " columns, the fixed set " +
                                 std::to_string(b_.cols()));
      return out;
    }
    Eigen::MatrixXd joint(m + nb, xq.cols());
    joint << xq, b_;
    gp::PosteriorOptions options;
    options.full_covariance = true;
    options.gradients = gradients;
    options.covariance_gradients = gradients;
    options.gradient_rows = static_cast<int>(m);  // only the query rows' gradients are read
    gp::Posterior post = model_.PosteriorAt(joint, options);
    out.status = post.status;
    if (!post.status.ok()) return out;
    if (post.mean.size() != m + nb || post.variance.size() != m + nb || post.covariance.rows() != m + nb ||
        post.covariance.cols() != m + nb ||
        (gradients && (post.mean_gradient.rows() != m + nb || post.variance_gradient.rows() != m + nb ||
                       post.covariance_gradient.size() < static_cast<size_t>(m)))) {
      out.status = gp::GpNumerical("the model did not return the full joint posterior of the query points and B");
      return out;
    }
    out.mean = post.mean.head(m);
    out.variance = post.variance.head(m);
    out.cross = post.covariance.topRightCorner(m, nb);
    if (gradients) {
      out.mean_gradient = post.mean_gradient.topRows(m);
      out.variance_gradient = post.variance_gradient.topRows(m);
      out.cross_gradient.reserve(m);
      for (Eigen::Index a = 0; a < m; ++a) out.cross_gradient.push_back(post.covariance_gradient[a].rightCols(nb));
    }
    return out;
  }

 private:
  const Model& model_;
  Eigen::MatrixXd b_;
};

class ExactGpFixedSetPosterior : public FixedSetPosterior {
 public:
  ExactGpFixedSetPosterior(const gp::ExactGp& gp, gp::CrossBasis basis) : gp_(gp), basis_(std::move(basis)) {}
  gp::CrossMoments At(const Eigen::MatrixXd& xq, bool gradients) const override {
    return gp_.PredictCross(xq, basis_, gradients);
  }

 private:
  const gp::ExactGp& gp_;
  gp::CrossBasis basis_;
};

}  // namespace

std::unique_ptr<const FixedSetPosterior> Model::WithFixedSet(const Eigen::MatrixXd& b) const {
  return std::make_unique<JointFixedSetPosterior>(*this, b);
}

std::unique_ptr<const FixedSetPosterior> ExactGpModel::WithFixedSet(const Eigen::MatrixXd& b) const {
  gp::CrossBasis basis;
  if (!gp_->PrepareCross(b, &basis).ok()) return Model::WithFixedSet(b);  // e.g. a mean basis: the general path
  return std::make_unique<ExactGpFixedSetPosterior>(*gp_, std::move(basis));
}

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
