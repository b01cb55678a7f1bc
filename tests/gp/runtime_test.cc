// gp/runtime.h: the allocator settings that keep the fits' n x n matrices in the heap.
#include "gp/runtime.h"

#include <sys/resource.h>

#include <cstdlib>

#include <Eigen/Core>
#include <gtest/gtest.h>

namespace bayesd::gp {
namespace {

long MinorFaults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

// What a likelihood evaluation does with its matrices: allocate 4 MB blocks, write them, free them.
long FaultsOfAllocationCycles(int cycles, Eigen::Index n) {
  double sink = 0;
  const long before = MinorFaults();
  for (int c = 0; c < cycles; ++c) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Constant(n, n, 1.0 + c);
    Eigen::MatrixXd b = a * 0.5;
    sink += b(n - 1, n - 1);
  }
  const long after = MinorFaults();
  EXPECT_GT(sink, 0);
  return after - before;
}

TEST(RuntimeTest, KeptMatricesAreNotFaultedInAgainOnEveryAllocation) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizer allocators ignore mallopt";
#else
  unsetenv("BAYESD_MALLOC_DEFAULTS");
  ASSERT_TRUE(KeepMatricesInHeap());
  const Eigen::Index n = 708;  // 4 MB per matrix, 1000 pages
  (void)FaultsOfAllocationCycles(2, n);  // the first cycles grow the heap
  const long faults = FaultsOfAllocationCycles(40, n);
  // 40 cycles of two 1000-page matrices would be 80,000 faults if each allocation were mapped afresh.
  EXPECT_LT(faults, 2000) << "matrices are page-faulted in again on every allocation";
#endif
}

TEST(RuntimeTest, EnvironmentVariableKeepsTheDefaults) {
  setenv("BAYESD_MALLOC_DEFAULTS", "1", 1);
  EXPECT_FALSE(KeepMatricesInHeap());
  unsetenv("BAYESD_MALLOC_DEFAULTS");
}

}  // namespace
}  // namespace bayesd::gp
