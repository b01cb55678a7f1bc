#include "src/study/config_json.h"

#include <gtest/gtest.h>

#include <limits>

#include "src/study/composite.h"

namespace bayesd {
namespace {

using Json = nlohmann::json;

Json ValidConfig() {
  return Json::parse(R"({
    "name": "svm-digits",
    "parameters": [
      {"name": "C", "type": "float", "low": 0.001, "high": 1000, "log": true},
      {"name": "depth", "type": "int", "low": 1, "high": 12},
      {"name": "kernel", "type": "categorical", "choices": ["rbf", "poly", 3]}
    ],
    "objective": {"name": "accuracy", "goal": "maximize"},
    "constraints": [{"name": "latency_ms", "op": "<=", "bound": 20.0}],
    "strategy": {"name": "sobol"},
    "seed": 7
  })");
}

// Expects ParseStudyConfig(body) to fail with invalid_argument naming `field`.
void ExpectInvalid(const Json& body, const std::string& field) {
  auto r = ParseStudyConfig(body);
  ASSERT_FALSE(r.ok()) << body.dump();
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().field(), field) << r.status().ToString();
  EXPECT_FALSE(r.status().message().empty());
}

TEST(ConfigJsonTest, ParsesTheApiExample) {
  auto r = ParseStudyConfig(ValidConfig());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const StudyConfig& c = *r;
  ASSERT_EQ(c.parameters.size(), 3u);
  EXPECT_TRUE(c.parameters[0].log);
  EXPECT_EQ(c.parameters[1].type, ParamType::kInt);
  EXPECT_EQ(c.parameters[2].choices[2].num, 3.0);
  EXPECT_EQ(c.objective.goal, Goal::kMaximize);
  EXPECT_EQ(c.seed, 7u);
  EXPECT_TRUE(c.seed_given);
  EXPECT_EQ(c.MeasuredOutcomes(), (std::vector<std::string>{"accuracy", "latency_ms"}));
}

TEST(ConfigJsonTest, CanonicalJsonRoundTrips) {
  auto first = ParseStudyConfig(ValidConfig());
  ASSERT_TRUE(first.ok());
  const Json canonical = ConfigToJson(*first);
  auto second = ParseStudyConfig(canonical);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(ConfigToJson(*second), canonical);
}

TEST(ConfigJsonTest, CompositeAndFidelityRoundTrip) {
  Json body = ValidConfig();
  body["outputs"] = Json::parse(R"([{"name": "diameter"}, {"name": "yield"}, {"name": "latency_ms"}])");
  body["objective"] = Json::parse(
      R"({"name": "gap", "goal": "minimize", "targets": {"diameter": 300, "yield": 1}, "weights": {"yield": 0.1}})");
  body["fidelity"] = Json::parse(R"({"name": "epochs", "levels": [1, 10, 50], "costs": [1, 5, 20]})");
  auto r = ParseStudyConfig(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->fidelity->target(), 50);
  EXPECT_EQ(r->MeasuredOutcomes(), (std::vector<std::string>{"diameter", "yield", "latency_ms"}));
  auto again = ParseStudyConfig(ConfigToJson(*r));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(ConfigToJson(*again), ConfigToJson(*r));
  // gap = (310 - 300)^2 + 0.1 * (0.5 - 1)^2
  EXPECT_DOUBLE_EQ(*ObjectiveValue(*r, {{"diameter", 310}, {"yield", 0.5}, {"latency_ms", 1}}), 100.025);
}

TEST(ConfigJsonTest, ExpressionObjectiveIsEvaluatedByMuParser) {
  Json body = ValidConfig();
  body["constraints"] = Json::array();
  body["outputs"] = Json::parse(R"([{"name": "a"}, {"name": "b"}])");
  body["objective"] = {{"name", "f"}, {"goal", "minimize"}, {"expression", "a^2 + sin(b) / 2"}};
  auto r = ParseStudyConfig(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NEAR(*ObjectiveValue(*r, {{"a", 3}, {"b", 1}}), 9 + std::sin(1.0) / 2, 1e-12);
  // Division by zero is a non-finite value, reported as "no objective", never a crash.
  body["objective"]["expression"] = "a / (b - b)";
  auto div = ParseStudyConfig(body);
  ASSERT_TRUE(div.ok());
  EXPECT_FALSE(ObjectiveValue(*div, {{"a", 1}, {"b", 2}}).has_value());
}

TEST(ConfigJsonTest, RejectsBadInputNamingTheField) {
  Json b;
  ExpectInvalid(Json::array(), "");
  b = ValidConfig(); b.erase("name"); ExpectInvalid(b, "name");
  b = ValidConfig(); b["name"] = 5; ExpectInvalid(b, "name");
  b = ValidConfig(); b["name"] = "../etc"; ExpectInvalid(b, "name");
  b = ValidConfig(); b["name"] = ""; ExpectInvalid(b, "name");
  b = ValidConfig(); b["name"] = std::string(1 << 20, 'a'); ExpectInvalid(b, "name");
  b = ValidConfig(); b["name"] = ".."; ExpectInvalid(b, "name");
  b = ValidConfig(); b["bogus"] = 1; ExpectInvalid(b, "bogus");
  b = ValidConfig(); b.erase("parameters"); ExpectInvalid(b, "parameters");
  b = ValidConfig(); b["parameters"] = Json::array(); ExpectInvalid(b, "parameters");
  b = ValidConfig(); b["parameters"] = "x"; ExpectInvalid(b, "parameters");
  b = ValidConfig(); b["parameters"][1] = 3; ExpectInvalid(b, "parameters[1]");
  b = ValidConfig(); b["parameters"][1]["low"] = 20; ExpectInvalid(b, "parameters[1].low");
  b = ValidConfig(); b["parameters"][1]["low"] = 12; ExpectInvalid(b, "parameters[1].low");
  b = ValidConfig(); b["parameters"][1]["low"] = 1.5; ExpectInvalid(b, "parameters[1].low");
  b = ValidConfig(); b["parameters"][0]["low"] = 0; ExpectInvalid(b, "parameters[0].low");
  b = ValidConfig(); b["parameters"][0]["low"] = -1; ExpectInvalid(b, "parameters[0].low");
  b = ValidConfig(); b["parameters"][0]["high"] = "big"; ExpectInvalid(b, "parameters[0].high");
  b = ValidConfig(); b["parameters"][0]["high"] = std::numeric_limits<double>::infinity(); ExpectInvalid(b, "parameters[0].high");
  b = ValidConfig(); b["parameters"][0]["log"] = "yes"; ExpectInvalid(b, "parameters[0].log");
  // A range whose width overflows a double (every suggestion came out as the same point); fine on a log scale.
  b = ValidConfig(); b["parameters"][0] = {{"name", "C"}, {"type", "float"}, {"low", -1e308}, {"high", 1e308}};
  ExpectInvalid(b, "parameters[0].high");
  b = ValidConfig(); b["parameters"][0] = {{"name", "C"}, {"type", "float"}, {"low", 1e-300}, {"high", 1e308}, {"log", true}};
  EXPECT_TRUE(ParseStudyConfig(b).ok()) << ParseStudyConfig(b).status().ToString();
  b = ValidConfig(); b["parameters"][0]["type"] = "double"; ExpectInvalid(b, "parameters[0].type");
  b = ValidConfig(); b["parameters"][0]["extra"] = 1; ExpectInvalid(b, "parameters[0].extra");
  b = ValidConfig(); b["parameters"][2]["choices"] = Json::array(); ExpectInvalid(b, "parameters[2].choices");
  b = ValidConfig(); b["parameters"][2]["choices"] = {"a", "a"}; ExpectInvalid(b, "parameters[2].choices[1]");
  b = ValidConfig(); b["parameters"][2]["choices"] = {"a", Json::object()}; ExpectInvalid(b, "parameters[2].choices[1]");
  b = ValidConfig(); b["parameters"][2]["low"] = 0; ExpectInvalid(b, "parameters[2].low");
  b = ValidConfig(); b["parameters"][1]["name"] = "C"; ExpectInvalid(b, "parameters[1].name");
  b = ValidConfig(); b["parameters"][1]["name"] = "accuracy"; ExpectInvalid(b, "objective.name");
  b = ValidConfig(); b.erase("objective"); ExpectInvalid(b, "objective");
  b = ValidConfig(); b["objective"]["goal"] = "max"; ExpectInvalid(b, "objective.goal");
  b = ValidConfig(); b["objective"].erase("goal"); ExpectInvalid(b, "objective.goal");
  b = ValidConfig(); b["objective"]["name"] = 1; ExpectInvalid(b, "objective.name");
  b = ValidConfig(); b["constraints"][0]["op"] = "<"; ExpectInvalid(b, "constraints[0].op");
  b = ValidConfig(); b["constraints"][0]["bound"] = "x"; ExpectInvalid(b, "constraints[0].bound");
  b = ValidConfig(); b["constraints"][0]["name"] = "C"; ExpectInvalid(b, "constraints[0].name");
  b = ValidConfig(); b["constraints"] = Json::array({Json{{"name", "x"}}}); ExpectInvalid(b, "constraints[0].op");
  b = ValidConfig(); b["seed"] = -1; ExpectInvalid(b, "seed");
  b = ValidConfig(); b["seed"] = 1.5; ExpectInvalid(b, "seed");
  b = ValidConfig(); b["strategy"] = {{"name", "nope"}}; ExpectInvalid(b, "strategy.name");
  b = ValidConfig(); b["strategy"]["bogus_option"] = 1; ExpectInvalid(b, "strategy.bogus_option");
  b = ValidConfig(); b["strategy"] = "sobol"; ExpectInvalid(b, "strategy");
}

TEST(ConfigJsonTest, RejectsBadCompositeAndFidelity) {
  Json b = ValidConfig();
  b["objective"]["targets"] = {{"diameter", 300}};
  ExpectInvalid(b, "outputs");  // composite needs outputs
  b["outputs"] = {{{"name", "diameter"}}};
  b["constraints"] = Json::array();
  b["objective"]["targets"] = {{"unknown", 1}};
  ExpectInvalid(b, "objective.targets.unknown");
  b["objective"]["targets"] = {{"diameter", 300}};
  b["constraints"] = {{{"name", "latency_ms"}, {"op", "<="}, {"bound", 1}}};
  ExpectInvalid(b, "constraints[0].name");  // constraint on an unknown outcome
  b["constraints"] = Json::array();
  b["outputs"] = {{{"name", "diameter"}}, {{"name", "diameter"}}};
  ExpectInvalid(b, "outputs[1].name");
  b["outputs"] = {{{"name", "diameter"}}};
  b["objective"].erase("targets");
  b["objective"]["expression"] = "diameter + nosuch";
  ExpectInvalid(b, "objective.expression");
  b["objective"]["expression"] = "diameter +* 2";
  ExpectInvalid(b, "objective.expression");
  b = ValidConfig();
  b["outputs"] = {{{"name", "x"}}};
  ExpectInvalid(b, "outputs");  // outputs without a composite objective
  b = ValidConfig();
  b["fidelity"] = {{"name", "epochs"}, {"levels", {10, 1}}, {"costs", {1, 2}}};
  ExpectInvalid(b, "fidelity.levels[1]");
  b["fidelity"] = {{"name", "epochs"}, {"levels", {1, 10}}, {"costs", {1}}};
  ExpectInvalid(b, "fidelity.costs");
  b["fidelity"] = {{"name", "epochs"}, {"levels", {1, 10}}, {"costs", {1, 0}}};
  ExpectInvalid(b, "fidelity.costs[1]");
  b["fidelity"] = {{"name", "epochs"}, {"low", 5}, {"high", 1}};
  ExpectInvalid(b, "fidelity.low");
  b["fidelity"] = {{"name", "epochs"}, {"low", 1}, {"high", 50}, {"cost", {{"type", "exponent"}}}};
  ExpectInvalid(b, "fidelity.cost.exponent");
  b["fidelity"] = {{"name", "C"}, {"low", 1}, {"high", 50}};
  ExpectInvalid(b, "fidelity.name");
}

TEST(ConfigJsonTest, StudyNames) {
  EXPECT_TRUE(IsValidStudyName("svm-digits_2.v1"));
  EXPECT_FALSE(IsValidStudyName(""));
  EXPECT_FALSE(IsValidStudyName("a/b"));
  EXPECT_FALSE(IsValidStudyName(".."));
  EXPECT_FALSE(IsValidStudyName("a b"));
  EXPECT_FALSE(IsValidStudyName(std::string(129, 'a')));
}

}  // namespace
}  // namespace bayesd
