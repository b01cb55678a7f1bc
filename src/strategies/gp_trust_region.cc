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
  int best_index = -1;
  const int n = static_cast<int>(y.size());
  const int start = std::clamp(initial, 0, n);
  s.segment_start = start;
  for (int i = 0; i < start; ++i) {
    if (std::isfinite(y[i]) && y[i] > best) {
      best = y[i];
      best_index = i;
    }
  }
  for (int i = start; i < n; ++i) {
    ++s.observations;
    const bool success =
        std::isfinite(y[i]) && (!std::isfinite(best) || y[i] > best + options.improvement * std::abs(best));
    if (std::isfinite(y[i]) && y[i] > best) {
      best = y[i];
      best_index = i;
    }
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
    if (options.restart_length > 0 && s.length < options.restart_length) {
      s.length = options.segment_length_init > 0 ? options.segment_length_init : options.length_init;
      s.successes = s.failures = 0;
      ++s.restarts;
      s.segment_start = i + 1;
      if (best_index >= 0) s.spent_best.push_back(best_index);
      best = -std::numeric_limits<double>::infinity();
      best_index = -1;
    } else if (s.length < options.length_min) {
      s.length = options.length_init;
      ++s.restarts;
    }
  }
  return s;
}

}  // namespace bayesd
