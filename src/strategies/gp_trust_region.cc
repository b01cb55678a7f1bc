#include "src/strategies/gp_trust_region.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bayesd {

TrustRegionState ReplayTrustRegion(const std::vector<double>& y, int initial, int d, const TrustRegionOptions& options) {
  TrustRegionState s;
  s.length = options.length_init;
  const int failure_tolerance = options.failure_tolerance > 0 ? options.failure_tolerance : std::max(4, d);
  double best = -std::numeric_limits<double>::infinity();
  const int n = static_cast<int>(y.size());
  const int start = std::clamp(initial, 0, n);
  for (int i = 0; i < start; ++i) {
    if (std::isfinite(y[i])) best = std::max(best, y[i]);
  }
  for (int i = start; i < n; ++i) {
    ++s.observations;
    const bool success =
        std::isfinite(y[i]) && (!std::isfinite(best) || y[i] > best + options.improvement * std::abs(best));
    if (std::isfinite(y[i])) best = std::max(best, y[i]);
    if (success) {
      ++s.successes;
      s.failures = 0;
    } else {
      ++s.failures;
      s.successes = 0;
    }
    if (s.successes == options.success_tolerance) {
      s.length = std::min(2.0 * s.length, options.length_max);
      s.successes = 0;
    } else if (s.failures == failure_tolerance) {
      s.length /= 2.0;
      s.failures = 0;
    }
    if (s.length < options.length_min) {
      s.length = options.length_init;
      ++s.restarts;
    }
  }
  return s;
}

}  // namespace bayesd
