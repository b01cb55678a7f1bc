// Shared helpers for the gp tests: a zoo of kernels over one mixed input layout, random inputs, finite differences.
#ifndef BAYESD_TESTS_GP_TEST_UTIL_H_
#define BAYESD_TESTS_GP_TEST_UTIL_H_

#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "gp/categorical_kernel.h"
#include "gp/composite_kernel.h"
#include "gp/constant_kernel.h"
#include "gp/fidelity_kernel.h"
#include "gp/input_spec.h"
#include "gp/kernel.h"
#include "gp/kernel_factory.h"
#include "gp/stationary_kernel.h"

namespace bayesd::gp::testing {

// Input layout of the kernel zoo: columns 0, 1 continuous, 2 categorical with 3 levels, 3 fidelity.
inline InputSpec MixedSpec() {
  InputSpec spec;
  spec.columns = {{ColumnType::kContinuous, 0},
                  {ColumnType::kContinuous, 0},
                  {ColumnType::kCategorical, 3},
                  {ColumnType::kFidelity, 0}};
  return spec;
}

inline std::vector<std::string> KernelNames() {
  return {"matern52",      "matern32",      "rbf",          "categorical",      "downsampling",
          "product_mixed", "sum_mixed_ard", "additive_mixed", "ard_plus_additive", "ard_plus_additive_shared",
          "constant_scaled"};
}

inline std::unique_ptr<Kernel> MakeTestKernel(const std::string& name) {
  StationaryKernelOptions so;
  if (name == "matern52" || name == "matern32" || name == "rbf") {
    so.type = name == "matern52" ? StationaryType::kMatern52
              : name == "matern32" ? StationaryType::kMatern32 : StationaryType::kRbf;
    return std::make_unique<StationaryKernel>(std::vector<int>{0, 1, 3}, so);
  }
  if (name == "categorical") {
    CategoricalKernelOptions co;
    co.has_outputscale = true;
    return std::make_unique<CategoricalKernel>(std::vector<int>{2}, co);
  }
  if (name == "downsampling") return std::make_unique<DownsamplingKernel>(3);
  if (name == "constant_scaled") {  // an unscaled Matérn-5/2 times the constant kernel: s2 f(r), s2 a separate leaf
    so.has_outputscale = false;
    return std::make_unique<CompositeKernel>(CompositeKernel::Op::kProduct,
                                             std::make_unique<StationaryKernel>(std::vector<int>{0, 1, 3}, so),
                                             std::make_unique<ConstantKernel>("variance", 1e-4, 1e4));
  }
  KernelOptions ko;
  if (name == "sum_mixed_ard") {
    ko.mixed = KernelOptions::Mixed::kSum;
    ko.fidelity = KernelOptions::Fidelity::kArd;
  }
  // Structured continuous parts: one-column kernels summed (fidelity as one more additive column), and that sum
  // added to the ARD kernel.
  if (name == "additive_mixed") {
    ko.structure = KernelOptions::Structure::kAdditive;
    ko.fidelity = KernelOptions::Fidelity::kArd;
  }
  if (name == "ard_plus_additive") ko.structure = KernelOptions::Structure::kArdPlusAdditive;
  if (name == "ard_plus_additive_shared") ko.structure = KernelOptions::Structure::kArdPlusAdditiveShared;
  return MakeKernel(MixedSpec(), ko);
}

// n x 4 points of the mixed layout; continuous and fidelity columns in [lo, hi].
inline Eigen::MatrixXd RandomMixedPoints(int n, std::mt19937_64* rng, double lo = 0.0, double hi = 1.0) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::uniform_int_distribution<int> cat(0, 2);
  Eigen::MatrixXd x(n, 4);
  for (int i = 0; i < n; ++i) x.row(i) << u(*rng), u(*rng), cat(*rng), u(*rng);
  return x;
}

// Perturbs the kernel's default parameters so tests do not sit at symmetric values.
inline void RandomizeParams(Kernel* k, std::mt19937_64* rng, double spread = 0.4) {
  std::normal_distribution<double> nd(0.0, spread);
  Eigen::VectorXd p = k->DefaultParams();
  const Eigen::VectorXd lo = k->LowerBounds(), hi = k->UpperBounds();
  for (int i = 0; i < p.size(); ++i) p[i] = std::clamp(p[i] + nd(*rng), lo[i] + 0.1, hi[i] - 0.1);
  k->SetParams(p);
}

// Central finite-difference gradient of f at x.
inline Eigen::VectorXd FiniteDifference(const std::function<double(const Eigen::VectorXd&)>& f,
                                        const Eigen::VectorXd& x, double h = 1e-6) {
  Eigen::VectorXd g(x.size());
  for (int i = 0; i < x.size(); ++i) {
    Eigen::VectorXd xp = x, xm = x;
    xp[i] += h;
    xm[i] -= h;
    g[i] = (f(xp) - f(xm)) / (2 * h);
  }
  return g;
}

// max_i |a_i - b_i| / (abs_floor + |b_i|)
inline double MaxRelError(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double abs_floor) {
  return ((a - b).array().abs() / (abs_floor + b.array().abs())).maxCoeff();
}

}  // namespace bayesd::gp::testing

#endif  // BAYESD_TESTS_GP_TEST_UTIL_H_
