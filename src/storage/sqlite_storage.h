// SqliteStorage: the Storage contract (storage.h) on one SQLite database file, or on a private in-memory database.
//
// One writer. A dedicated writer thread owns the write connection. CreateStudy, DeleteStudy and Commit queue a
// request and block until the writer reports it; CommitAsync queues it and returns a future. The writer takes the
// writes queued (up to max_group_size), runs them in ONE transaction with a SAVEPOINT per request and commits once,
// so concurrent callers share one fsync (group commit). A request that fails is rolled back to its savepoint and
// fails alone; its neighbours still commit, except later writes of the same study, which fail as described in
// storage.h (the writer keeps the set of failed studies; Resync is a queued request that clears the mark). A caller
// is answered only after the COMMIT of its group, so an OK means durable (see SqliteStorageOptions). The queue is
// FIFO and a group is a run of consecutive writes, so writes commit in the order they were queued.
//
// Reads. On a file, LoadAll and LoadStudy use a second, read-only-in-practice connection (WAL lets it read while the
// writer writes), serialized by a mutex and wrapped in a read transaction so each call sees one snapshot. An
// in-memory database has a single connection, so there reads are queued to the writer thread like writes (and run
// between groups, never seeing a group's uncommitted work).
//
// Errors: a taken name -> kAlreadyExists; a missing study -> kNotFound; invalid input (storage_checks.h) ->
// kInvalidArgument; the database locked by another process beyond busy_timeout -> kUnavailable; after Close ->
// kUnavailable; anything else -> kInternal with SQLite's message. Nothing throws, nothing aborts.
//
// Thread safety: every public method may be called from any thread concurrently.
#ifndef BAYESD_SRC_STORAGE_SQLITE_STORAGE_H_
#define BAYESD_SRC_STORAGE_SQLITE_STORAGE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/common/status.h"
#include "src/storage/storage.h"

namespace bayesd {

namespace storage_internal {
class FileLock;
class SqliteDb;
}  // namespace storage_internal

struct SqliteStorageOptions {
  // How much an acknowledged write survives. Files only; ignored for ":memory:".
  enum class Synchronous {
    kFull,    // fsync at every group commit: survives power loss and OS crashes
    kNormal,  // WAL without fsync at commit: survives a crash of the process (kill -9), not of the machine
  };

  // Database file, created (with its schema) when absent; ":memory:" for a private in-memory database.
  std::string path = ":memory:";
  Synchronous synchronous = Synchronous::kFull;
  // How long a statement waits for a lock held by another process (a backup, an sqlite3 shell) before failing
  // with kUnavailable. Milliseconds, >= 0.
  int busy_timeout_ms = 5000;
  // Most requests the writer puts in one transaction. >= 1.
  int max_group_size = 1024;
  // How long the writer waits after waking for more requests to join the group (PostgreSQL's commit_delay).
  // 0 (the default) commits as soon as the writer is free; group commit still happens because requests queue up
  // while the previous group is being fsynced. Microseconds, 0 to 1'000'000.
  int commit_delay_us = 0;

  // kInvalidArgument naming the field, its value and the rule when an option is out of range.
  Status Validate() const;
  bool in_memory() const { return path == ":memory:"; }
};

// Counters of the writer's work since Open, for tests, metrics and benchmarks.
struct SqliteStorageStats {
  int64_t write_requests = 0;   // CreateStudy/DeleteStudy/Commit calls the writer ran
  int64_t failed_requests = 0;  // of those, the ones answered with an error
  int64_t transactions = 0;     // group transactions begun (each ends in one COMMIT or ROLLBACK)
  int64_t largest_group = 0;    // most write requests in one transaction
};

class SqliteStorage final : public Storage {
 public:
  // Opens or creates the database, applies pending schema migrations (in one transaction) and starts the writer.
  // A file is locked against a second open storage (see file_lock.h) until Close.
  // kFailedPrecondition when the file's schema is newer than this binary or the file is already open;
  // kInvalidArgument for bad options.
  static StatusOr<std::unique_ptr<SqliteStorage>> Open(const SqliteStorageOptions& options);

  ~SqliteStorage() override;  // Close()
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;

  Status CreateStudy(StoredStudy* study) override;
  Status DeleteStudy(int64_t study_id) override;
  std::future<Status> CommitAsync(StudyWrite write) override;
  StatusOr<StoredStudy> Resync(int64_t study_id) override;
  StatusOr<std::vector<StoredStudy>> LoadAll() override;
  StatusOr<StoredStudy> LoadStudy(int64_t study_id) override;
  // Answers every request already queued, checkpoints the WAL into the database file, closes both connections and
  // stops the writer. Later calls of any method fail with kUnavailable. Idempotent.
  void Close() override;

  SqliteStorageStats stats() const;
  // The schema version this binary writes (the number of migrations it knows).
  static int LatestSchemaVersion();

 private:
  // Work for the writer thread. `run` executes on the write connection; for a write it runs inside the request's
  // savepoint. The writer answers through `promise` after the group's COMMIT.
  struct Request {
    std::function<Status(storage_internal::SqliteDb&)> run;
    bool is_write = true;
    int64_t study_id = 0;  // writes of one study (0: none): the failed-study mark applies
    bool resync = false;   // clears the failed mark of study_id before `run`
    Status status;
    std::promise<Status> promise;
  };

  SqliteStorage(const SqliteStorageOptions& options, std::unique_ptr<storage_internal::FileLock> file_lock,
                std::unique_ptr<storage_internal::SqliteDb> writer_db,
                std::unique_ptr<storage_internal::SqliteDb> reader_db);

  // Queues a request; the future is ready when the writer has answered it (at once, kUnavailable, after Close).
  std::future<Status> Enqueue(std::unique_ptr<Request> request);
  // Queues `run` and blocks until the writer has answered it.
  Status Submit(std::function<Status(storage_internal::SqliteDb&)> run, bool is_write);
  // Runs a read on the read connection (files) or through the writer (in memory).
  Status Read(const std::function<Status(storage_internal::SqliteDb&)>& run);

  // Writer thread.
  void WriterLoop();
  std::vector<std::unique_ptr<Request>> NextGroup();
  void RunGroup(const std::vector<std::unique_ptr<Request>>& group);
  void RunWrites(const std::vector<std::unique_ptr<Request>>& writes);
  void RunInSavepoint(Request* request);

  const SqliteStorageOptions options_;
  std::unique_ptr<storage_internal::FileLock> file_lock_;  // files only; released by Close

  // Guards the queue; queue_cv_ wakes the writer.
  std::mutex mu_;
  std::condition_variable queue_cv_;
  std::deque<std::unique_ptr<Request>> queue_;
  bool closing_ = false;  // no new requests; the writer exits once queue_ is empty

  std::set<int64_t> failed_studies_;  // writer thread only: studies whose writes fail until Resync

  // Owned by the writer thread from construction until it exits (then destroyed by it).
  std::unique_ptr<storage_internal::SqliteDb> writer_db_;
  std::thread writer_;

  std::mutex read_mu_;                                     // guards reader_db_
  std::unique_ptr<storage_internal::SqliteDb> reader_db_;  // null in memory and after Close

  std::mutex close_mu_;  // serializes Close calls

  std::atomic<int64_t> write_requests_{0};
  std::atomic<int64_t> failed_requests_{0};
  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> largest_group_{0};
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STORAGE_SQLITE_STORAGE_H_
