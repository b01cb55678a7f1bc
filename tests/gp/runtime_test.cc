// gp/runtime.h: the allocator settings that keep the fits' n x n matrices in the heap.
#include "gp/runtime.h"

#include <sys/resource.h>

#include <cstdlib>

#include <Eigen/Core>
#include <gtest/gtest.h>

// Sanitizer runtimes replace malloc and ignore mallopt (ASan's returns 0): GCC says so by __SANITIZE_*__, clang by
// __has_feature.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BAYESD_SANITIZER_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define BAYESD_SANITIZER_ALLOCATOR 1
#endif
#endif

namespace bayesd::gp {
namespace {

[[maybe_unused]] long MinorFaults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

// What a likelihood evaluation does with its matrices: allocate 4 MB blocks, write them, free them.
[[maybe_unused]] long FaultsOfAllocationCycles(int cycles, Eigen::Index n) {
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
#if defined(BAYESD_SANITIZER_ALLOCATOR)
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
