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
  // kernels, each with its own output scale (first-order additive, Duvenaud et al. 2011); or both summed.
  enum class Structure { kArd, kAdditive, kArdPlusAdditive };
  Structure structure = Structure::kArd;

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
