// SQLite-only behaviour of SqliteStorage: reopening, schema migrations, refusing newer schemas, durability against
// kill -9, group commit, options and the OpenStorage factory. The shared contract is in
// storage_conformance_test.cc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/storage/memory_storage.h"
#include "src/storage/open_storage.h"
#include "src/storage/sqlite_storage.h"
#include "tests/storage/storage_test_util.h"

namespace bayesd {
namespace {

using testing_storage::ExpectSameStudy;
using testing_storage::MakeStudy;
using testing_storage::MakeTrial;
using testing_storage::TempDir;
using testing_storage::Write;

std::unique_ptr<SqliteStorage> OpenOrDie(const SqliteStorageOptions& options) {
  StatusOr<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::Open(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

std::unique_ptr<SqliteStorage> OpenFile(const std::string& path) {
  SqliteStorageOptions options;
  options.path = path;
  return OpenOrDie(options);
}

// Runs one SQL statement on the file with a connection of the test's own, returning the first column of the
// first row as text ("" when there is none).
std::string RawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    EXPECT_TRUE(rc == SQLITE_ROW || rc == SQLITE_DONE) << sqlite3_errmsg(db);
  } else {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(SqliteStorageTest, ReopenRestoresEverything) {
  TempDir dir;
  std::string path = dir.File("reopen.db");
  std::vector<StoredStudy> expected;
  {
    std::unique_ptr<SqliteStorage> storage = OpenFile(path);
    ASSERT_NE(storage, nullptr);
    for (const char* name : {"alpha", "beta", "gamma"}) {
      StoredStudy study = MakeStudy(name);
      ASSERT_TRUE(storage->CreateStudy(&study).ok());
      Trial done = MakeTrial(1);
      done.state = TrialState::kCompleted;
      done.values = {{"y", 0.1}, {"c", -0.0}};
      done.noise = {{"y", 1e-300}};
      done.fidelity = 1.7976931348623157e308;
      done.cost = 2.5;
      done.feasible = true;
      done.completed_at_ms = 99;
      study.trials = {MakeTrial(0), done};
      study.strategy_state_json = std::string(R"({"of":")") + name + "\"}";
      ASSERT_TRUE(storage->Commit(Write(study.id, study.trials,
                                   study.strategy_state_json))
                      .ok());
      expected.push_back(study);
    }
    ASSERT_TRUE(storage->DeleteStudy(expected[1].id).ok());
    expected.erase(expected.begin() + 1);
  }  // the destructor closes
  std::unique_ptr<SqliteStorage> storage = OpenFile(path);
  ASSERT_NE(storage, nullptr);
  StatusOr<std::vector<StoredStudy>> all = storage->LoadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) ExpectSameStudy((*all)[i], expected[i]);
  // Ids are not reused across a reopen either.
  StoredStudy next = MakeStudy("delta");
  ASSERT_TRUE(storage->CreateStudy(&next).ok());
  EXPECT_GT(next.id, expected.back().id);
}

TEST(SqliteStorageTest, CloseCheckpointsTheWal) {
  TempDir dir;
  std::string path = dir.File("wal.db");
  std::unique_ptr<SqliteStorage> storage = OpenFile(path);
  ASSERT_NE(storage, nullptr);
  StoredStudy study = MakeStudy("s");
  ASSERT_TRUE(storage->CreateStudy(&study).ok());
  EXPECT_EQ(RawQuery(path, "PRAGMA journal_mode"), "wal");
  storage->Close();
  std::error_code ec;
  auto wal_size = std::filesystem::file_size(path + "-wal", ec);
  EXPECT_TRUE(ec || wal_size == 0) << "WAL still holds " << wal_size << " bytes after Close";
}

TEST(SqliteStorageTest, MigrationsRunOnAFreshFileAndAreIdempotent) {
  TempDir dir;
  std::string path = dir.File("schema.db");
  ASSERT_GE(SqliteStorage::LatestSchemaVersion(), 1);
  std::string latest = std::to_string(SqliteStorage::LatestSchemaVersion());
  for (int open = 0; open < 3; ++open) {
    std::unique_ptr<SqliteStorage> storage = OpenFile(path);
    ASSERT_NE(storage, nullptr);
    if (open == 0) {
      StoredStudy study = MakeStudy("kept");
      ASSERT_TRUE(storage->CreateStudy(&study).ok());
    }
    storage->Close();
    EXPECT_EQ(RawQuery(path, "SELECT version FROM schema_version"), latest);
    EXPECT_EQ(RawQuery(path, "SELECT COUNT(*) FROM schema_version"), "1");
    EXPECT_EQ(RawQuery(path, "SELECT name FROM studies"), "kept");
    EXPECT_EQ(RawQuery(path, "PRAGMA integrity_check"), "ok");
  }
}

TEST(SqliteStorageTest, NewerSchemaIsRefused) {
  TempDir dir;
  std::string path = dir.File("future.db");
  OpenFile(path).reset();
  int future = SqliteStorage::LatestSchemaVersion() + 1;
  RawQuery(path, "UPDATE schema_version SET version = " + std::to_string(future));

  SqliteStorageOptions options;
  options.path = path;
  StatusOr<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find(std::to_string(future)), std::string::npos)
      << opened.status().message();
  EXPECT_EQ(RawQuery(path, "SELECT version FROM schema_version"), std::to_string(future));
}

TEST(SqliteStorageTest, AFileIsOpenInOneStorageAtATime) {
  TempDir dir;
  std::string path = dir.File("owned.db");
  std::unique_ptr<SqliteStorage> first = OpenFile(path);
  ASSERT_NE(first, nullptr);
  SqliteStorageOptions options;
  options.path = path;
  StatusOr<std::unique_ptr<SqliteStorage>> second = SqliteStorage::Open(options);
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition) << second.status().ToString();
  first->Close();
  EXPECT_TRUE(SqliteStorage::Open(options).ok());
}

TEST(SqliteStorageTest, NotADatabaseIsAnErrorNotACrash) {
  TempDir dir;
  std::string path = dir.File("garbage.db");
  {
    FILE* f = fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string junk(8192, 'x');
    fwrite(junk.data(), 1, junk.size(), f);
    fclose(f);
  }
  SqliteStorageOptions options;
  options.path = path;
  EXPECT_EQ(SqliteStorage::Open(options).status().code(), StatusCode::kInternal);
  options.path = dir.File("no/such/dir/x.db");
  EXPECT_FALSE(SqliteStorage::Open(options).ok());
}

TEST(SqliteStorageTest, OptionsValidateNamesTheField) {
  EXPECT_TRUE(SqliteStorageOptions().Validate().ok());
  auto field_of = [](void (*edit)(SqliteStorageOptions&)) {
    SqliteStorageOptions options;
    edit(options);
    return options.Validate().field();
  };
  EXPECT_EQ(field_of([](SqliteStorageOptions& o) { o.path = ""; }), "path");
  EXPECT_EQ(field_of([](SqliteStorageOptions& o) { o.busy_timeout_ms = -1; }), "busy_timeout_ms");
  EXPECT_EQ(field_of([](SqliteStorageOptions& o) { o.max_group_size = 0; }), "max_group_size");
  EXPECT_EQ(field_of([](SqliteStorageOptions& o) { o.commit_delay_us = -5; }), "commit_delay_us");
  EXPECT_EQ(field_of([](SqliteStorageOptions& o) { o.commit_delay_us = 2'000'000; }), "commit_delay_us");
  SqliteStorageOptions bad;
  bad.max_group_size = 0;
  Status status = bad.Validate();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("got 0"), std::string::npos) << status.message();
  EXPECT_EQ(SqliteStorage::Open(bad).status().code(), StatusCode::kInvalidArgument);
}

// Concurrent committers share transactions. Without a commit delay the grouping comes from requests queueing up
// while the previous group's fsync runs (synchronous = FULL on a file), so only "fewer transactions than commits"
// is asserted.
TEST(SqliteStorageTest, GroupCommitSharesTransactions) {
  TempDir dir;
  std::unique_ptr<SqliteStorage> storage = OpenFile(dir.File("group.db"));
  ASSERT_NE(storage, nullptr);
  StoredStudy study = MakeStudy("g");
  ASSERT_TRUE(storage->CreateStudy(&study).ok());
  SqliteStorageStats before = storage->stats();
  constexpr int kThreads = 16;
  constexpr int kCommits = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommits; ++i) {
        EXPECT_TRUE(storage->Commit(Write(study.id, {MakeTrial(t * kCommits + i)})).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  SqliteStorageStats after = storage->stats();
  int64_t requests = after.write_requests - before.write_requests;
  int64_t transactions = after.transactions - before.transactions;
  EXPECT_EQ(requests, kThreads * kCommits);
  EXPECT_LT(transactions, requests);
  EXPECT_GT(after.largest_group, 1);
  EXPECT_EQ(after.failed_requests, 0);
  std::printf("group commit: %lld commits in %lld transactions (largest group %lld)\n",
              static_cast<long long>(requests), static_cast<long long>(transactions),
              static_cast<long long>(after.largest_group));
}

// With a commit delay and a group size of 2, two concurrent requests land in one transaction deterministically
// (the writer waits until the second arrives). One fails: it must fail alone.
TEST(SqliteStorageTest, FailingRequestFailsAloneInsideItsGroup) {
  for (const char* path : {":memory:", "file"}) {
    SCOPED_TRACE(path);
    TempDir dir;
    SqliteStorageOptions options;
    options.path = std::string(path) == "file" ? dir.File("alone.db") : path;
    options.max_group_size = 2;
    options.commit_delay_us = 500'000;
    std::unique_ptr<SqliteStorage> storage = OpenOrDie(options);
    ASSERT_NE(storage, nullptr);
    StoredStudy study = MakeStudy("s");
    ASSERT_TRUE(storage->CreateStudy(&study).ok());  // waits out the delay once: alone in the queue

    SqliteStorageStats before = storage->stats();
    Status good;
    Status bad;
    std::thread a([&] { good = storage->Commit(Write(study.id, {MakeTrial(0)})); });
    std::thread b([&] { bad = storage->Commit(Write(study.id + 1, {MakeTrial(1)})); });
    a.join();
    b.join();
    SqliteStorageStats after = storage->stats();
    EXPECT_TRUE(good.ok()) << good.ToString();
    EXPECT_EQ(bad.code(), StatusCode::kNotFound);
    EXPECT_EQ(after.transactions - before.transactions, 1);
    EXPECT_EQ(after.failed_requests - before.failed_requests, 1);
    StatusOr<StoredStudy> loaded = storage->LoadStudy(study.id);
    ASSERT_TRUE(loaded.ok());
    ASSERT_EQ(loaded->trials.size(), 1u);
    EXPECT_EQ(loaded->trials[0].number, 0);
  }
}

// A write that fails in the writer (here: a trigger, added by another connection, refuses trial 5 of one study)
// marks its study: the writes of that study queued after it fail without being applied, other studies are not
// disturbed, and Resync clears the mark and returns what is stored.
TEST(SqliteStorageTest, AFailedAsyncWriteFailsTheStudysLaterWritesUntilResync) {
  TempDir dir;
  const std::string path = dir.File("fail.db");
  for (bool grouped : {false, true}) {
    SCOPED_TRACE(grouped ? "writes in one group" : "writes in separate groups");
    std::filesystem::remove(path);
    SqliteStorageOptions options;
    options.path = path;
    if (grouped) options.commit_delay_us = 200'000;  // the writer waits for all five writes: one transaction
    std::unique_ptr<SqliteStorage> storage = OpenOrDie(options);
    ASSERT_NE(storage, nullptr);
    StoredStudy study = MakeStudy("s");
    StoredStudy other = MakeStudy("other");
    ASSERT_TRUE(storage->CreateStudy(&study).ok());
    ASSERT_TRUE(storage->CreateStudy(&other).ok());
    RawQuery(path, "CREATE TRIGGER refuse_five BEFORE INSERT ON trials WHEN NEW.study_id = " +
                       std::to_string(study.id) + " AND NEW.number = 5 BEGIN SELECT RAISE(ABORT, 'injected'); END");
    SqliteStorageStats before = storage->stats();
    std::future<Status> four = storage->CommitAsync(Write(study.id, {MakeTrial(4)}, "{\"n\":4}"));
    std::future<Status> five = storage->CommitAsync(Write(study.id, {MakeTrial(5)}, "{\"n\":5}"));
    std::future<Status> other_write = storage->CommitAsync(Write(other.id, {MakeTrial(0)}));
    std::future<Status> six = storage->CommitAsync(Write(study.id, {MakeTrial(6)}, "{\"n\":6}"));
    std::future<Status> state_only = storage->CommitAsync(Write(study.id, {}, "{\"n\":7}"));
    EXPECT_TRUE(four.get().ok());
    Status failed = five.get();
    EXPECT_EQ(failed.code(), StatusCode::kInternal) << failed.ToString();
    EXPECT_NE(failed.message().find("injected"), std::string::npos) << failed.ToString();
    EXPECT_TRUE(other_write.get().ok());
    EXPECT_EQ(six.get().code(), StatusCode::kUnavailable);
    EXPECT_EQ(state_only.get().code(), StatusCode::kUnavailable);
    if (grouped) {
      EXPECT_EQ(storage->stats().transactions - before.transactions, 1);
    }

    StatusOr<StoredStudy> resynced = storage->Resync(study.id);
    ASSERT_TRUE(resynced.ok()) << resynced.status().ToString();
    ASSERT_EQ(resynced->trials.size(), 1u);
    EXPECT_EQ(resynced->trials[0].number, 4);
    EXPECT_EQ(resynced->strategy_state_json, "{\"n\":4}");
    // Cleared: the next write lands (trial 6 is not refused by the trigger).
    EXPECT_TRUE(storage->CommitAsync(Write(study.id, {MakeTrial(6)})).get().ok());
    StatusOr<StoredStudy> loaded = storage->LoadStudy(study.id);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded->trials.size(), 2u);
    StatusOr<StoredStudy> other_loaded = storage->LoadStudy(other.id);
    ASSERT_TRUE(other_loaded.ok());
    EXPECT_EQ(other_loaded->trials.size(), 1u);
    // Deleting a marked study clears its mark too (nothing is left to diverge from).
    EXPECT_EQ(storage->CommitAsync(Write(study.id, {MakeTrial(5)})).get().code(), StatusCode::kInternal);
    EXPECT_TRUE(storage->DeleteStudy(study.id).ok());
    storage->Close();
  }
}

TEST(SqliteStorageTest, ConcurrentCloseAnswersEveryone) {
  std::unique_ptr<SqliteStorage> storage = OpenOrDie(SqliteStorageOptions());  // in memory
  ASSERT_NE(storage, nullptr);
  StoredStudy study = MakeStudy("s");
  ASSERT_TRUE(storage->CreateStudy(&study).ok());
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Status status = storage->Commit(Write(study.id, {MakeTrial(t * 1000 + i)}));
        if (!status.ok() && status.code() != StatusCode::kUnavailable) unexpected.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::thread closer([&] { storage->Close(); });
  storage->Close();
  closer.join();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(unexpected.load(), 0);
}

TEST(OpenStorageTest, UrisPickTheBackend) {
  TempDir dir;
  StatusOr<std::unique_ptr<Storage>> memory = OpenStorage("memory:");
  ASSERT_TRUE(memory.ok());
  EXPECT_NE(dynamic_cast<MemoryStorage*>(memory->get()), nullptr);
  for (const char* uri : {":memory:", "sqlite::memory:"}) {
    StatusOr<std::unique_ptr<Storage>> opened = OpenStorage(uri);
    ASSERT_TRUE(opened.ok()) << uri << ": " << opened.status().ToString();
    EXPECT_NE(dynamic_cast<SqliteStorage*>(opened->get()), nullptr) << uri;
  }
  for (std::string path : {dir.File("plain.db"), dir.File("prefixed.db")}) {
    std::string uri = path.ends_with("prefixed.db") ? "sqlite:" + path : path;
    SqliteStorageOptions options;
    options.synchronous = SqliteStorageOptions::Synchronous::kNormal;
    StatusOr<std::unique_ptr<Storage>> opened = OpenStorage(uri, options);
    ASSERT_TRUE(opened.ok()) << uri << ": " << opened.status().ToString();
    EXPECT_NE(dynamic_cast<SqliteStorage*>(opened->get()), nullptr);
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
  }
  EXPECT_EQ(OpenStorage("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStorage("sqlite:").status().code(), StatusCode::kInvalidArgument);
}

// --- Durability against kill -9 -------------------------------------------------------------------------------

constexpr int kChildThreads = 4;

int WriteAck(int fd, int64_t value) {
  return ::write(fd, &value, sizeof(value)) == static_cast<ssize_t>(sizeof(value)) ? 0 : -1;
}

// The child: commits pairs of trials (2k, 2k+1) from several threads and reports each acknowledged pair's first
// number on `fd`. Never returns; stops by itself after a few seconds should the parent vanish.
[[noreturn]] void CommitUntilKilled(const std::string& path, int64_t study_id, int64_t base,
                                    SqliteStorageOptions::Synchronous synchronous, int fd) {
  SqliteStorageOptions options;
  options.path = path;
  options.synchronous = synchronous;
  StatusOr<std::unique_ptr<SqliteStorage>> opened = SqliteStorage::Open(options);
  if (!opened.ok()) _exit(2);
  SqliteStorage* storage = opened->get();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<std::thread> threads;
  for (int t = 0; t < kChildThreads; ++t) {
    threads.emplace_back([=] {
      for (int64_t i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
        int64_t first = base + t * 1'000'000 + 2 * i;
        StudyWrite write = Write(study_id, {MakeTrial(first), MakeTrial(first + 1)},
                         "{\"last\":" + std::to_string(first) + "}");
        if (!storage->Commit(write).ok()) _exit(3);
        // <= PIPE_BUF bytes: the write is atomic, the parent never reads half a number.
        if (WriteAck(fd, first) != 0) _exit(4);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  _exit(0);
}

// Reads whole int64 values from `fd` into `out` until EOF or, when `until` is set, until that moment.
void ReadAcks(int fd, std::vector<int64_t>* out, std::optional<std::chrono::steady_clock::time_point> until) {
  std::string pending;
  for (;;) {
    int timeout_ms = -1;
    if (until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*until - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      timeout_ms = static_cast<int>(left.count());
    }
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    int ready = poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: every writer is gone
    pending.append(buf, static_cast<size_t>(n));
    size_t whole = pending.size() / sizeof(int64_t) * sizeof(int64_t);
    for (size_t off = 0; off < whole; off += sizeof(int64_t)) {
      int64_t v;
      std::memcpy(&v, pending.data() + off, sizeof(v));
      out->push_back(v);
    }
    pending.erase(0, whole);
  }
}

TEST(SqliteDurabilityTest, AcknowledgedCommitsSurviveKill9) {
  TempDir dir;
  std::string path = dir.File("kill.db");
  int64_t study_id = 0;
  {
    std::unique_ptr<SqliteStorage> storage = OpenFile(path);
    ASSERT_NE(storage, nullptr);
    StoredStudy study = MakeStudy("victim");
    ASSERT_TRUE(storage->CreateStudy(&study).ok());
    study_id = study.id;
  }
  unsigned seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> kill_after_ms(30, 400);
  size_t total_acked = 0;
  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    auto synchronous = round % 2 == 0 ? SqliteStorageOptions::Synchronous::kFull
                                      : SqliteStorageOptions::Synchronous::kNormal;
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    int64_t base = int64_t{round} * 100'000'000;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      CommitUntilKilled(path, study_id, base, synchronous, fds[1]);
    }
    close(fds[1]);
    std::vector<int64_t> acked;
    ReadAcks(fds[0], &acked, std::chrono::steady_clock::now() + std::chrono::milliseconds(kill_after_ms(rng)));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ReadAcks(fds[0], &acked, std::nullopt);  // what the child wrote before it died
    close(fds[0]);
    EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "the child exited by itself with status " << (WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    total_acked += acked.size();

    EXPECT_EQ(RawQuery(path, "PRAGMA integrity_check"), "ok");
    std::unique_ptr<SqliteStorage> storage = OpenFile(path);
    ASSERT_NE(storage, nullptr);
    StatusOr<StoredStudy> loaded = storage->LoadStudy(study_id);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    std::set<int64_t> stored;
    for (const Trial& t : loaded->trials) stored.insert(t.number);
    size_t missing = 0;
    for (int64_t first : acked) missing += stored.count(first) == 0 || stored.count(first + 1) == 0;
    EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged commits";
    size_t torn = 0;  // a commit is two trials: never one without the other
    for (int64_t n : stored) torn += stored.count(n % 2 == 0 ? n + 1 : n - 1) == 0;
    EXPECT_EQ(torn, 0u);
  }
  EXPECT_GT(total_acked, 0u) << "the child never acknowledged a commit: the test proved nothing";
  std::printf("kill -9: %zu acknowledged commits over %d rounds, all present\n", total_acked, kRounds);
}

}  // namespace
}  // namespace bayesd
