// Dense factorizations the GP needs beyond Eigen's API, delegated to the system LAPACK (Debian's liblapack.so.3
// alternative: OpenBLAS when libopenblas0 is installed, as here, else the reference LAPACK): Cholesky (potrf),
// in-place inverse of a lower-triangular matrix (trtri), the lower triangle of L' L (lauum) and K^-1 from the
// Cholesky factor (potri = trtri + lauum, n^3 flops instead of 2 n^3 for two triangular solves).
//
// Thread safety: free functions on caller-owned data.
#ifndef BAYESD_GP_LINALG_H_
#define BAYESD_GP_LINALG_H_

#include <Eigen/Core>

namespace bayesd::gp {

// In-place Cholesky of the lower triangle of a (n x n); the strict upper triangle is zeroed. Returns false when a is
// not numerically positive definite or the factor has a non-finite or non-positive diagonal (a is then garbage).
bool CholeskyLowerInPlace(Eigen::Ref<Eigen::MatrixXd> a);

// l: n x n, lower triangle holds an invertible lower-triangular matrix; replaced by its inverse (lower triangle;
// the strict upper triangle is left untouched).
void InvertLowerTriangularInPlace(Eigen::Ref<Eigen::MatrixXd> l);

// m: n x n, lower triangle holds a lower-triangular M; the lower triangle is replaced by that of M' M.
void LowerGramInPlace(Eigen::Ref<Eigen::MatrixXd> m);

// K^-1 from the Cholesky factor L (K = L L', lower triangle of chol), both triangles of *out (n x n) filled.
void InverseFromCholesky(const Eigen::MatrixXd& chol, Eigen::MatrixXd* out);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_LINALG_H_
