// Composite objectives in the gp strategy's multi-fidelity mode (src/strategies/mf_composite.h): the Monte Carlo
// moments and the pick-freeze correlation eta against closed forms (linear and target-hitting outer functions), input
// gradients of the composite joint posterior and of mf_mes / cost_ei on it against central finite differences, and
// the strategy end to end through StudyService: one surrogate per output, the target-fidelity composite optimum
// within a cost budget, predictions of every output, restart invariance through SQLite, option validation.
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "src/service/study_service.h"
#include "src/storage/memory_storage.h"
#include "src/storage/sqlite_storage.h"
#include "src/strategies/mf_acquisition.h"
#include "src/strategies/mf_composite.h"
#include "src/strategies/mf_model.h"
#include "src/study/config_json.h"
#include "tests/strategies/gradient_check.h"

namespace bayesd {
namespace {

using nlohmann::json;
namespace acq = acquisition;

double ForresterHigh(double x) { return (6 * x - 2) * (6 * x - 2) * std::sin(12 * x - 4); }
double ForresterLow(double x) { return 0.5 * ForresterHigh(x) + 10 * (x - 0.5) - 5; }
double WaveHigh(double x) { return std::sin(8 * x) + x; }
double WaveLow(double x) { return 0.8 * std::sin(8 * x + 0.2) + 0.5 * x; }

// Output k of the test problem at level (0 low, 1 target).
double Output(int k, int level, double x) {
  if (k == 0) return level == 1 ? ForresterHigh(x) : ForresterLow(x);
  return level == 1 ? WaveHigh(x) : WaveLow(x);
}

// The composite optimum sits at x* = 0.3: targets are the outputs' target values there.
constexpr double kXStar = 0.3;
double Target(int k) { return Output(k, 1, kXStar); }
double Composite(double y0, double y1) {
  return (y0 - Target(0)) * (y0 - Target(0)) + 4.0 * (y1 - Target(1)) * (y1 - Target(1));
}

// One fitted surrogate per output on a nested design (10 low, 4 target points).
std::vector<std::shared_ptr<const MfSurrogate>> FittedOutputs(MfSurrogate::Kind kind) {
  const bool kernel = kind == MfSurrogate::Kind::kFidelityKernel;
  const std::vector<double> lo = {0.0, 0.1, 0.2, 0.3, 0.45, 0.55, 0.65, 0.8, 0.9, 1.0}, hi = {0.05, 0.4, 0.6, 0.95};
  std::vector<std::shared_ptr<const MfSurrogate>> out;
  for (int k = 0; k < 2; ++k) {
    MfObservations d;
    const int n = static_cast<int>(lo.size() + hi.size());
    d.x.resize(n, 1);
    d.y.resize(n);
    d.s.resize(n);
    int i = 0;
    for (int level = 0; level < 2; ++level) {
      for (double x : level == 0 ? lo : hi) {
        d.x(i, 0) = x;
        d.y[i] = Output(k, level, x);
        d.s[i] = level == 1 ? 1.0 : 0.3;
        d.level.push_back(kernel ? -1 : level);
        ++i;
      }
    }
    std::shared_ptr<MfSurrogate> m = MfSurrogate::Create(
        kind, gp::InputSpec::AllContinuous(1), kernel ? std::vector<double>{0.0, 0.3, 1.0} : std::vector<double>{0.0, 1.0});
    const json diag = m->Fit(d, json(), MfFitSettings());
    EXPECT_TRUE(m->ok()) << diag.dump();
    out.push_back(m);
  }
  return out;
}

// Per output at x and fidelity m: outcome-unit target mean and sd, and r = |corr(y_m, f_T)|.
struct OutputPosterior {
  double mean, sd, r;
};
OutputPosterior PosteriorOf(const MfSurrogate& s, const Eigen::VectorXd& x, int m) {
  JointFidelityPosterior p;
  EXPECT_TRUE(s.Joint(x, m, false, &p));
  double r = 0;
  EXPECT_TRUE(FidelityCorrelation(p, false, &r, nullptr));
  double off, sc;
  s.OutcomeAffine(&off, &sc);
  return {off + sc * p.mean_t, sc * std::sqrt(p.var_t), r};
}

TEST(MfCompositeTest, MomentsAndEtaMatchClosedForms) {
  for (auto kind : {MfSurrogate::Kind::kCoKriging, MfSurrogate::Kind::kFidelityKernel}) {
    const auto outputs = FittedOutputs(kind);
    const Eigen::MatrixXd base = CompositeBaseSamples(2, 4096, 7);
    // Linear outer g = 2 y0 - 3 y1: eta^2 is the multiple correlation sum a^2 v r^2 / sum a^2 v.
    CompositeFidelityModel linear(
        outputs,
        [](const Eigen::VectorXd& y, Eigen::VectorXd* g) {
          if (g) *g = (Eigen::VectorXd(2) << 2.0, -3.0).finished();
          return 2.0 * y[0] - 3.0 * y[1];
        },
        1.0, base);
    // Target-hitting outer of output 0 alone, target t: eta^2 = (4 c^2 a^2 + 2 a^4) / (4 c^2 sd^2 + 2 sd^4),
    // a = sd r, c = mu - t; mean c^2 + sd^2, variance 4 c^2 sd^2 + 2 sd^4.
    for (double x : {0.15, 0.5, 0.72}) {
      const Eigen::VectorXd xv = Eigen::VectorXd::Constant(1, x);
      for (int m = 0; m < linear.num_fidelities(); ++m) {
        const OutputPosterior p0 = PosteriorOf(*outputs[0], xv, m), p1 = PosteriorOf(*outputs[1], xv, m);
        const double a0 = 4 * p0.sd * p0.sd, a1 = 9 * p1.sd * p1.sd;
        const double eta2 = (a0 * p0.r * p0.r + a1 * p1.r * p1.r) / (a0 + a1);
        CompositeFidelityModel::Moments mm;
        ASSERT_TRUE(linear.MomentsAt(xv, m, false, &mm));
        const std::string what = MfSurrogate::KindName(kind) + " x " + std::to_string(x) + " m " + std::to_string(m);
        EXPECT_NEAR(mm.mean, 2 * p0.mean - 3 * p1.mean, 0.01 * std::sqrt(a0 + a1) + 1e-9) << what;
        EXPECT_NEAR(mm.var, a0 + a1, 0.03 * (a0 + a1) + 1e-12) << what;
        EXPECT_NEAR(mm.eta * mm.eta, eta2, 0.02) << what;
        for (double t : {p0.mean, p0.mean + 0.7 * p0.sd}) {
          CompositeFidelityModel quad(
              {outputs[0]},
              [t](const Eigen::VectorXd& y, Eigen::VectorXd* g) {
                if (g) *g = Eigen::VectorXd::Constant(1, 2 * (y[0] - t));
                return (y[0] - t) * (y[0] - t);
              },
              -1.0, CompositeBaseSamples(1, 4096, 3));
          const double c = p0.mean - t, s = p0.sd, a = s * p0.r;
          const double var = 4 * c * c * s * s + 2 * s * s * s * s;
          const double q2 = (4 * c * c * a * a + 2 * a * a * a * a) / var;
          ASSERT_TRUE(quad.MomentsAt(xv, m, false, &mm));
          EXPECT_NEAR(mm.mean, -(c * c + s * s), 0.02 * (c * c + s * s) + 1e-12) << what << " t " << t;
          EXPECT_NEAR(mm.var, var, 0.06 * var + 1e-15) << what << " t " << t;
          EXPECT_NEAR(mm.eta * mm.eta, q2, 0.03) << what << " t " << t << " r " << p0.r;
        }
      }
    }
  }
}

using testing::ExpectGradientMatches;

TEST(MfCompositeTest, GradientsMatchFiniteDifferences) {
  for (auto kind : {MfSurrogate::Kind::kCoKriging, MfSurrogate::Kind::kFidelityKernel}) {
    auto comp = std::make_shared<CompositeFidelityModel>(
        FittedOutputs(kind),
        [](const Eigen::VectorXd& y, Eigen::VectorXd* g) {
          if (g) *g = (Eigen::VectorXd(2) << 2 * (y[0] - Target(0)), 8 * (y[1] - Target(1))).finished();
          return Composite(y[0], y[1]);
        },
        -1.0, CompositeBaseSamples(2, 128, 11));
    const Eigen::VectorXd y_star = (Eigen::VectorXd(3) << -0.5, -0.1, 0.0).finished();
    for (int m = 0; m < comp->num_fidelities(); ++m) {
      for (double x : {0.13, 0.52, 0.69}) {
        const Eigen::VectorXd xv = Eigen::VectorXd::Constant(1, x);
        const std::string what = MfSurrogate::KindName(kind) + " fidelity " + std::to_string(m);
        // The moments and eta themselves.
        CompositeFidelityModel::Moments mm, mp, mn;
        ASSERT_TRUE(comp->MomentsAt(xv, m, true, &mm));
        const double h = 1e-6;
        ASSERT_TRUE(comp->MomentsAt(xv.array() + h, m, false, &mp));
        ASSERT_TRUE(comp->MomentsAt(xv.array() - h, m, false, &mn));
        EXPECT_NEAR(mm.g_mean[0], (mp.mean - mn.mean) / (2 * h), 1e-4 * (1 + std::abs(mm.g_mean[0]))) << what;
        EXPECT_NEAR(mm.g_var[0], (mp.var - mn.var) / (2 * h), 1e-4 * (1 + std::abs(mm.g_var[0]))) << what;
        EXPECT_NEAR(mm.g_eta[0], (mp.eta - mn.eta) / (2 * h), 1e-4 * (1 + std::abs(mm.g_eta[0]))) << what;
        ExpectGradientMatches(MultiFidelityMes(comp, m, y_star, 2.0, {}), xv, what + " mf_mes");
        ExpectGradientMatches(CostWeightedEi(comp, m, -0.5, 3.0, {}, comp->TargetCompositeEi(-0.5, 1e-6)), xv,
                              what + " cost_ei");
        ExpectGradientMatches(acq::UpperConfidenceBound(comp->TargetModel(), 0.0), xv, what + " target mean");
      }
    }
  }
}

// ---- the strategy through StudyService ---------------------------------------------------------------------------

json StudyBody(const std::string& composite_model, uint64_t seed, const std::string& name = "comp") {
  json strategy = {{"name", "gp"}};
  if (!composite_model.empty()) strategy["composite_model"] = composite_model;
  return {{"name", name},
          {"parameters", json::array({{{"name", "x"}, {"type", "float"}, {"low", 0}, {"high", 1}}})},
          {"outputs", json::array({{{"name", "y0"}}, {{"name", "y1"}}})},
          {"objective",
           {{"name", "g"}, {"goal", "minimize"}, {"targets", {{"y0", Target(0)}, {"y1", Target(1)}}},
            {"weights", {{"y0", 1.0}, {"y1", 4.0}}}}},
          {"fidelity", {{"name", "level"}, {"levels", {0, 1}}, {"costs", {1, 10}}}},
          {"strategy", strategy},
          {"seed", seed}};
}

void CreateStudyFromBody(StudyService* service, const json& body) {
  auto config = ParseStudyConfig(body);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(service->Load().ok());
  ASSERT_TRUE(service->CreateStudy(*config, false).ok());
}

void Evaluate(StudyService* service, const std::string& name, const Trial& t, double* best) {
  const int level = *t.fidelity == 1.0 ? 1 : 0;
  CompleteRequest req;
  req.values["y0"] = Output(0, level, t.params[0]);
  req.values["y1"] = Output(1, level, t.params[0]);
  req.cost = level == 1 ? 10.0 : 1.0;
  ASSERT_TRUE(service->Complete(name, t.number, req).ok());
  if (level == 1 && best) *best = std::min(*best, Composite(req.values["y0"], req.values["y1"]));
}

// Ask / tell until `budget` cost; the best composite value at the target.
double Drive(StudyService* service, const std::string& name, double budget) {
  double cost = 0, best = std::numeric_limits<double>::infinity();
  while (cost < budget) {
    auto t = service->Suggest(name, {1, ""});
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) break;
    Evaluate(service, name, (*t)[0], &best);
    cost += *(*t)[0].fidelity == 1.0 ? 10.0 : 1.0;
  }
  return best;
}

TEST(MfCompositeStrategyTest, OneSurrogatePerOutputReachesTheTargetCompositeOptimum) {
  for (const char* acquisition : {"mf_mes", "cost_ei"}) {
    MemoryStorage storage;
    StudyService service(&storage, {});
    json body = StudyBody("", 2);
    body["strategy"]["acquisition"] = acquisition;
    ASSERT_NO_FATAL_FAILURE(CreateStudyFromBody(&service, body));
    const double best = Drive(&service, "comp", 150);
    const std::vector<Trial> trials = service.ListTrials("comp", {})->trials;
    int low = 0;
    for (const Trial& t : trials) low += *t.fidelity != 1.0;
    EXPECT_GT(low, 0);
    // The per-output models find x* = 0.3. Measured (seeds 2-5, this budget): mf_mes 1.3e-7 .. 1.3e-6, cost_ei
    // 7e-4 .. 6e-3; composite_model "scalar" with mf_mes 1.5e-4 .. 1.1e-2 -- so the mf_mes bound fails with the
    // combined-value model.
    EXPECT_LT(best, std::string(acquisition) == "mf_mes" ? 1e-5 : 1e-2) << acquisition << " low " << low;
    const json d = json::parse(trials.back().diagnostics_json);
    ASSERT_EQ(d["phase"], "model") << d.dump();
    EXPECT_EQ(d["composite_model"], "outputs");
    EXPECT_EQ(d["outputs"], json::array({"y0", "y1"}));
    ASSERT_TRUE(d["fit"]["fit"].is_array()) << d["fit"].dump();
    EXPECT_EQ(d["fit"]["fit"].size(), 2u) << "one multi-fidelity surrogate per output";
    EXPECT_EQ(d["acquisition"], acquisition);
    EXPECT_EQ(d["fidelities"].size(), 2u);
    EXPECT_TRUE(d["fidelities"][0].contains("correlation")) << d.dump();
    // best / recommendation are about the target; predictions give every output and the composite at the target.
    auto best_trial = service.Best("comp");
    ASSERT_TRUE(best_trial.ok() && best_trial->trial.has_value());
    EXPECT_EQ(*best_trial->trial->fidelity, 1.0);
    ASSERT_TRUE(best_trial->recommendation.has_value());
    EXPECT_NEAR(best_trial->recommendation->params[0], kXStar, 0.02);
    auto pred = service.Predict("comp", {{kXStar}, {0.8}});
    ASSERT_TRUE(pred.ok()) << pred.status().ToString();
    for (const char* name : {"y0", "y1", "g"}) ASSERT_TRUE((*pred)[0].count(name)) << name;
    EXPECT_NEAR((*pred)[0].at("y0").mean, Target(0), 0.05);
    EXPECT_NEAR((*pred)[0].at("y1").mean, Target(1), 0.05);
    EXPECT_NEAR((*pred)[1].at("y0").mean, ForresterHigh(0.8), 0.5);
    EXPECT_LT((*pred)[0].at("g").mean, 0.05);
    EXPECT_GT((*pred)[1].at("g").mean, 1.0);
    EXPECT_EQ(service.GetStudy("comp")->summary.strategy_summary.value("composite_model", ""), "outputs");
  }
}

// With a constraint c = 0.2 - x <= 0 (a multi-fidelity surrogate of its own, after the outputs'): x* = 0.3 stays
// feasible, and every output, the composite and the constraint are predicted at the target.
TEST(MfCompositeStrategyTest, ConstraintsGetTheirOwnSurrogateAfterTheOutputs) {
  MemoryStorage storage;
  StudyService service(&storage, {});
  json body = StudyBody("", 3);
  body["constraints"] = json::array({{{"name", "c"}, {"op", "<="}, {"bound", 0.0}}});
  body["outputs"].push_back({{"name", "c"}});  // a measured value: listed among the outputs (not in the targets)
  ASSERT_NO_FATAL_FAILURE(CreateStudyFromBody(&service, body));
  double cost = 0, best = std::numeric_limits<double>::infinity();
  while (cost < 150) {
    auto t = service.Suggest("comp", {1, ""});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const Trial& trial = (*t)[0];
    const int level = *trial.fidelity == 1.0 ? 1 : 0;
    const double x = trial.params[0];
    CompleteRequest req;
    req.values["y0"] = Output(0, level, x);
    req.values["y1"] = Output(1, level, x);
    req.values["c"] = 0.2 - x + (level == 0 ? 0.03 : 0.0);
    req.cost = level == 1 ? 10.0 : 1.0;
    ASSERT_TRUE(service.Complete("comp", trial.number, req).ok());
    cost += *req.cost;
    if (level == 1 && x >= 0.2) best = std::min(best, Composite(req.values["y0"], req.values["y1"]));
  }
  EXPECT_LT(best, 1e-3);
  const json d = json::parse(service.ListTrials("comp", {})->trials.back().diagnostics_json);
  ASSERT_EQ(d["phase"], "model") << d.dump();
  ASSERT_TRUE(d["fit"]["fit"].is_array());
  // Every output has its surrogate (c too, as the single-fidelity gp models every output; weight 0 in g), then the
  // constraint.
  EXPECT_EQ(d["fit"]["fit"].size(), 4u) << "y0, y1, c, then the constraint c";
  auto rec = service.Best("comp");
  ASSERT_TRUE(rec.ok() && rec->recommendation.has_value());
  EXPECT_GE(rec->recommendation->params[0], 0.2);
  auto pred = service.Predict("comp", {{0.1}, {0.5}});
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  for (const char* name : {"y0", "y1", "g", "c"}) ASSERT_TRUE((*pred)[0].count(name)) << name;
  EXPECT_NEAR((*pred)[0].at("c").mean, 0.1, 0.02);
  EXPECT_NEAR((*pred)[1].at("c").mean, -0.3, 0.02);
}

// A continuous fidelity (epochs 1..20, cost 0.5 epochs): one fidelity-kernel surrogate per output; the low end is a
// biased version of both outputs.
TEST(MfCompositeStrategyTest, ContinuousFidelityUsesOneFidelityKernelPerOutput) {
  json body = StudyBody("", 4);
  body["fidelity"] = {{"name", "epochs"}, {"low", 1}, {"high", 20}, {"cost", {{"type", "linear"}}}};
  body["strategy"]["fidelity_grid"] = 4;
  MemoryStorage storage;
  StudyService service(&storage, {});
  ASSERT_NO_FATAL_FAILURE(CreateStudyFromBody(&service, body));
  double best = std::numeric_limits<double>::infinity();
  int low = 0;
  for (int i = 0; i < 24; ++i) {
    auto t = service.Suggest("comp", {1, ""});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    const double e = *(*t)[0].fidelity, x = (*t)[0].params[0], bias = 1 - e / 20.0;
    CompleteRequest req;
    req.values["y0"] = ForresterHigh(x) + 3.0 * bias * std::cos(7 * x);
    req.values["y1"] = WaveHigh(x) + 0.5 * bias * x;
    ASSERT_TRUE(service.Complete("comp", (*t)[0].number, req).ok());
    if (e == 20.0) {
      best = std::min(best, Composite(req.values["y0"], req.values["y1"]));
    } else {
      ++low;
    }
  }
  EXPECT_GT(low, 0);
  EXPECT_LT(best, 0.05);
  const json d = json::parse(service.ListTrials("comp", {})->trials.back().diagnostics_json);
  ASSERT_EQ(d["phase"], "model") << d.dump();
  EXPECT_EQ(d["model"], "fidelity_kernel");
  EXPECT_EQ(d["fidelities"].size(), 4u);
  ASSERT_TRUE(d["fit"]["fit"].is_array());
  EXPECT_EQ(d["fit"]["fit"].size(), 2u);
  auto pred = service.Predict("comp", {{kXStar}});
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  EXPECT_NEAR((*pred)[0].at("y1").mean, Target(1), 0.1);
}

TEST(MfCompositeStrategyTest, ScalarModeModelsTheCombinedValue) {
  MemoryStorage storage;
  StudyService service(&storage, {});
  ASSERT_NO_FATAL_FAILURE(CreateStudyFromBody(&service, StudyBody("scalar", 2)));
  Drive(&service, "comp", 60);
  const json d = json::parse(service.ListTrials("comp", {})->trials.back().diagnostics_json);
  ASSERT_EQ(d["phase"], "model") << d.dump();
  EXPECT_EQ(d["composite_model"], "scalar");
  EXPECT_TRUE(d["fit"]["fit"].is_object() && d["fit"]["fit"].contains("model")) << "one surrogate of g: " << d["fit"].dump();
  auto pred = service.Predict("comp", {{0.5}});
  ASSERT_TRUE(pred.ok());
  EXPECT_TRUE((*pred)[0].count("g"));
  EXPECT_FALSE((*pred)[0].count("y0"));
}

TEST(MfCompositeStrategyTest, SamePredictionsAndSuggestionsAfterAReloadFromStorage) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("bayesd_mf_composite_" + std::to_string(getpid()) + ".db")).string();
  std::filesystem::remove(path);
  SqliteStorageOptions options;
  options.path = path;
  const std::vector<std::vector<double>> at = {{0.1}, {0.3}, {0.77}};
  const int before = 16, after = 4;
  std::vector<Trial> uninterrupted;
  std::vector<PointPrediction> live;
  {
    MemoryStorage memory;
    StudyService service(&memory, {});
    ASSERT_NO_FATAL_FAILURE(CreateStudyFromBody(&service, StudyBody("", 5)));
    for (int i = 0; i < before + after; ++i) {
      auto t = service.Suggest("comp", {1, ""});
      ASSERT_TRUE(t.ok());
      uninterrupted.push_back((*t)[0]);
      ASSERT_NO_FATAL_FAILURE(Evaluate(&service, "comp", (*t)[0], nullptr));
      if (i == before - 1) live = *service.Predict("comp", at);
    }
  }
  std::vector<Trial> resumed;
  {
    auto storage = SqliteStorage::Open(options);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    StudyService service(storage->get(), {});
    ASSERT_NO_FATAL_FAILURE(CreateStudyFromBody(&service, StudyBody("", 5)));
    for (int i = 0; i < before; ++i) {
      auto t = service.Suggest("comp", {1, ""});
      ASSERT_TRUE(t.ok());
      resumed.push_back((*t)[0]);
      ASSERT_NO_FATAL_FAILURE(Evaluate(&service, "comp", (*t)[0], nullptr));
    }
    (*storage)->Close();
  }
  {
    auto storage = SqliteStorage::Open(options);
    ASSERT_TRUE(storage.ok());
    StudyService service(storage->get(), {});
    ASSERT_TRUE(service.Load().ok());
    auto restored = service.Predict("comp", at);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    ASSERT_EQ(restored->size(), live.size());
    for (size_t i = 0; i < live.size(); ++i) {
      ASSERT_EQ((*restored)[i].size(), 3u);  // y0, y1 and the composite g
      for (const auto& [name, p] : live[i]) {
        EXPECT_DOUBLE_EQ((*restored)[i].at(name).mean, p.mean) << name << " at " << at[i][0];
        EXPECT_DOUBLE_EQ((*restored)[i].at(name).sd, p.sd) << name << " at " << at[i][0];
      }
    }
    for (int i = 0; i < after; ++i) {
      auto t = service.Suggest("comp", {1, ""});
      ASSERT_TRUE(t.ok());
      resumed.push_back((*t)[0]);
      ASSERT_NO_FATAL_FAILURE(Evaluate(&service, "comp", (*t)[0], nullptr));
    }
    (*storage)->Close();
  }
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
  ASSERT_EQ(resumed.size(), uninterrupted.size());
  for (size_t i = 0; i < resumed.size(); ++i) {
    EXPECT_EQ(resumed[i].params, uninterrupted[i].params) << "trial " << i;
    EXPECT_EQ(resumed[i].fidelity, uninterrupted[i].fidelity) << "trial " << i;
  }
  EXPECT_EQ(json::parse(resumed.back().diagnostics_json)["phase"], "model");
}

TEST(MfCompositeStrategyTest, OptionsAreValidated) {
  for (const json& bad : {json{{"composite_model", "per_output"}}, json{{"composite_model", 1}},
                          json{{"composite_samples", 4}}, json{{"composite_samples", 5000}}}) {
    json body = StudyBody("", 1);
    for (const auto& [k, v] : bad.items()) body["strategy"][k] = v;
    const std::string field = "strategy." + bad.begin().key();
    auto config = ParseStudyConfig(body);
    if (!config.ok()) {
      EXPECT_NE(config.status().ToString().find(field), std::string::npos) << config.status().ToString();
      continue;
    }
    MemoryStorage storage;
    StudyService service(&storage, {});
    ASSERT_TRUE(service.Load().ok());
    auto created = service.CreateStudy(*config, false);
    EXPECT_FALSE(created.ok()) << bad.dump();
    EXPECT_NE(created.status().ToString().find(field), std::string::npos) << created.status().ToString();
  }
  for (const char* good : {"outputs", "scalar"}) {
    MemoryStorage storage;
    StudyService service(&storage, {});
    ASSERT_NO_FATAL_FAILURE(CreateStudyFromBody(&service, StudyBody(good, 1)));
  }
}

}  // namespace
}  // namespace bayesd
