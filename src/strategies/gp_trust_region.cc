#include "src/strategies/gp_trust_region.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bayesd {

TrustRegionState ReplayTrustRegion(const std::vector<double>& y, int initial, int d, const TrustRegionOptions& options) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  TrustRegionState s;
  s.length = options.length_init;
  const int failure_tolerance = options.failure_tolerance > 0 ? options.failure_tolerance : std::max(4, d);
  const bool segments = options.restart_length > 0;
  double best = -kInf;             // the current segment's best (successes are counted against it)
  int best_index = -1;
  double global = -kInf;           // the best of all observations so far
  double global_at_start = -kInf;  // ... when the current segment started
  bool restarted = false;          // the current segment is a fresh restart (not the first, not resumed)
  const int n = static_cast<int>(y.size());
  const int start = std::clamp(initial, 0, n);
  s.segment_start = start;
  for (int i = 0; i < start; ++i) {
    if (std::isfinite(y[i]) && y[i] > best) {
      best = y[i];
      best_index = i;
    }
  }
  global = best;
  s.incumbent = best_index;
  // Ends the current (spent) segment; the next one starts at observation `next`: a resumed one after a fresh segment
  // that fell short of the global best it started against (with resume_side > 0), else a fresh restart.
  auto end_segment = [&](int next) {
    const bool resume = options.resume_side > 0 && restarted && !(best > global_at_start) && s.incumbent >= 0;
    ++s.restarts;
    s.segment_start = next;
    s.successes = s.failures = 0;
    if (best_index >= 0 && std::find(s.spent_best.begin(), s.spent_best.end(), best_index) == s.spent_best.end()) {
      s.spent_best.push_back(best_index);
    }
    s.resumed = resume;
    restarted = !resume;
    global_at_start = global;
    if (resume) {
      // The incumbent's region is no longer spent while it is resumed; when the resumed segment is spent, its best
      // (the incumbent then, improved or not) is listed again -- so an improved incumbent's old centre, next to
      // it, is not excluded around it.
      s.spent_best.erase(std::remove(s.spent_best.begin(), s.spent_best.end(), s.incumbent), s.spent_best.end());
      s.length = options.resume_side;
      best = global;
      best_index = s.incumbent;
    } else {
      s.length = options.segment_length_init > 0 ? options.segment_length_init : options.length_init;
      best = -kInf;
      best_index = -1;
    }
  };
  for (int i = start; i < n; ++i) {
    ++s.observations;
    // A restarted segment behind the global best succeeds only by closing a share of the gap to it.
    double threshold = options.improvement * std::abs(best);
    if (restarted && options.behind_progress > 0 && std::isfinite(best) && global > best) {
      threshold = std::max(threshold, options.behind_progress * (global - best));
    }
    const bool success = std::isfinite(y[i]) && (!std::isfinite(best) || y[i] > best + threshold);
    if (std::isfinite(y[i]) && y[i] > best) {
      best = y[i];
      best_index = i;
    }
    if (std::isfinite(y[i]) && y[i] > global) {
      global = y[i];
      s.incumbent = i;
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
    const double spent_below =
        s.resumed ? options.resume_side / std::ldexp(1.0, std::max(0, options.resume_halvings)) : options.restart_length;
    if (segments && s.length < spent_below) {
      end_segment(i + 1);
    } else if (s.length < options.length_min) {
      s.length = options.length_init;
      ++s.restarts;
    }
  }
  s.behind = restarted && !(best > global_at_start);
  return s;
}

}  // namespace bayesd
