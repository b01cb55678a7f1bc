#include "gp/composite_kernel.h"

namespace bayesd::gp {

CompositeKernel::CompositeKernel(Op op, std::unique_ptr<Kernel> a, std::unique_ptr<Kernel> b)
    : op_(op), a_(std::move(a)), b_(std::move(b)) {}

CompositeKernel::CompositeKernel(const CompositeKernel& other)
    : Kernel(other), op_(other.op_), a_(other.a_->Clone()), b_(other.b_->Clone()) {}

std::string CompositeKernel::Name() const {
  return "(" + a_->Name() + (op_ == Op::kProduct ? " * " : " + ") + b_->Name() + ")";
}

Eigen::VectorXd CompositeKernel::Concat(const Eigen::VectorXd& pa, const Eigen::VectorXd& pb) const {
  Eigen::VectorXd out(pa.size() + pb.size());
  out << pa, pb;
  return out;
}

Eigen::VectorXd CompositeKernel::Params() const { return Concat(a_->Params(), b_->Params()); }

void CompositeKernel::SetParams(const Eigen::VectorXd& p) {
  a_->SetParams(p.head(a_->NumParams()));
  b_->SetParams(p.tail(b_->NumParams()));
}

Eigen::VectorXd CompositeKernel::LowerBounds() const { return Concat(a_->LowerBounds(), b_->LowerBounds()); }
Eigen::VectorXd CompositeKernel::UpperBounds() const { return Concat(a_->UpperBounds(), b_->UpperBounds()); }
Eigen::VectorXd CompositeKernel::DefaultParams() const { return Concat(a_->DefaultParams(), b_->DefaultParams()); }

Eigen::VectorXd CompositeKernel::SampleParams(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const {
  const int na = a_->NumParams(), nb = b_->NumParams();
  return Concat(a_->SampleParams(z.head(na), u.head(na)), b_->SampleParams(z.tail(nb), u.tail(nb)));
}

std::vector<std::string> CompositeKernel::ParamNames() const {
  std::vector<std::string> names = a_->ParamNames();
  for (const auto& n : b_->ParamNames()) names.push_back(n);
  return names;
}

double CompositeKernel::LogPrior(Eigen::VectorXd* grad) const {
  if (!grad) return a_->LogPrior(nullptr) + b_->LogPrior(nullptr);
  Eigen::VectorXd ga = Eigen::VectorXd::Zero(a_->NumParams());
  Eigen::VectorXd gb = Eigen::VectorXd::Zero(b_->NumParams());
  const double lp = a_->LogPrior(&ga) + b_->LogPrior(&gb);
  *grad += Concat(ga, gb);
  return lp;
}

Eigen::MatrixXd CompositeKernel::Compute(const Eigen::MatrixXd& x1, const Eigen::MatrixXd& x2) const {
  if (op_ == Op::kSum) return a_->Compute(x1, x2) + b_->Compute(x1, x2);
  return a_->Compute(x1, x2).cwiseProduct(b_->Compute(x1, x2));
}

Eigen::MatrixXd CompositeKernel::ComputeSymmetric(const Eigen::MatrixXd& x) const {
  if (op_ == Op::kSum) return a_->ComputeSymmetric(x) + b_->ComputeSymmetric(x);
  return a_->ComputeSymmetric(x).cwiseProduct(b_->ComputeSymmetric(x));
}

Eigen::VectorXd CompositeKernel::Diagonal(const Eigen::MatrixXd& x) const {
  if (op_ == Op::kSum) return a_->Diagonal(x) + b_->Diagonal(x);
  return a_->Diagonal(x).cwiseProduct(b_->Diagonal(x));
}

Eigen::VectorXd CompositeKernel::ContractParamGradient(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const {
  if (op_ == Op::kSum) return Concat(a_->ContractParamGradient(x, w), b_->ContractParamGradient(x, w));
  // d(Ka o Kb) = dKa o Kb + Ka o dKb: contract dKa against W o Kb and dKb against W o Ka.
  const Eigen::VectorXd ga = a_->ContractParamGradient(x, w.cwiseProduct(b_->ComputeSymmetric(x)));
  const Eigen::VectorXd gb = b_->ContractParamGradient(x, w.cwiseProduct(a_->ComputeSymmetric(x)));
  return Concat(ga, gb);
}

Eigen::MatrixXd CompositeKernel::InputGradient(const Eigen::RowVectorXd& x, const Eigen::MatrixXd& x2) const {
  const Eigen::MatrixXd ga = a_->InputGradient(x, x2);  // d x n2
  const Eigen::MatrixXd gb = b_->InputGradient(x, x2);
  if (op_ == Op::kSum) return ga + gb;
  const Eigen::RowVectorXd ka = a_->Compute(x, x2).row(0);
  const Eigen::RowVectorXd kb = b_->Compute(x, x2).row(0);
  return ga.array().rowwise() * kb.array() + gb.array().rowwise() * ka.array();
}

Eigen::VectorXd CompositeKernel::DiagonalInputGradient(const Eigen::RowVectorXd& x) const {
  const Eigen::VectorXd ga = a_->DiagonalInputGradient(x);
  const Eigen::VectorXd gb = b_->DiagonalInputGradient(x);
  if (op_ == Op::kSum) return ga + gb;
  const Eigen::MatrixXd xm = x;
  return ga * b_->Diagonal(xm)[0] + gb * a_->Diagonal(xm)[0];
}

}  // namespace bayesd::gp
