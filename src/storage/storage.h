// Durable storage of studies, trials and strategy state.
//
// The service keeps every open study in memory and writes through this interface; reads at start-up
// (LoadAll) rebuild the in-memory state. A Commit is atomic: all of its trial upserts and its strategy state land
// together or not at all, and when Commit returns OK the write survives a crash of the process (kill -9).
//
// Implementations: SqliteStorage (src/storage/sqlite_storage.h; a file, or ":memory:") and MemoryStorage
// (src/storage/memory_storage.h). Both pass the one conformance suite in
// tests/storage/storage_conformance_test.cc. OpenStorage (src/storage/open_storage.h) picks one from a URI.
//
// Thread safety: every method may be called from any thread concurrently. Implementations serialize writes
// themselves (SqliteStorage has a single writer thread that group-commits concurrent Commit calls).
//
// Asynchronous writes (CommitAsync). A caller that holds a lock while it writes (the service's per-study lock)
// should not hold it across the disk's flush: it queues the write with CommitAsync under its lock, releases the lock
// and then waits on the returned future. Queued writes are applied in the order of the CommitAsync calls, so a
// caller may build its next write on the in-memory effect of a write that is still queued. Because a later write
// may depend on an earlier one of the same study, a write that fails after it was queued marks its study as
// failed: every write of that study queued after it fails too (kUnavailable, nothing applied), until Resync(study)
// has run. Resync is queued like a write, so it returns the study exactly as stored after everything queued before
// it, which is what a caller reloads its in-memory copy from.
//
// Common to every implementation (checked by the conformance suite):
// - Every double in a trial must be finite and trial numbers >= 0; otherwise CreateStudy/Commit fail with
//   kInvalidArgument and store nothing (NaN and infinity cannot be stored losslessly). Finite doubles, -0.0
//   included, come back bit for bit.
// - After Close, every method fails with kUnavailable.
#ifndef BAYESD_SRC_STORAGE_STORAGE_H_
#define BAYESD_SRC_STORAGE_STORAGE_H_

#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/common/status.h"
#include "src/study/trial.h"

namespace bayesd {

// A study as stored: its identity, canonical config JSON (see src/study/config_json.h) and strategy state.
struct StoredStudy {
  int64_t id = 0;  // assigned by storage, unique for the life of the database (never reused after delete)
  std::string name;
  std::string config_json;
  int64_t created_at_ms = 0;
  std::string strategy_state_json = "{}";  // the strategy's persisted state (opaque JSON object text)
  std::vector<Trial> trials;               // ascending by number (filled by LoadAll/LoadStudy)
};

// One atomic write for one study.
struct StudyWrite {
  int64_t study_id = 0;
  std::vector<Trial> upsert_trials;                // inserted or replaced by (study_id, number)
  std::optional<std::string> strategy_state_json;  // replaced when set
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Creates a study; fails with kAlreadyExists when the name is taken. Fills study->id.
  // Stores the given strategy_state_json and any trials the study carries (in the same atomic write).
  // kInvalidArgument for a null study or an empty name.
  virtual Status CreateStudy(StoredStudy* study) = 0;
  // Deletes a study with all its trials; kNotFound when absent.
  virtual Status DeleteStudy(int64_t study_id) = 0;
  // Applies one atomic write; kNotFound when the study does not exist. Same as CommitAsync(write).get().
  Status Commit(const StudyWrite& write) { return CommitAsync(write).get(); }
  // Queues one atomic write and returns at once; the future becomes ready with the write's outcome (OK: durable).
  // Input that fails the shared checks (storage_checks.h) and calls after Close give a ready future with the error
  // and do not mark the study. A write that fails once queued (kNotFound aside) marks its study as failed: see
  // the file comment. Writes queued by any thread are applied in the order of the calls.
  virtual std::future<Status> CommitAsync(StudyWrite write) = 0;
  // Waits for every write queued before the call, clears the study's failed mark and returns the study as stored
  // (with trials and strategy state). kNotFound when absent.
  virtual StatusOr<StoredStudy> Resync(int64_t study_id) = 0;
  // Every study with its trials and strategy state, ascending by id.
  virtual StatusOr<std::vector<StoredStudy>> LoadAll() = 0;
  // One study with trials; kNotFound when absent.
  virtual StatusOr<StoredStudy> LoadStudy(int64_t study_id) = 0;
  // Blocks until everything committed so far is durable, then releases resources. Idempotent.
  virtual void Close() = 0;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STORAGE_STORAGE_H_
