#include "gp/runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace bayesd::gp {

bool LimitBlasThreads() {
  if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr || std::getenv("OMP_NUM_THREADS") != nullptr) return false;
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    set(1);
    return true;
  }
  return false;
}

bool KeepMatricesInHeap(const AllocatorSettings& settings) {
  if (const char* off = std::getenv("BAYESD_MALLOC_DEFAULTS"); off != nullptr && *off != '\0' && *off != '0') {
    return false;
  }
#if defined(__GLIBC__)
  // mallopt returns 1 on success; M_MMAP_THRESHOLD above HEAP_MAX_SIZE / 2 (32 MiB on 64-bit) is refused.
  const auto as_int = [](std::size_t v) { return static_cast<int>(std::min<std::size_t>(v, INT_MAX)); };
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, as_int(settings.max_block_bytes)) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, as_int(settings.retain_bytes)) == 1;
  return mmap_ok && trim_ok;
#else
  (void)settings;
  return false;
#endif
}

}  // namespace bayesd::gp
