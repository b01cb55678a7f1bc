// The Storage contract (src/storage/storage.h), checked against every implementation: MemoryStorage,
// SqliteStorage in memory and SqliteStorage on a file. A new implementation joins by adding a row to kBackends.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/storage/memory_storage.h"
#include "src/storage/sqlite_storage.h"
#include "src/storage/storage.h"
#include "tests/storage/storage_test_util.h"

namespace bayesd {
namespace {

using testing_storage::ExpectSameStudy;
using testing_storage::ExpectSameTrial;
using testing_storage::MakeStudy;
using testing_storage::MakeTrial;
using testing_storage::TempDir;
using testing_storage::Write;

struct Backend {
  std::string name;
  // Opens a fresh, empty storage; `dir` is a scratch directory it may put files in.
  std::function<StatusOr<std::unique_ptr<Storage>>(const TempDir& dir)> open;
};

StatusOr<std::unique_ptr<Storage>> OpenSqlite(const std::string& path) {
  SqliteStorageOptions options;
  options.path = path;
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteStorage> storage, SqliteStorage::Open(options));
  return std::unique_ptr<Storage>(std::move(storage));
}

const Backend kBackends[] = {
    {"Memory", [](const TempDir&) -> StatusOr<std::unique_ptr<Storage>> {
       return std::unique_ptr<Storage>(std::make_unique<MemoryStorage>());
     }},
    {"SqliteInMemory", [](const TempDir&) { return OpenSqlite(":memory:"); }},
    {"SqliteFile", [](const TempDir& dir) { return OpenSqlite(dir.File("bayesd.db")); }},
};

class StorageConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<Storage>> opened = GetParam().open(dir_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
  }
  void TearDown() override {
    if (storage_) storage_->Close();
  }

  // Creates a study named `name` and returns its id (0 on failure, with a test failure recorded).
  int64_t Create(const std::string& name) {
    StoredStudy study = MakeStudy(name);
    Status status = storage_->CreateStudy(&study);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return study.id;
  }

  StoredStudy Load(int64_t id) {
    StatusOr<StoredStudy> loaded = storage_->LoadStudy(id);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? *loaded : StoredStudy();
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_P(StorageConformanceTest, CreateAssignsIdAndLoadReturnsTheStudy) {
  StoredStudy study = MakeStudy("svm-digits");
  study.strategy_state_json = R"({"iterate":[1,2]})";
  ASSERT_TRUE(storage_->CreateStudy(&study).ok());
  EXPECT_GT(study.id, 0);
  ExpectSameStudy(Load(study.id), study);
}

TEST_P(StorageConformanceTest, CreateStoresTheTrialsItCarries) {
  StoredStudy study = MakeStudy("imported");
  study.trials = {MakeTrial(0), MakeTrial(1)};
  ASSERT_TRUE(storage_->CreateStudy(&study).ok());
  ExpectSameStudy(Load(study.id), study);
}

TEST_P(StorageConformanceTest, DuplicateNameIsAlreadyExistsAndChangesNothing) {
  int64_t id = Create("a");
  StoredStudy again = MakeStudy("a");
  again.config_json = "{}";
  Status status = storage_->CreateStudy(&again);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  StatusOr<std::vector<StoredStudy>> all = storage_->LoadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, id);
  EXPECT_EQ((*all)[0].config_json, MakeStudy("a").config_json);
}

TEST_P(StorageConformanceTest, InvalidStudyIsRefused) {
  EXPECT_EQ(storage_->CreateStudy(nullptr).code(), StatusCode::kInvalidArgument);
  StoredStudy unnamed = MakeStudy("");
  EXPECT_EQ(storage_->CreateStudy(&unnamed).code(), StatusCode::kInvalidArgument);
}

TEST_P(StorageConformanceTest, DeleteRemovesTheStudyAndItsTrials) {
  int64_t id = Create("doomed");
  int64_t other = Create("kept");
  StudyWrite write = Write(id, {MakeTrial(0), MakeTrial(1)});
  ASSERT_TRUE(storage_->Commit(write).ok());
  ASSERT_TRUE(storage_->Commit(Write(other, {MakeTrial(0)})).ok());

  ASSERT_TRUE(storage_->DeleteStudy(id).ok());
  EXPECT_EQ(storage_->LoadStudy(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->DeleteStudy(id).code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->Commit(write).code(), StatusCode::kNotFound);
  EXPECT_EQ(Load(other).trials.size(), 1u);

  // The name is free again and the new study starts without the old trials.
  int64_t reborn = Create("doomed");
  EXPECT_TRUE(Load(reborn).trials.empty());
}

TEST_P(StorageConformanceTest, MissingStudyIsNotFound) {
  EXPECT_EQ(storage_->LoadStudy(42).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->DeleteStudy(42).code(), StatusCode::kNotFound);
  EXPECT_EQ(storage_->Commit(Write(42)).code(), StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, IdsAreNeverReused) {
  int64_t a = Create("a");
  int64_t b = Create("b");
  EXPECT_GT(b, a);
  ASSERT_TRUE(storage_->DeleteStudy(b).ok());  // the highest id: the one a naive max(id)+1 would hand out again
  int64_t c = Create("c");
  EXPECT_GT(c, b);
  ASSERT_TRUE(storage_->DeleteStudy(c).ok());
  ASSERT_TRUE(storage_->DeleteStudy(a).ok());
  EXPECT_GT(Create("d"), c);
}

TEST_P(StorageConformanceTest, CommitUpsertsByNumber) {
  int64_t id = Create("s");
  Trial t = MakeTrial(0);
  ASSERT_TRUE(storage_->Commit(Write(id, {t, MakeTrial(1)})).ok());
  t.state = TrialState::kCompleted;
  t.values = {{"accuracy", 0.93}};
  t.feasible = true;
  t.completed_at_ms = t.updated_at_ms = 1'700'000'100'000;
  ASSERT_TRUE(storage_->Commit(Write(id, {t})).ok());
  StoredStudy loaded = Load(id);
  ASSERT_EQ(loaded.trials.size(), 2u);
  ExpectSameTrial(loaded.trials[0], t);
  ExpectSameTrial(loaded.trials[1], MakeTrial(1));
}

TEST_P(StorageConformanceTest, StrategyStateIsReplacedOnlyWhenSet) {
  int64_t id = Create("s");
  EXPECT_EQ(Load(id).strategy_state_json, "{}");
  ASSERT_TRUE(storage_->Commit(Write(id, {}, R"({"k":1})")).ok());
  EXPECT_EQ(Load(id).strategy_state_json, R"({"k":1})");
  ASSERT_TRUE(storage_->Commit(Write(id, {MakeTrial(0)})).ok());
  EXPECT_EQ(Load(id).strategy_state_json, R"({"k":1})");
}

TEST_P(StorageConformanceTest, FailingCommitLeavesNothing) {
  int64_t id = Create("s");
  ASSERT_TRUE(storage_->Commit(Write(id, {}, "{\"v\":1}")).ok());
  StoredStudy before = Load(id);

  Trial bad = MakeTrial(1);
  bad.values = {{"y", std::numeric_limits<double>::quiet_NaN()}};
  Status status = storage_->Commit(
      Write(id, {MakeTrial(0), bad}, "{\"v\":2}"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  Trial infinite = MakeTrial(2);
  infinite.params[1] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(storage_->Commit(Write(id, {MakeTrial(0), infinite})).code(),
            StatusCode::kInvalidArgument);
  Trial negative = MakeTrial(-1);
  EXPECT_EQ(storage_->Commit(Write(id, {negative})).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(storage_->Commit(Write(id + 1000, {MakeTrial(0)},
                              "{\"v\":3}"))
                .code(),
            StatusCode::kNotFound);

  ExpectSameStudy(Load(id), before);
  StatusOr<std::vector<StoredStudy>> all = storage_->LoadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

TEST_P(StorageConformanceTest, EveryTrialFieldRoundTrips) {
  int64_t id = Create("fields");
  Trial full = MakeTrial(7);
  full.state = TrialState::kCompleted;
  full.params = {0.1, 1e-300, -0.0, 0.0, 1.7976931348623157e308, -1.7976931348623157e308, 4.9406564584124654e-324,
                 2.2250738585072014e-308, 9007199254740993.0, 1.0 / 3.0, -123456789.125};
  full.fidelity = 0.1;
  full.values = {{"accuracy", 0.1}, {"latency_ms", -0.0}, {"größe", 1e-300}, {"精度", 1.7976931348623157e308}};
  full.noise = {{"accuracy", 4.9406564584124654e-324}, {"größe", 0.2}};
  full.cost = 3.2;
  full.feasible = false;
  full.worker = "node-7 🚀 «ü» \"quoted\" \\ back'slash";
  full.fail_reason = std::string("line1\nline2\ttab with a NUL:") + '\0' + " after";
  full.external = true;
  full.created_at_ms = -1;
  full.updated_at_ms = std::numeric_limits<int64_t>::max();
  full.completed_at_ms = std::numeric_limits<int64_t>::min();
  full.diagnostics_json = R"({"fit":{"jitter":1e-300,"note":"π ≈ 3.14"}})";

  Trial minimal;  // every optional unset, every container empty
  minimal.number = 0;
  minimal.params = {};
  minimal.diagnostics_json = "";

  Trial failed = MakeTrial(3);
  failed.state = TrialState::kFailed;
  failed.feasible = true;
  failed.fail_reason = "OOM";
  Trial abandoned = MakeTrial(4);
  abandoned.state = TrialState::kAbandoned;
  abandoned.fidelity = 50;
  abandoned.cost = 0.0;

  ASSERT_TRUE(storage_->Commit(Write(id, {full, minimal, failed, abandoned})).ok());
  StoredStudy loaded = Load(id);
  ASSERT_EQ(loaded.trials.size(), 4u);
  ExpectSameTrial(loaded.trials[0], minimal);
  ExpectSameTrial(loaded.trials[1], failed);
  ExpectSameTrial(loaded.trials[2], abandoned);
  ExpectSameTrial(loaded.trials[3], full);
  EXPECT_TRUE(std::signbit(loaded.trials[3].params[2]));

  StatusOr<std::vector<StoredStudy>> all = storage_->LoadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  ExpectSameStudy((*all)[0], loaded);
}

TEST_P(StorageConformanceTest, UnicodeStudyFieldsRoundTrip) {
  StoredStudy study = MakeStudy("étude-Ω-研究");
  study.config_json = R"({"name":"étude-Ω-研究","note":"🚀"})";
  study.strategy_state_json = R"({"particles":[[0.1,-0.0]],"label":"ü"})";
  ASSERT_TRUE(storage_->CreateStudy(&study).ok());
  ExpectSameStudy(Load(study.id), study);
}

TEST_P(StorageConformanceTest, LoadAllOrdersStudiesByIdAndTrialsByNumber) {
  std::vector<int64_t> ids = {Create("c"), Create("a"), Create("b")};
  ASSERT_TRUE(storage_->Commit(Write(ids[1], {MakeTrial(5), MakeTrial(1)})).ok());
  ASSERT_TRUE(storage_->Commit(Write(ids[1], {MakeTrial(3), MakeTrial(0)})).ok());
  ASSERT_TRUE(storage_->Commit(Write(ids[0], {MakeTrial(10), MakeTrial(2)})).ok());
  StatusOr<std::vector<StoredStudy>> all = storage_->LoadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ((*all)[i].id, ids[i]);
  auto numbers = [](const StoredStudy& s) {
    std::vector<int64_t> out;
    for (const Trial& t : s.trials) out.push_back(t.number);
    return out;
  };
  EXPECT_EQ(numbers((*all)[0]), (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(numbers((*all)[1]), (std::vector<int64_t>{0, 1, 3, 5}));
  EXPECT_TRUE((*all)[2].trials.empty());
  EXPECT_EQ(numbers(Load(ids[1])), (std::vector<int64_t>{0, 1, 3, 5}));
}

TEST_P(StorageConformanceTest, ConcurrentCommittersAllLand) {
  constexpr int kThreads = 16;
  constexpr int kCommitsPerThread = 200;
  int64_t id = Create("busy");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommitsPerThread; ++i) {
        Trial trial = MakeTrial(int64_t{t} * kCommitsPerThread + i);
        trial.worker = "thread-" + std::to_string(t);
        StudyWrite write = Write(id, {trial},
                         "{\"last\":" + std::to_string(trial.number) + "}");
        if (!storage_->Commit(write).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  StoredStudy loaded = Load(id);
  ASSERT_EQ(loaded.trials.size(), size_t{kThreads * kCommitsPerThread});
  std::set<int64_t> numbers;
  for (const Trial& t : loaded.trials) {
    numbers.insert(t.number);
    EXPECT_EQ(t.worker, "thread-" + std::to_string(t.number / kCommitsPerThread));
  }
  EXPECT_EQ(numbers.size(), size_t{kThreads * kCommitsPerThread});
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), kThreads * kCommitsPerThread - 1);
}

TEST_P(StorageConformanceTest, FailingCommitsDoNotDisturbConcurrentOnes) {
  constexpr int kThreads = 8;
  constexpr int kCommitsPerThread = 50;
  int64_t id = Create("mixed");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommitsPerThread; ++i) {
        bool good = (t + i) % 2 == 0;
        int64_t number = int64_t{t} * kCommitsPerThread + i;
        Status status = storage_->Commit(Write(good ? id : id + 999, {MakeTrial(number)}));
        if (status.code() != (good ? StatusCode::kOk : StatusCode::kNotFound)) wrong.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    StoredStudy extra = MakeStudy("extra-" + std::to_string(i % 5));  // 15 of these are duplicates
    Status status = storage_->CreateStudy(&extra);
    if (status.code() != (i < 5 ? StatusCode::kOk : StatusCode::kAlreadyExists)) wrong.fetch_add(1);
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(Load(id).trials.size(), size_t{kThreads * kCommitsPerThread / 2});
  StatusOr<std::vector<StoredStudy>> all = storage_->LoadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 6u);
}

TEST_P(StorageConformanceTest, ReadersSeeWholeCommitsWhileWritersWrite) {
  int64_t id = Create("snap");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int64_t n = 0; n < 300; n += 2) {
      // Each commit adds a pair and records the count in the strategy state: readers must never see half of it.
      StudyWrite write = Write(id, {MakeTrial(n), MakeTrial(n + 1)},
                       "{\"count\":" + std::to_string(n + 2) + "}");
      EXPECT_TRUE(storage_->Commit(write).ok());
    }
    stop.store(true);
  });
  int reads = 0;
  int torn = 0;
  while (!stop.load() || reads == 0) {
    StoredStudy s = Load(id);
    std::string expected =
        s.trials.empty() ? std::string("{}") : "{\"count\":" + std::to_string(s.trials.size()) + "}";
    if (s.trials.size() % 2 != 0 || s.strategy_state_json != expected) ++torn;
    ++reads;
  }
  writer.join();
  EXPECT_EQ(torn, 0) << "of " << reads << " reads";
}

TEST_P(StorageConformanceTest, CloseIsIdempotentAndLaterCallsAreUnavailable) {
  int64_t id = Create("s");
  storage_->Close();
  storage_->Close();
  StoredStudy study = MakeStudy("late");
  EXPECT_EQ(storage_->CreateStudy(&study).code(), StatusCode::kUnavailable);
  EXPECT_EQ(storage_->Commit(Write(id)).code(), StatusCode::kUnavailable);
  EXPECT_EQ(storage_->DeleteStudy(id).code(), StatusCode::kUnavailable);
  EXPECT_EQ(storage_->LoadAll().status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(storage_->LoadStudy(id).status().code(), StatusCode::kUnavailable);
}

// CommitAsync: writes land in the order they were queued, whichever thread queued them. Every write replaces
// trial 0 and the strategy state with its own sequence number and adds a trial of its own; the stored study must
// show the last write queued, and every write must have landed.
TEST_P(StorageConformanceTest, AsyncCommitsLandInTheOrderTheyWereQueued) {
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 100;
  int64_t id = Create("ordered");
  std::mutex order_mu;  // makes "queued" a total order the test knows: the sequence number is taken with the call
  int64_t sequence = 0;
  std::vector<std::future<Status>> futures[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        std::lock_guard<std::mutex> lock(order_mu);
        const int64_t n = ++sequence;
        Trial first = MakeTrial(0);
        first.values = {{"y", static_cast<double>(n)}};
        futures[t].push_back(
            storage_->CommitAsync(Write(id, {first, MakeTrial(n)}, "{\"seq\":" + std::to_string(n) + "}")));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (auto& per_thread : futures) {
    for (std::future<Status>& f : per_thread) {
      Status status = f.get();
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
  }
  StoredStudy stored = Load(id);
  const int64_t last = int64_t{kThreads} * kWritesPerThread;
  EXPECT_EQ(stored.strategy_state_json, "{\"seq\":" + std::to_string(last) + "}");
  ASSERT_EQ(stored.trials.size(), static_cast<size_t>(last + 1));
  EXPECT_EQ(stored.trials[0].values.at("y"), static_cast<double>(last));
}

// A write queued after another of the same study may build on it: a Resync queued after writes whose futures
// nobody waited for yet sees all of them.
TEST_P(StorageConformanceTest, ResyncSeesEveryWriteQueuedBeforeIt) {
  int64_t id = Create("chain");
  int64_t other = Create("other");
  std::vector<std::future<Status>> futures;
  for (int64_t n = 0; n < 50; ++n) {
    futures.push_back(storage_->CommitAsync(Write(id, {MakeTrial(n)}, "{\"n\":" + std::to_string(n) + "}")));
    futures.push_back(storage_->CommitAsync(Write(other, {MakeTrial(n)})));
  }
  StatusOr<StoredStudy> resynced = storage_->Resync(id);
  ASSERT_TRUE(resynced.ok()) << resynced.status().ToString();
  EXPECT_EQ(resynced->trials.size(), 50u);
  EXPECT_EQ(resynced->strategy_state_json, "{\"n\":49}");
  EXPECT_EQ(resynced->name, "chain");
  for (std::future<Status>& f : futures) EXPECT_TRUE(f.get().ok());
  ExpectSameStudy(*resynced, Load(id));
  EXPECT_EQ(storage_->Resync(id + 1000).status().code(), StatusCode::kNotFound);
}

// Input the shared checks refuse fails at once, before anything is queued, and does not mark the study: the next
// write of the study lands.
TEST_P(StorageConformanceTest, AsyncInvalidInputFailsAtOnceAndDoesNotMarkTheStudy) {
  int64_t id = Create("s");
  Trial bad = MakeTrial(1);
  bad.values = {{"y", std::numeric_limits<double>::quiet_NaN()}};
  std::future<Status> refused = storage_->CommitAsync(Write(id, {MakeTrial(0), bad}));
  ASSERT_EQ(refused.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_EQ(refused.get().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(storage_->CommitAsync(Write(id + 1000, {MakeTrial(0)})).get().code(), StatusCode::kNotFound);
  EXPECT_TRUE(storage_->CommitAsync(Write(id, {MakeTrial(2)})).get().ok());
  StoredStudy stored = Load(id);
  ASSERT_EQ(stored.trials.size(), 1u);
  EXPECT_EQ(stored.trials[0].number, 2);
}

// Close answers every queued write (each future gets a value: OK and durable, or kUnavailable); after Close,
// CommitAsync and Resync answer kUnavailable at once.
TEST_P(StorageConformanceTest, CloseAnswersQueuedAsyncWrites) {
  int64_t id = Create("s");
  std::vector<std::future<Status>> futures;
  for (int64_t n = 0; n < 200; ++n) futures.push_back(storage_->CommitAsync(Write(id, {MakeTrial(n)})));
  storage_->Close();
  for (std::future<Status>& f : futures) {
    ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    Status status = f.get();
    EXPECT_TRUE(status.ok() || status.code() == StatusCode::kUnavailable) << status.ToString();
  }
  std::future<Status> late = storage_->CommitAsync(Write(id, {MakeTrial(500)}));
  ASSERT_EQ(late.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_EQ(late.get().code(), StatusCode::kUnavailable);
  EXPECT_EQ(storage_->Resync(id).status().code(), StatusCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, StorageConformanceTest, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

}  // namespace
}  // namespace bayesd
