// The strategy table (src/strategies/registry.cc) and the factories behind it: a config whose options do not parse
// is refused by the factory itself -- never a strategy running on default options -- and CreateStrategy gives the
// same error as ValidateStrategy.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "src/strategies/cbo_strategy.h"
#include "src/strategies/gp_strategy.h"
#include "src/strategies/mf_strategy.h"
#include "src/strategies/strategy.h"
#include "src/strategies/zo_strategy.h"
#include "tests/strategies/zo_test_harness.h"

namespace bayesd {
namespace {

using testing::BoxConfig;
using testing::Loop;

StudyConfig WithFidelity(StudyConfig c) {
  c.fidelity = FidelitySpec{};
  c.fidelity->name = "epochs";
  return c;
}

TEST(StrategyRegistryTest, FactoriesRefuseOptionsTheyCannotParse) {
  struct Case {
    std::string name;
    StrategyFactory factory;
    StudyConfig config;
  };
  const Case cases[] = {
      {"gp", GpStrategyFactory(), BoxConfig(3, 0, 1, "gp", {{"ucb_delta", 2.0}})},
      {"gp (multi-fidelity)", MfStrategyFactory(), WithFidelity(BoxConfig(3, 0, 1, "gp", {{"fidelity_grid", 1}}))},
      {"zo", ZoStrategyFactory(), BoxConfig(3, 0, 1, "zo", {{"bogus", 1}})},
      {"cbo", CboStrategyFactory(), BoxConfig(3, 0, 1, "cbo", {{"bogus", 1}})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Status valid = c.factory.validate(c.config);
    ASSERT_FALSE(valid.ok());
    StatusOr<std::unique_ptr<Strategy>> created = c.factory.create(c.config);
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(created.status().field(), valid.field());
    EXPECT_EQ(created.status().message(), valid.message());
    // The same study with its options removed is created and suggests.
    StudyConfig plain = c.config;
    plain.strategy.options = nlohmann::json::object();
    StatusOr<std::unique_ptr<Strategy>> ok = c.factory.create(plain);
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    Loop loop(plain, std::move(*ok));
    EXPECT_TRUE(loop.Ask(2).ok());
  }
}

TEST(StrategyRegistryTest, CreateStrategyGivesTheValidationError) {
  for (const std::string name : {"gp", "zo", "cbo", "random", "sobol"}) {
    SCOPED_TRACE(name);
    const StudyConfig bad = BoxConfig(2, 0, 1, name, {{"bogus", 1}});
    StatusOr<std::unique_ptr<Strategy>> created = CreateStrategy(bad);
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.status().field(), "strategy.bogus") << created.status().ToString();
    EXPECT_TRUE(CreateStrategy(BoxConfig(2, 0, 1, name)).ok());
  }
  StatusOr<std::unique_ptr<Strategy>> unknown = CreateStrategy(BoxConfig(2, 0, 1, "simulated_annealing"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().field(), "strategy.name");
  EXPECT_NE(unknown.status().message().find("available: cbo gp random sobol zo"), std::string::npos)
      << unknown.status().message();
}

TEST(StrategyRegistryTest, HarnessLoopReportsARefusedFactory) {
  const StudyConfig bad = BoxConfig(2, 0, 1, "zo", {{"bogus", 1}});
  Loop loop(bad, ZoStrategyFactory().create(bad));
  StatusOr<std::vector<int64_t>> asked = loop.Ask(1);
  ASSERT_FALSE(asked.ok());
  EXPECT_EQ(asked.status().field(), "strategy.bogus");
}

}  // namespace
}  // namespace bayesd
