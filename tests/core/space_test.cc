#include "src/study/space.h"

#include <gtest/gtest.h>

#include <set>

#include "src/strategies/baseline_strategies.h"

namespace bayesd {
namespace {

std::vector<ParameterSpec> MixedSpace() {
  ParameterSpec lr{"lr", ParamType::kFloat, 1e-5, 1e-1, true, {}};
  ParameterSpec depth{"depth", ParamType::kInt, 1, 4, false, {}};
  ParameterSpec units{"units", ParamType::kInt, 8, 512, true, {}};
  ParameterSpec act{"act", ParamType::kCategorical, 0, 1, false,
                    {Choice{true, "relu", 0}, Choice{true, "tanh", 0}, Choice{false, "", 7}}};
  return {lr, depth, units, act};
}

TEST(SearchSpaceTest, FromUnitRespectsTypesAndBounds) {
  SearchSpace space(MixedSpace());
  for (double u : {0.0, 1e-9, 0.25, 0.5, 0.999999, 1.0}) {
    auto raw = space.FromUnit({u, u, u, u});
    EXPECT_GE(raw[0], 1e-5);
    EXPECT_LE(raw[0], 1e-1);
    EXPECT_EQ(raw[1], std::round(raw[1]));
    EXPECT_GE(raw[1], 1);
    EXPECT_LE(raw[1], 4);
    EXPECT_EQ(raw[2], std::round(raw[2]));
    EXPECT_GE(raw[2], 8);
    EXPECT_LE(raw[2], 512);
    EXPECT_GE(raw[3], 0);
    EXPECT_LE(raw[3], 2);
  }
  // log scale: the midpoint of the cube is the geometric mean.
  EXPECT_NEAR(space.FromUnit({0.5, 0.5, 0.5, 0.5})[0], std::sqrt(1e-5 * 1e-1), 1e-12);
}

TEST(SearchSpaceTest, IntegersAndChoicesAreEquallyLikely) {
  SearchSpace space(MixedSpace());
  std::map<double, int> depth_counts, act_counts;
  const int n = 4096;
  auto points = ScrambledSobolPoints(4, 11, 0, n);
  for (const auto& u : points) {
    auto raw = space.FromUnit(u);
    ++depth_counts[raw[1]];
    ++act_counts[raw[3]];
  }
  ASSERT_EQ(depth_counts.size(), 4u);
  for (auto [v, c] : depth_counts) EXPECT_NEAR(c, n / 4, n / 40) << v;
  ASSERT_EQ(act_counts.size(), 3u);
  for (auto [v, c] : act_counts) EXPECT_NEAR(c, n / 3, n / 30) << v;
}

TEST(SearchSpaceTest, CubeCornersAreTheBoundsExactly) {
  ParameterSpec rate{"rate", ParamType::kFloat, 1e-6, 0.5, true, {}};
  SearchSpace space({rate});
  EXPECT_EQ(space.FromUnit({1.0})[0], 0.5);
  EXPECT_EQ(space.FromUnit({0.0})[0], 1e-6);
}

TEST(SearchSpaceTest, ToUnitInvertsFromUnit) {
  SearchSpace space(MixedSpace());
  auto raw = space.FromUnit({0.3, 0.6, 0.9, 0.1});
  EXPECT_EQ(space.FromUnit(space.ToUnit(raw)), raw);
}

TEST(SobolTest, PointsAreDistinctReproducibleAndScrambledPerSeed) {
  auto a = ScrambledSobolPoints(3, 1, 0, 256);
  auto b = ScrambledSobolPoints(3, 1, 0, 256);
  auto c = ScrambledSobolPoints(3, 2, 0, 256);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::set<std::vector<double>> unique(a.begin(), a.end());
  EXPECT_EQ(unique.size(), a.size());
  // Low discrepancy: every one of the 16 cells of a 4x4 grid in the first two coordinates holds 256/16 points.
  std::map<int, int> cells;
  for (const auto& p : a) {
    for (double v : p) {
      EXPECT_GT(v, 0.0);
      EXPECT_LT(v, 1.0);
    }
    ++cells[static_cast<int>(p[0] * 4) * 4 + static_cast<int>(p[1] * 4)];
  }
  for (auto [cell, count] : cells) EXPECT_EQ(count, 16) << cell;
  // Continuing from an offset gives the same points as one long run.
  auto tail = ScrambledSobolPoints(3, 1, 100, 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(tail[i], a[100 + i]);
}

}  // namespace
}  // namespace bayesd
