// MakeKernel: the default covariance for an InputSpec.
//
//   continuous only:           s2 * Matérn/RBF-ARD(continuous columns)
//   + categorical (kProduct):  s2 * Matérn-ARD(continuous) * Categorical(categorical)
//   + categorical (kSum):      s2a * Matérn-ARD(continuous) + s2b * Categorical(categorical)
//   + fidelity (kDownsampling): (the above) * Downsampling(fidelity column)
//   + fidelity (kArd):         the fidelity column is one more ARD dimension of the Matérn kernel
//
// Thread safety: free function, reentrant.
#ifndef BAYESD_GP_KERNEL_FACTORY_H_
#define BAYESD_GP_KERNEL_FACTORY_H_

#include <memory>

#include "gp/categorical_kernel.h"
#include "gp/input_spec.h"
#include "gp/kernel.h"
#include "gp/stationary_kernel.h"
#include "gp/status.h"

namespace bayesd::gp {

struct KernelOptions {
  enum class Mixed { kProduct, kSum };
  enum class Fidelity { kDownsampling, kArd };

  StationaryKernelOptions stationary;    // type (Matérn-5/2 default), bounds and priors of the continuous part
  CategoricalKernelOptions categorical;  // bounds and priors of the categorical part
  Mixed mixed = Mixed::kProduct;         // how continuous and categorical parts combine
  Fidelity fidelity = Fidelity::kDownsampling;  // how a fidelity column enters
  // Structure of the continuous part: one ARD kernel over all continuous columns (default); a sum of one-column
  // kernels (first-order additive, Duvenaud et al. 2011), each term with its own output scale (kAdditive) or all
  // terms sharing one (kAdditiveShared: s2 * sum_c k_c, Duvenaud's single variance per order; the product of the
  // unscaled sum with a ConstantKernel, parameter "additive.outputscale"); or the ARD kernel plus either sum.
  enum class Structure { kArd, kAdditive, kArdPlusAdditive, kAdditiveShared, kArdPlusAdditiveShared };
  Structure structure = Structure::kArd;
  bool HasArd() const { return structure == Structure::kArd || structure == Structure::kArdPlusAdditive ||
                               structure == Structure::kArdPlusAdditiveShared; }
  bool HasAdditive() const { return structure != Structure::kArd; }
  bool SharedAdditiveScale() const {
    return structure == Structure::kAdditiveShared || structure == Structure::kArdPlusAdditiveShared;
  }

  GpStatus Validate() const;
};

// Returns nullptr only when spec is invalid (check spec.Validate() first).
std::unique_ptr<Kernel> MakeKernel(const InputSpec& spec, const KernelOptions& options);

// The lengthscale (not its log) of each of the `dim` input columns of a kernel made by MakeKernel, read from its
// current parameters: the ARD lengthscale where the column has one, else its additive term's; 0 for a column with
// neither (categorical columns, a fidelity column under the downsampling kernel).
Eigen::VectorXd ColumnLengthscales(const Kernel& kernel, int dim);

}  // namespace bayesd::gp

#endif  // BAYESD_GP_KERNEL_FACTORY_H_
