// Checks an acquisition's input gradient against central finite differences (step 1e-6, tolerance
// 1e-4 (1 + |fd|)), for the strategy tests whose acquisitions live in src/strategies (multi-fidelity, composite).
#ifndef BAYESD_TESTS_STRATEGIES_GRADIENT_CHECK_H_
#define BAYESD_TESTS_STRATEGIES_GRADIENT_CHECK_H_

#include <cmath>
#include <string>

#include <Eigen/Core>
#include <gtest/gtest.h>

#include "acquisition/acquisition.h"

namespace bayesd::testing {

inline void ExpectGradientMatches(const acquisition::Acquisition& a, const Eigen::VectorXd& x,
                                  const std::string& what) {
  Eigen::VectorXd g;
  const double v = a.Evaluate(x, &g);
  ASSERT_TRUE(std::isfinite(v)) << what;
  ASSERT_EQ(g.size(), x.size()) << what;
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    const double h = 1e-6;
    Eigen::VectorXd xp = x, xm = x;
    xp[j] += h;
    xm[j] -= h;
    const double fd = (a.Evaluate(xp, nullptr) - a.Evaluate(xm, nullptr)) / (2 * h);
    EXPECT_NEAR(g[j], fd, 1e-4 * (1 + std::abs(fd))) << what << " at " << x.transpose();
  }
}

}  // namespace bayesd::testing

#endif  // BAYESD_TESTS_STRATEGIES_GRADIENT_CHECK_H_
