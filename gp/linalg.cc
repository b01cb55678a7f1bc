#include "gp/linalg.h"

#include <cstddef>

// Fortran LAPACK entry points (column major, trailing hidden lengths of the character arguments).
extern "C" {
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_len);
void dpotri_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_len);
void dtrtri_(const char* uplo, const char* diag, const int* n, double* a, const int* lda, int* info,
             std::size_t uplo_len, std::size_t diag_len);
void dlauum_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_len);
}

namespace bayesd::gp {

bool CholeskyLowerInPlace(Eigen::Ref<Eigen::MatrixXd> a) {
  const int n = static_cast<int>(a.rows());
  if (n == 0) return true;
  const int lda = static_cast<int>(a.outerStride());
  int info = 0;
  dpotrf_("L", &n, a.data(), &lda, &info, 1);
  if (info != 0) return false;
  a.triangularView<Eigen::StrictlyUpper>().setZero();
  const auto d = a.diagonal();
  return d.allFinite() && (d.array() > 0).all();
}

void InvertLowerTriangularInPlace(Eigen::Ref<Eigen::MatrixXd> l) {
  const int n = static_cast<int>(l.rows());
  if (n == 0) return;
  const int lda = static_cast<int>(l.outerStride());
  int info = 0;
  dtrtri_("L", "N", &n, l.data(), &lda, &info, 1, 1);  // info > 0 only for an exactly zero diagonal entry
}

void LowerGramInPlace(Eigen::Ref<Eigen::MatrixXd> m) {
  const int n = static_cast<int>(m.rows());
  if (n == 0) return;
  const int lda = static_cast<int>(m.outerStride());
  int info = 0;
  dlauum_("L", &n, m.data(), &lda, &info, 1);
}

void InverseFromCholesky(const Eigen::MatrixXd& chol, Eigen::MatrixXd* out) {
  *out = chol;
  const int n = static_cast<int>(out->rows());
  if (n == 0) return;
  int info = 0;
  dpotri_("L", &n, out->data(), &n, &info, 1);
  out->triangularView<Eigen::StrictlyUpper>() = out->transpose();
}

}  // namespace bayesd::gp
