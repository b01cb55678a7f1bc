#include "src/service/study_service.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "src/storage/memory_storage.h"
#include "src/storage/sqlite_storage.h"
#include "src/study/config_json.h"

namespace bayesd {
namespace {

using Json = nlohmann::json;

StudyConfig Config(const std::string& name, const std::string& strategy = "sobol") {
  Json body = Json::parse(R"({
    "parameters": [
      {"name": "x", "type": "float", "low": -5, "high": 10},
      {"name": "n", "type": "int", "low": 1, "high": 100, "log": true},
      {"name": "c", "type": "categorical", "choices": ["a", "b"]}
    ],
    "objective": {"name": "f", "goal": "minimize"},
    "constraints": [{"name": "g", "op": "<=", "bound": 0}],
    "seed": 3
  })");
  body["name"] = name;
  body["strategy"] = {{"name", strategy}};
  auto c = ParseStudyConfig(body);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

class ServiceTest : public ::testing::Test {
 protected:
  MemoryStorage storage_;
  StudyService service_{&storage_, ServiceOptions{}};
  void SetUp() override { ASSERT_TRUE(service_.Load().ok()); }
};

TEST_F(ServiceTest, AskTellLifecycle) {
  ASSERT_TRUE(service_.CreateStudy(Config("s"), false).ok());
  auto trials = service_.Suggest("s", {3, "w1"});
  ASSERT_TRUE(trials.ok()) << trials.status().ToString();
  ASSERT_EQ(trials->size(), 3u);
  EXPECT_EQ((*trials)[2].number, 2);
  EXPECT_EQ((*trials)[0].worker, "w1");
  auto done = service_.Complete("s", 0, {{{"f", 1.5}, {"g", -1}}, {}, std::nullopt});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(*done->feasible);
  // Completing twice, failing a completed trial: failed_precondition, nothing changes.
  auto again = service_.Complete("s", 0, {{{"f", 0.0}, {"g", -1}}, {}, std::nullopt});
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(service_.Fail("s", 0, "x").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(service_.GetTrial("s", 0)->values.at("f"), 1.5);
  // Missing constraint value, unknown outcome, non-finite value.
  EXPECT_EQ(service_.Complete("s", 1, {{{"f", 1}}, {}, std::nullopt}).status().field(), "values.g");
  EXPECT_EQ(service_.Complete("s", 1, {{{"f", 1}, {"g", 0}, {"h", 0}}, {}, std::nullopt}).status().field(),
            "values.h");
  EXPECT_EQ(service_.Complete("s", 1, {{{"f", NAN}, {"g", 0}}, {}, std::nullopt}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.GetTrial("s", 1)->state, TrialState::kPending);
  // Infeasible but better: not the best.
  ASSERT_TRUE(service_.Complete("s", 1, {{{"f", -100}, {"g", 5}}, {}, std::nullopt}).ok());
  ASSERT_TRUE(service_.Fail("s", 2, "diverged").ok());
  auto best = service_.Best("s");
  ASSERT_TRUE(best.ok());
  ASSERT_TRUE(best->trial.has_value());
  EXPECT_EQ(best->trial->number, 0);
  auto view = service_.GetStudy("s");
  EXPECT_EQ(view->summary.counts.at("completed"), 2);
  EXPECT_EQ(view->summary.counts.at("failed"), 1);
  EXPECT_EQ(view->summary.counts.at("total"), 3);
  EXPECT_EQ(*view->summary.best_value, 1.5);
  // Unknown study / trial.
  EXPECT_EQ(service_.Suggest("nope", {1, ""}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.Complete("s", 99, {{{"f", 1}, {"g", 0}}, {}, std::nullopt}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(service_.Suggest("s", {0, ""}).status().field(), "count");
  EXPECT_EQ(service_.Suggest("s", {1000000, ""}).status().field(), "count");
  EXPECT_EQ(service_.Predict("s", {{0, 1, 0}}).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ServiceTest, CreateIsIdempotentOnlyWithAnEqualConfig) {
  bool created = false;
  ASSERT_TRUE(service_.CreateStudy(Config("s"), false, &created).ok());
  EXPECT_TRUE(created);
  EXPECT_EQ(service_.CreateStudy(Config("s"), false).status().code(), StatusCode::kAlreadyExists);
  auto same = service_.CreateStudy(Config("s"), true, &created);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(service_.CreateStudy(Config("s", "random"), true).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(service_.DeleteStudy("s").ok());
  EXPECT_EQ(service_.GetStudy("s").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(service_.CreateStudy(Config("s"), false).ok());
}

TEST_F(ServiceTest, ExternalTrialsAreValidatedAgainstTheSpace) {
  ASSERT_TRUE(service_.CreateStudy(Config("s"), false).ok());
  ExternalTrialRequest r;
  r.params = {1.0, 3.0, 1.0};
  r.result.values = {{"f", 2.0}, {"g", -1.0}};
  auto t = service_.AddExternalTrial("s", r);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->external);
  EXPECT_EQ(t->state, TrialState::kCompleted);
  r.params = {11.0, 3.0, 1.0};
  EXPECT_EQ(service_.AddExternalTrial("s", r).status().code(), StatusCode::kInvalidArgument);
  r.params = {1.0, 3.5, 1.0};
  EXPECT_EQ(service_.AddExternalTrial("s", r).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_.GetStudy("s")->summary.counts.at("total"), 1);
}

TEST_F(ServiceTest, ConcurrentAsksNeverShareANumberOrAPoint) {
  ASSERT_TRUE(service_.CreateStudy(Config("s", "random"), false).ok());
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<Trial> all;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 50; ++k) {
        auto t = service_.Suggest("s", {2, ""});
        ASSERT_TRUE(t.ok());
        for (const Trial& trial : *t) {
          ASSERT_TRUE(service_.Complete("s", trial.number, {{{"f", 1}, {"g", 0}}, {}, std::nullopt}).ok());
        }
        std::lock_guard lock(mu);
        all.insert(all.end(), t->begin(), t->end());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> numbers;
  std::set<std::vector<double>> points;
  for (const Trial& t : all) {
    numbers.insert(t.number);
    points.insert(t.params);
  }
  EXPECT_EQ(numbers.size(), 800u);
  EXPECT_EQ(points.size(), 800u);
  EXPECT_EQ(service_.GetStudy("s")->summary.counts.at("completed"), 800);
}

TEST_F(ServiceTest, PendingTrialsOfASmallDiscreteSpaceAreNotHandedOutTwice) {
  Json body = {{"name", "tiny"},
               {"parameters", {{{"name", "c"}, {"type", "categorical"}, {"choices", {"a", "b", "c"}}}}},
               {"objective", {{"name", "f"}, {"goal", "minimize"}}},
               {"strategy", {{"name", "sobol"}}}};
  auto config = ParseStudyConfig(body);
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(service_.CreateStudy(*config, false).ok());
  auto t = service_.Suggest("tiny", {3, ""});
  ASSERT_TRUE(t.ok());
  std::set<double> choices;
  for (const Trial& trial : *t) choices.insert(trial.params[0]);
  EXPECT_EQ(choices.size(), 3u);
}

TEST_F(ServiceTest, PendingTimeoutAbandonsStaleTrials) {
  MemoryStorage storage;
  ServiceOptions options;
  options.pending_timeout_seconds = 60;
  StudyService service(&storage, options);
  ASSERT_TRUE(service.Load().ok());
  ASSERT_TRUE(service.CreateStudy(Config("s"), false).ok());
  ASSERT_TRUE(service.Suggest("s", {2, ""}).ok());
  ASSERT_TRUE(service.Complete("s", 0, {{{"f", 1}, {"g", 0}}, {}, std::nullopt}).ok());
  EXPECT_EQ(service.ExpirePending(NowMs()), 0);
  EXPECT_EQ(service.ExpirePending(NowMs() + 61000), 1);
  auto t = service.GetTrial("s", 1);
  EXPECT_EQ(t->state, TrialState::kAbandoned);
  EXPECT_FALSE(t->fail_reason.empty());
  EXPECT_EQ(service.GetTrial("s", 0)->state, TrialState::kCompleted);
}

TEST(ServiceRestartTest, ARestartRestoresStudiesTrialsAndTheSequence) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("bayesd_service_test_" + std::to_string(getpid()) + ".db")).string();
  std::filesystem::remove(path);
  SqliteStorageOptions options;
  options.path = path;
  std::vector<Trial> before;
  std::vector<Trial> uninterrupted;
  {
    auto storage = SqliteStorage::Open(options);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    StudyService service(storage->get(), {});
    ASSERT_TRUE(service.Load().ok());
    ASSERT_TRUE(service.CreateStudy(Config("s"), false).ok());
    ASSERT_TRUE(service.Suggest("s", {4, ""}).ok());
    ASSERT_TRUE(service.Complete("s", 1, {{{"f", 1}, {"g", 0}}, {{"f", 0.1}}, 2.5}).ok());
    before = service.ListTrials("s", {})->trials;
    (*storage)->Close();
  }
  {
    MemoryStorage memory;
    StudyService service(&memory, {});
    ASSERT_TRUE(service.Load().ok());
    ASSERT_TRUE(service.CreateStudy(Config("s"), false).ok());
    uninterrupted = *service.Suggest("s", {6, ""});
  }
  auto storage = SqliteStorage::Open(options);
  ASSERT_TRUE(storage.ok());
  StudyService service(storage->get(), {});
  ASSERT_TRUE(service.Load().ok());
  auto after = service.ListTrials("s", {})->trials;
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].params, before[i].params);
    EXPECT_EQ(after[i].state, before[i].state);
    EXPECT_EQ(after[i].values, before[i].values);
    EXPECT_EQ(after[i].noise, before[i].noise);
    EXPECT_EQ(after[i].cost, before[i].cost);
  }
  // The Sobol sequence continues where it stopped, numbers are never reused.
  auto next = service.Suggest("s", {2, ""});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)[0].number, 4);
  EXPECT_EQ((*next)[0].params, uninterrupted[4].params);
  EXPECT_EQ((*next)[1].params, uninterrupted[5].params);
  (*storage)->Close();
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path + suffix);
}

// Runs one statement on the database file through a connection of the test's own (fault injection by trigger).
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// A service on a real SQLite file whose writes can be made to fail: a trigger refuses a chosen trial number.
class ServiceWriteFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("bayesd_service_fail_" + std::to_string(getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                .string();
    Remove();
    SqliteStorageOptions options;
    options.path = path_;
    auto storage = SqliteStorage::Open(options);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(storage).value();
    service_ = std::make_unique<StudyService>(storage_.get(), ServiceOptions{});
    ASSERT_TRUE(service_->Load().ok());
  }
  void TearDown() override {
    service_.reset();
    if (storage_) storage_->Close();
    Remove();
  }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(path_ + suffix);
  }
  void RefuseTrial(int64_t number) {
    RawExec(path_, "CREATE TRIGGER refuse BEFORE INSERT ON trials WHEN NEW.number = " + std::to_string(number) +
                       " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  }
  void StopRefusing() { RawExec(path_, "DROP TRIGGER IF EXISTS refuse"); }

  // The study in memory equals the study on disk, trial by trial.
  void ExpectMemoryMatchesDisk(const std::string& name) {
    auto view = service_->GetStudy(name);
    ASSERT_TRUE(view.ok());
    auto stored = storage_->LoadStudy(view->id);
    ASSERT_TRUE(stored.ok());
    auto memory = service_->ListTrials(name, {})->trials;
    ASSERT_EQ(memory.size(), stored->trials.size());
    for (size_t i = 0; i < memory.size(); ++i) {
      EXPECT_EQ(memory[i].number, stored->trials[i].number);
      EXPECT_EQ(memory[i].state, stored->trials[i].state) << "trial " << i;
      EXPECT_EQ(memory[i].params, stored->trials[i].params) << "trial " << i;
      EXPECT_EQ(memory[i].values, stored->trials[i].values) << "trial " << i;
    }
  }

  std::string path_;
  std::unique_ptr<SqliteStorage> storage_;
  std::unique_ptr<StudyService> service_;
};

// A suggest whose write fails is answered with an error and leaves no trace: not in memory, not on disk, and the
// strategy's sequence continues as if it had never happened (its state is reloaded from disk).
TEST_F(ServiceWriteFailureTest, AFailedSuggestLeavesNoTrace) {
  ASSERT_TRUE(service_->CreateStudy(Config("s"), false).ok());
  ASSERT_TRUE(service_->Suggest("s", {3, ""}).ok());
  RefuseTrial(3);
  auto refused = service_->Suggest("s", {1, ""});
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("injected failure"), std::string::npos);
  EXPECT_EQ(service_->GetTrial("s", 3).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->GetStudy("s")->summary.counts.at("total"), 3);
  ASSERT_TRUE(service_->Complete("s", 1, {{{"f", 1}, {"g", 0}}, {}, std::nullopt}).ok());
  ExpectMemoryMatchesDisk("s");
  StopRefusing();
  auto next = service_->Suggest("s", {1, ""});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ((*next)[0].number, 3);
  MemoryStorage memory;
  StudyService uninterrupted(&memory, {});
  ASSERT_TRUE(uninterrupted.Load().ok());
  ASSERT_TRUE(uninterrupted.CreateStudy(Config("s"), false).ok());
  EXPECT_EQ((*next)[0].params, (*uninterrupted.Suggest("s", {4, ""}))[3].params);
  ExpectMemoryMatchesDisk("s");
}

// A complete whose write fails: the trial is pending again in memory, as on disk.
TEST_F(ServiceWriteFailureTest, AFailedCompleteLeavesTheTrialPending) {
  ASSERT_TRUE(service_->CreateStudy(Config("s"), false).ok());
  ASSERT_TRUE(service_->Suggest("s", {3, ""}).ok());
  RefuseTrial(1);  // INSERT OR REPLACE inserts: updates of trial 1 are refused too
  EXPECT_EQ(service_->Complete("s", 1, {{{"f", 1}, {"g", 0}}, {}, std::nullopt}).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(service_->GetTrial("s", 1)->state, TrialState::kPending);
  EXPECT_FALSE(service_->GetStudy("s")->summary.best_value.has_value());
  ASSERT_TRUE(service_->Complete("s", 2, {{{"f", 2}, {"g", 0}}, {}, std::nullopt}).ok());
  ExpectMemoryMatchesDisk("s");
  StopRefusing();
  ASSERT_TRUE(service_->Complete("s", 1, {{{"f", 1}, {"g", 0}}, {}, std::nullopt}).ok());
  EXPECT_EQ(*service_->GetStudy("s")->summary.best_value, 1.0);
  ExpectMemoryMatchesDisk("s");
}

// Under concurrent asks and tells, a failure in the middle (other requests' writes queued behind the failed one)
// ends with memory equal to disk, no number or point handed out twice, and every acknowledged completion stored.
TEST_F(ServiceWriteFailureTest, ConcurrentRequestsAroundAFailureEndConsistent) {
  ASSERT_TRUE(service_->CreateStudy(Config("s", "random"), false).ok());
  RefuseTrial(60);
  std::atomic<bool> dropped{false};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::set<int64_t> acknowledged;
  std::vector<Trial> handed_out;
  std::vector<std::thread> threads;
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&] {
      for (int k = 0; k < 25; ++k) {
        auto t = service_->Suggest("s", {1, ""});
        if (!t.ok()) {
          EXPECT_EQ(t.status().code(), StatusCode::kUnavailable) << t.status().ToString();
          if (failures.fetch_add(1) >= 3 && !dropped.exchange(true)) StopRefusing();
          continue;
        }
        const int64_t n = (*t)[0].number;
        auto done = service_->Complete("s", n, {{{"f", 1}, {"g", 0}}, {}, std::nullopt});
        std::lock_guard lock(mu);
        handed_out.push_back((*t)[0]);
        if (done.ok()) acknowledged.insert(n);
        else EXPECT_EQ(done.status().code(), StatusCode::kUnavailable) << done.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GE(failures.load(), 1);
  ExpectMemoryMatchesDisk("s");
  std::set<int64_t> numbers;
  std::set<std::vector<double>> points;
  for (const Trial& t : handed_out) {
    EXPECT_TRUE(numbers.insert(t.number).second) << "number " << t.number << " handed out twice";
    EXPECT_TRUE(points.insert(t.params).second) << "a point handed out twice (trial " << t.number << ")";
  }
  auto stored = storage_->LoadStudy(service_->GetStudy("s")->id);
  ASSERT_TRUE(stored.ok());
  for (int64_t n : acknowledged) {
    ASSERT_LT(static_cast<size_t>(n), stored->trials.size());
    EXPECT_EQ(stored->trials[n].state, TrialState::kCompleted) << "acknowledged trial " << n;
  }
}

}  // namespace
}  // namespace bayesd
