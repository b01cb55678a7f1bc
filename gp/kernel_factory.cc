#include "gp/kernel_factory.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gp/composite_kernel.h"
#include "gp/constant_kernel.h"
#include "gp/fidelity_kernel.h"

namespace bayesd::gp {

GpStatus KernelOptions::Validate() const {
  const auto& s = stationary;
  if (!(s.min_lengthscale > 0 && s.min_lengthscale < s.max_lengthscale)) {
    return GpInvalid("KernelOptions.stationary.min_lengthscale = " + std::to_string(s.min_lengthscale) +
                     " must be > 0 and < max_lengthscale = " + std::to_string(s.max_lengthscale));
  }
  if (!(s.min_outputscale > 0 && s.min_outputscale < s.max_outputscale)) {
    return GpInvalid("KernelOptions.stationary.min_outputscale = " + std::to_string(s.min_outputscale) +
                     " must be > 0 and < max_outputscale");
  }
  if (!(categorical.min_lengthscale > 0 && categorical.min_lengthscale < categorical.max_lengthscale)) {
    return GpInvalid("KernelOptions.categorical.min_lengthscale = " + std::to_string(categorical.min_lengthscale) +
                     " must be > 0 and < max_lengthscale");
  }
  return GpOk();
}

namespace {

std::unique_ptr<Kernel> Combine(CompositeKernel::Op op, std::unique_ptr<Kernel> a, std::unique_ptr<Kernel> b) {
  if (!a) return b;
  if (!b) return a;
  return std::make_unique<CompositeKernel>(op, std::move(a), std::move(b));
}

}  // namespace

std::unique_ptr<Kernel> MakeKernel(const InputSpec& spec, const KernelOptions& options) {
  if (!spec.Validate().ok()) return nullptr;
  std::vector<int> cont = spec.ColumnsOfType(ColumnType::kContinuous);
  const std::vector<int> cat = spec.ColumnsOfType(ColumnType::kCategorical);
  const std::vector<int> fid = spec.ColumnsOfType(ColumnType::kFidelity);
  const bool fid_ard = !fid.empty() && options.fidelity == KernelOptions::Fidelity::kArd;
  if (fid_ard) cont.push_back(fid[0]);
  const bool product = options.mixed == KernelOptions::Mixed::kProduct;

  std::unique_ptr<Kernel> k_cont, k_cat;
  if (!cont.empty()) {
    StationaryKernelOptions so = options.stationary;
    if (options.HasArd()) k_cont = std::make_unique<StationaryKernel>(cont, so);
    if (options.HasAdditive()) {
      const bool tied = options.SharedAdditiveScale();
      StationaryKernelOptions one = so;
      one.has_outputscale = !tied;
      if (one.prior_dim <= 0) one.prior_dim = 1;
      std::unique_ptr<Kernel> terms = tied ? nullptr : std::move(k_cont);
      for (int c : cont) {
        one.param_prefix = "additive[" + std::to_string(c) + "].";
        terms = Combine(CompositeKernel::Op::kSum, std::move(terms),
                        std::make_unique<StationaryKernel>(std::vector<int>{c}, one));
      }
      if (tied) {
        // The shared scale's floor is a single term's floor divided among the terms.
        terms = Combine(CompositeKernel::Op::kProduct, std::move(terms),
                        std::make_unique<ConstantKernel>("additive.outputscale",
                                                         so.min_outputscale / static_cast<double>(cont.size()),
                                                         so.max_outputscale, so.outputscale_prior));
        k_cont = Combine(CompositeKernel::Op::kSum, std::move(k_cont), std::move(terms));
      } else {
        k_cont = std::move(terms);
      }
    }
  }
  if (!cat.empty()) {
    CategoricalKernelOptions co = options.categorical;
    co.has_outputscale = !k_cont || !product;
    k_cat = std::make_unique<CategoricalKernel>(cat, co);
  }
  std::unique_ptr<Kernel> k = Combine(product ? CompositeKernel::Op::kProduct : CompositeKernel::Op::kSum,
                                      std::move(k_cont), std::move(k_cat));
  if (!fid.empty() && !fid_ard) {
    k = Combine(CompositeKernel::Op::kProduct, std::move(k), std::make_unique<DownsamplingKernel>(fid[0]));
  }
  return k;
}

Eigen::VectorXd ColumnLengthscales(const Kernel& kernel, int dim) {
  // The names MakeKernel gives: "lengthscale[c]" (ARD part) and "additive[c].lengthscale[c]" (additive terms).
  static const std::string kArd = "lengthscale[", kAdditive = "additive[";
  const std::vector<std::string> names = kernel.ParamNames();
  const Eigen::VectorXd theta = kernel.Params();
  Eigen::VectorXd ard = Eigen::VectorXd::Zero(std::max(0, dim)), additive = ard;
  for (size_t i = 0; i < names.size() && static_cast<Eigen::Index>(i) < theta.size(); ++i) {
    const std::string& n = names[i];
    const bool term = n.compare(0, kAdditive.size(), kAdditive) == 0;
    const size_t at = term ? n.find("." + kArd) + 1 : 0;  // npos + 1 = 0 fails the check below
    if ((term && at == 0) || n.compare(at, kArd.size(), kArd) != 0) continue;
    const int c = std::atoi(n.c_str() + at + kArd.size());
    if (c >= 0 && c < dim) (term ? additive : ard)[c] = std::exp(theta[i]);
  }
  return (ard.array() > 0).select(ard, additive);  // the ARD lengthscale where the column has one
}

}  // namespace bayesd::gp
