#include "gp/linalg.h"

namespace bayesd::gp {
namespace {
constexpr Eigen::Index kBlock = 96;
}  // namespace

void InvertLowerTriangularInPlace(Eigen::Ref<Eigen::MatrixXd> l) {
  const Eigen::Index n = l.rows();
  if (n <= kBlock) {
    Eigen::MatrixXd inv = Eigen::MatrixXd::Identity(n, n);
    l.triangularView<Eigen::Lower>().solveInPlace(inv);
    l.triangularView<Eigen::Lower>() = inv;
    return;
  }
  // [A 0; B C]^-1 = [A^-1 0; -C^-1 B A^-1  C^-1]
  const Eigen::Index n1 = n / 2, n2 = n - n1;
  auto a = l.topLeftCorner(n1, n1);
  auto b = l.bottomLeftCorner(n2, n1);
  auto c = l.bottomRightCorner(n2, n2);
  InvertLowerTriangularInPlace(a);
  InvertLowerTriangularInPlace(c);
  Eigen::MatrixXd ba = b * a.triangularView<Eigen::Lower>();
  b.noalias() = -(c.triangularView<Eigen::Lower>() * ba);
}

void LowerGramInPlace(Eigen::Ref<Eigen::MatrixXd> m) {
  const Eigen::Index n = m.rows();
  if (n <= kBlock) {
    const Eigen::MatrixXd tri = m.triangularView<Eigen::Lower>();
    const Eigen::MatrixXd g = tri.transpose() * tri;
    m.triangularView<Eigen::Lower>() = g;
    return;
  }
  // [A 0; B C]' [A 0; B C] = [A'A + B'B  B'C; C'B  C'C]
  const Eigen::Index n1 = n / 2, n2 = n - n1;
  auto a = m.topLeftCorner(n1, n1);
  auto b = m.bottomLeftCorner(n2, n1);
  auto c = m.bottomRightCorner(n2, n2);
  LowerGramInPlace(a);
  a.selfadjointView<Eigen::Lower>().rankUpdate(b.transpose(), 1.0);
  Eigen::MatrixXd cb = c.triangularView<Eigen::Lower>().transpose() * b;
  b = cb;
  LowerGramInPlace(c);
}

void InverseFromCholesky(const Eigen::MatrixXd& chol, Eigen::MatrixXd* out) {
  *out = chol;
  InvertLowerTriangularInPlace(*out);
  LowerGramInPlace(*out);
  out->triangularView<Eigen::StrictlyUpper>() = out->transpose();
}

}  // namespace bayesd::gp
