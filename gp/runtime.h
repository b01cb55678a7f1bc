// Process-wide settings for programs that fit GPs (the daemon, the benchmarks): call once at the start of main(),
// before threads are started. Both only change how the process uses its libraries, never a result.
//
// Thread safety: call before other threads exist.
#ifndef BAYESD_GP_RUNTIME_H_
#define BAYESD_GP_RUNTIME_H_

#include <cstddef>

namespace bayesd::gp {

// When OpenBLAS provides LAPACK (libopenblas0-pthread), it starts one compute thread per core. Callers already run
// their own threads (the daemon's request pool, the benchmarks' jobs), so nested BLAS threads only oversubscribe
// the cores: 2 BLAS threads made a GP fit 2-3x slower in wall time on a busy 2-core machine (docs/gp.md). Sets
// OpenBLAS to one thread unless OPENBLAS_NUM_THREADS or OMP_NUM_THREADS is set (an explicit choice wins).
// Returns whether it changed anything.
bool LimitBlasThreads();

// A likelihood evaluation allocates and frees a few n x n matrices (the kernel matrix, K^-1, the gradient's
// weights). With glibc's defaults a freed block at the top of the heap beyond 128 KB (dynamic: twice the largest
// freed mmap block) is returned to the kernel, so every evaluation page-faults its matrices in again: at n = 500
// (2 MB per matrix) that was 187,000 minor faults per fit, a third of the fit's CPU time in the kernel and 2.5x the
// fit time overall (docs/performance.md, "Allocator"). This keeps blocks up to `max_block_bytes` in the heap and
// keeps up to `retain_bytes` of freed memory for reuse (glibc's M_MMAP_THRESHOLD, capped by glibc at 32 MiB on
// 64-bit, and M_TRIM_THRESHOLD). Peak memory is unchanged (freed memory is reused, not added to); memory freed after
// a peak is returned once more than `retain_bytes` is free. The environment variable BAYESD_MALLOC_DEFAULTS=1 turns
// it off (glibc's defaults; for comparisons, or where returning memory early matters more than speed). Returns false
// where it does nothing (turned off, not glibc, or glibc refused the values).
struct AllocatorSettings {
  std::size_t max_block_bytes = std::size_t{32} << 20;
  std::size_t retain_bytes = std::size_t{256} << 20;
};
bool KeepMatricesInHeap(const AllocatorSettings& settings = {});

}  // namespace bayesd::gp

#endif  // BAYESD_GP_RUNTIME_H_
