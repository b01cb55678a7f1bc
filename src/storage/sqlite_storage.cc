#include "src/storage/sqlite_storage.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

#include "src/storage/file_lock.h"
#include "src/storage/sqlite_db.h"
#include "src/storage/sqlite_rows.h"
#include "src/storage/sqlite_schema.h"
#include "src/storage/storage_checks.h"

namespace bayesd {

using storage_internal::SqliteDb;

namespace {

Status Closed() { return Unavailable("storage is closed"); }

// Runs a request's work, turning an escaped exception (std::bad_alloc is the realistic one) into a Status: an
// exception must not end the writer thread, which would take the process with it.
Status RunGuarded(const std::function<Status(SqliteDb&)>& run, SqliteDb& db) {
  try {
    return run(db);
  } catch (const std::exception& e) {
    return Internal(std::string("storage request failed: ") + e.what());
  } catch (...) {
    return Internal("storage request failed with an unknown exception");
  }
}

// Puts a file database in WAL mode at the requested synchronous level. journal_mode answers with the mode it got;
// some filesystems cannot do WAL, and silently running in another mode would break the one-writer/many-readers
// design, so that is an error.
Status ConfigureFile(SqliteDb& db, SqliteStorageOptions::Synchronous synchronous) {
  {
    ASSIGN_OR_RETURN(storage_internal::Statement stmt, db.Prepare("PRAGMA journal_mode = WAL"));
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    std::string mode = row ? stmt.ColumnText(0) : std::string();
    if (mode != "wal") return Internal("could not switch the database to WAL mode (got '" + mode + "')");
  }
  return db.Exec(synchronous == SqliteStorageOptions::Synchronous::kFull ? "PRAGMA synchronous = FULL"
                                                                         : "PRAGMA synchronous = NORMAL",
                 "set synchronous");
}

}  // namespace

Status SqliteStorageOptions::Validate() const {
  if (path.empty()) return InvalidArgument("path must not be empty (use \":memory:\" for memory)", "path");
  if (busy_timeout_ms < 0) {
    return InvalidArgument("busy_timeout_ms must be >= 0 (got " + std::to_string(busy_timeout_ms) + ")",
                           "busy_timeout_ms");
  }
  if (max_group_size < 1) {
    return InvalidArgument("max_group_size must be >= 1 (got " + std::to_string(max_group_size) + ")",
                           "max_group_size");
  }
  if (commit_delay_us < 0 || commit_delay_us > 1'000'000) {
    return InvalidArgument(
        "commit_delay_us must be in [0, 1000000] (got " + std::to_string(commit_delay_us) + ")",
        "commit_delay_us");
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<SqliteStorage>> SqliteStorage::Open(const SqliteStorageOptions& options) {
  RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<storage_internal::FileLock> file_lock;
  if (!options.in_memory()) {
    ASSIGN_OR_RETURN(file_lock, storage_internal::FileLock::Acquire(options.path));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> writer_db, SqliteDb::Open(options.path, options.busy_timeout_ms));
  if (!options.in_memory()) RETURN_IF_ERROR(ConfigureFile(*writer_db, options.synchronous));
  RETURN_IF_ERROR(storage_internal::Migrate(*writer_db));
  std::unique_ptr<SqliteDb> reader_db;
  if (!options.in_memory()) {
    ASSIGN_OR_RETURN(reader_db, SqliteDb::Open(options.path, options.busy_timeout_ms));
    // Belt and braces for the one-writer rule: this connection cannot write even by mistake.
    RETURN_IF_ERROR(reader_db->Exec("PRAGMA query_only = ON", "make the read connection read-only"));
  }
  return std::unique_ptr<SqliteStorage>(
      new SqliteStorage(options, std::move(file_lock), std::move(writer_db), std::move(reader_db)));
}

SqliteStorage::SqliteStorage(const SqliteStorageOptions& options,
                             std::unique_ptr<storage_internal::FileLock> file_lock,
                             std::unique_ptr<SqliteDb> writer_db, std::unique_ptr<SqliteDb> reader_db)
    : options_(options),
      file_lock_(std::move(file_lock)),
      writer_db_(std::move(writer_db)),
      reader_db_(std::move(reader_db)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

SqliteStorage::~SqliteStorage() { Close(); }

int SqliteStorage::LatestSchemaVersion() { return storage_internal::LatestSchemaVersion(); }

SqliteStorageStats SqliteStorage::stats() const {
  SqliteStorageStats s;
  s.write_requests = write_requests_.load();
  s.failed_requests = failed_requests_.load();
  s.transactions = transactions_.load();
  s.largest_group = largest_group_.load();
  return s;
}

Status SqliteStorage::CreateStudy(StoredStudy* study) {
  if (study == nullptr) return InvalidArgument("CreateStudy needs a study");
  RETURN_IF_ERROR(storage_internal::CheckNewStudy(*study));
  int64_t id = 0;
  RETURN_IF_ERROR(Submit(
      [&](SqliteDb& db) -> Status {
        ASSIGN_OR_RETURN(id, storage_internal::InsertStudy(db, *study));
        return OkStatus();
      },
      /*is_write=*/true));
  study->id = id;
  return OkStatus();
}

Status SqliteStorage::DeleteStudy(int64_t study_id) {
  return Submit(
      [&](SqliteDb& db) {
        Status status = storage_internal::DeleteStudyRow(db, study_id);
        if (status.ok()) failed_studies_.erase(study_id);  // on the writer thread, like every use of the set
        return status;
      },
      /*is_write=*/true);
}

std::future<Status> SqliteStorage::CommitAsync(StudyWrite write) {
  if (Status checked = storage_internal::CheckWrite(write); !checked.ok()) {
    std::promise<Status> failed;
    failed.set_value(std::move(checked));
    return failed.get_future();
  }
  auto request = std::make_unique<Request>();
  request->study_id = write.study_id;
  request->run = [write = std::move(write)](SqliteDb& db) { return storage_internal::ApplyWrite(db, write); };
  return Enqueue(std::move(request));
}

StatusOr<StoredStudy> SqliteStorage::Resync(int64_t study_id) {
  StoredStudy study;
  auto request = std::make_unique<Request>();
  request->is_write = false;
  request->resync = true;
  request->study_id = study_id;
  request->run = [&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(study, storage_internal::LoadOneStudy(db, study_id));
    return OkStatus();
  };
  RETURN_IF_ERROR(Enqueue(std::move(request)).get());
  return study;
}

StatusOr<std::vector<StoredStudy>> SqliteStorage::LoadAll() {
  std::vector<StoredStudy> studies;
  RETURN_IF_ERROR(Read([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(studies, storage_internal::LoadAllStudies(db));
    return OkStatus();
  }));
  return studies;
}

StatusOr<StoredStudy> SqliteStorage::LoadStudy(int64_t study_id) {
  StoredStudy study;
  RETURN_IF_ERROR(Read([&](SqliteDb& db) -> Status {
    ASSIGN_OR_RETURN(study, storage_internal::LoadOneStudy(db, study_id));
    return OkStatus();
  }));
  return study;
}

void SqliteStorage::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  queue_cv_.notify_all();
  {
    // Before the writer's final checkpoint, which a reader in the middle of a read would hold up.
    std::lock_guard<std::mutex> lock(read_mu_);
    reader_db_.reset();
  }
  if (writer_.joinable()) {
    writer_.join();
    const SqliteStorageStats s = stats();
    if (s.write_requests > 0) {
      spdlog::info("event=storage_closed writes={} failed={} transactions={} writes_per_transaction={:.1f} "
                   "largest_group={}",
                   s.write_requests, s.failed_requests, s.transactions,
                   s.transactions > 0 ? static_cast<double>(s.write_requests) / static_cast<double>(s.transactions)
                                      : 0.0,
                   s.largest_group);
    }
  }
  file_lock_.reset();  // after the writer closed its connection: the next owner finds the file at rest
}

std::future<Status> SqliteStorage::Enqueue(std::unique_ptr<Request> request) {
  std::future<Status> answer = request->promise.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closing_) {
      queue_.push_back(std::move(request));
    }
  }
  if (request != nullptr) {  // not queued: closing
    request->promise.set_value(Closed());
  } else {
    queue_cv_.notify_one();
  }
  return answer;
}

Status SqliteStorage::Submit(std::function<Status(SqliteDb&)> run, bool is_write) {
  auto request = std::make_unique<Request>();
  request->run = std::move(run);
  request->is_write = is_write;
  return Enqueue(std::move(request)).get();
}

Status SqliteStorage::Read(const std::function<Status(SqliteDb&)>& run) {
  if (options_.in_memory()) return Submit(run, /*is_write=*/false);
  std::lock_guard<std::mutex> lock(read_mu_);
  if (reader_db_ == nullptr) return Closed();
  return RunGuarded(run, *reader_db_);
}

void SqliteStorage::WriterLoop() {
  for (;;) {
    std::vector<std::unique_ptr<Request>> group = NextGroup();
    if (group.empty()) break;  // closing and drained
    RunGroup(group);
    // Answer after the COMMIT (or after the single read): an OK is durable.
    for (std::unique_ptr<Request>& request : group) request->promise.set_value(std::move(request->status));
  }
  // Fold the WAL into the database file (and fsync it), so the file alone holds everything and the next Open
  // starts with an empty log. Failure here loses nothing: the WAL stays and is replayed at the next Open.
  if (!options_.in_memory()) (void)writer_db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint");
  writer_db_.reset();
}

std::vector<std::unique_ptr<SqliteStorage::Request>> SqliteStorage::NextGroup() {
  std::unique_lock<std::mutex> lock(mu_);
  queue_cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
  if (queue_.empty()) return {};
  if (options_.commit_delay_us > 0 && !closing_ && queue_.front()->is_write) {
    const size_t full = static_cast<size_t>(options_.max_group_size);
    queue_cv_.wait_for(lock, std::chrono::microseconds(options_.commit_delay_us),
                       [&] { return closing_ || queue_.size() >= full; });
  }
  // A group is one read (or Resync), or the longest run of consecutive writes at the front: the queue's order is
  // the order of execution, so a Resync sees exactly the writes queued before it.
  std::vector<std::unique_ptr<Request>> group;
  if (!queue_.front()->is_write) {
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
    return group;
  }
  const size_t limit = static_cast<size_t>(options_.max_group_size);
  while (!queue_.empty() && queue_.front()->is_write && group.size() < limit) {
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group;
}

void SqliteStorage::RunGroup(const std::vector<std::unique_ptr<Request>>& group) {
  if (!group.front()->is_write) {  // a read or a Resync, alone in its group, outside any transaction
    Request* request = group.front().get();
    if (request->resync) failed_studies_.erase(request->study_id);
    request->status = RunGuarded(request->run, *writer_db_);
    return;
  }
  RunWrites(group);
}

void SqliteStorage::RunWrites(const std::vector<std::unique_ptr<Request>>& writes) {
  transactions_.fetch_add(1);
  write_requests_.fetch_add(static_cast<int64_t>(writes.size()));
  int64_t size = static_cast<int64_t>(writes.size());
  int64_t largest = largest_group_.load();
  while (size > largest && !largest_group_.compare_exchange_weak(largest, size)) {
  }

  Status group_status = writer_db_->RunCached("BEGIN IMMEDIATE");
  for (const std::unique_ptr<Request>& request : writes) {
    if (!group_status.ok()) break;
    if (request->study_id != 0 && failed_studies_.count(request->study_id) > 0) {
      request->status = Unavailable("an earlier write of study " + std::to_string(request->study_id) +
                                    " failed; nothing was written (the study needs a Resync)");
      continue;
    }
    RunInSavepoint(request.get());
    if (!request->status.ok() && request->study_id != 0 && request->status.code() != StatusCode::kNotFound) {
      failed_studies_.insert(request->study_id);
    }
    if (!writer_db_->InTransaction()) {
      // SQLite rolled the whole transaction back (I/O error, disk full, out of memory): earlier requests of the
      // group are gone too.
      group_status = Internal("transaction rolled back: " + request->status.message());
    }
  }
  if (group_status.ok()) group_status = writer_db_->RunCached("COMMIT");
  if (!group_status.ok()) {
    if (writer_db_->InTransaction()) (void)writer_db_->RunCached("ROLLBACK");
    for (const std::unique_ptr<Request>& request : writes) {
      if (request->status.ok()) request->status = group_status;
      if (request->study_id != 0) failed_studies_.insert(request->study_id);
    }
  }
  for (const std::unique_ptr<Request>& request : writes) {
    if (!request->status.ok()) failed_requests_.fetch_add(1);
  }
}

void SqliteStorage::RunInSavepoint(Request* request) {
  Status status = writer_db_->RunCached("SAVEPOINT request");
  if (status.ok()) status = RunGuarded(request->run, *writer_db_);
  if (status.ok()) status = writer_db_->RunCached("RELEASE request");
  if (!status.ok() && writer_db_->InTransaction()) {
    Status undo = writer_db_->RunCached("ROLLBACK TO request");
    if (undo.ok()) undo = writer_db_->RunCached("RELEASE request");
    // Without a clean rollback this request's partial work would commit with its neighbours: end the transaction.
    if (!undo.ok()) (void)writer_db_->RunCached("ROLLBACK");
  }
  request->status = std::move(status);
}

}  // namespace bayesd
