// Dense triangular kernels the GP needs beyond Eigen's API, blocked and recursive so they run at matrix-product
// speed: in-place inverse of a lower-triangular matrix (LAPACK trtri) and the lower triangle of L' L (lauum).
// Together with the Cholesky factor they give K^-1 in n^3 flops instead of 2 n^3 for two triangular solves.
//
// Thread safety: free functions on caller-owned data.
#ifndef BAYESD_GP_LINALG_H_
#define BAYESD_GP_LINALG_H_

#include <Eigen/Core>

namespace bayesd::gp {

// l: n x n, lower triangle holds an invertible lower-triangular matrix; replaced by its inverse (lower triangle;
// the strict upper triangle is left untouched).
void InvertLowerTriangularInPlace(Eigen::Ref<Eigen::MatrixXd> l);

// m: n x n, lower triangle holds a lower-triangular M; the lower triangle is replaced by that of M' M.
void LowerGramInPlace(Eigen::Ref<Eigen::MatrixXd> m);

// Lower triangle of K^-1 from the Cholesky factor L (K = L L'), written into the lower triangle of *out (n x n);
// the strict upper triangle of *out is then filled by symmetry.
void InverseFromCholesky(const Eigen::MatrixXd& chol, Eigen::MatrixXd* out);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_LINALG_H_
