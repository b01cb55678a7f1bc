// MemoryStorage: the Storage contract (storage.h) held in process memory. Nothing survives the process; "durable"
// means "visible to later calls". For tests, benchmarks and throw-away daemons ("memory:" in OpenStorage).
//
// Accepts and refuses exactly what SqliteStorage does (shared checks in storage_checks.h), assigns ids the same way
// (1, 2, 3, ..., never reused) and answers kUnavailable after Close.
//
// CommitAsync applies the write before it returns (a ready future); Resync is LoadStudy. A write that passed the
// shared checks cannot fail here (kNotFound aside), so the failed-study mark of storage.h never arises.
//
// Thread safety: every method may be called from any thread concurrently; one mutex serializes them.
#ifndef BAYESD_SRC_STORAGE_MEMORY_STORAGE_H_
#define BAYESD_SRC_STORAGE_MEMORY_STORAGE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "src/storage/storage.h"

namespace bayesd {

class MemoryStorage final : public Storage {
 public:
  MemoryStorage() = default;
  MemoryStorage(const MemoryStorage&) = delete;
  MemoryStorage& operator=(const MemoryStorage&) = delete;

  Status CreateStudy(StoredStudy* study) override;
  Status DeleteStudy(int64_t study_id) override;
  std::future<Status> CommitAsync(StudyWrite write) override;
  StatusOr<StoredStudy> Resync(int64_t study_id) override { return LoadStudy(study_id); }
  StatusOr<std::vector<StoredStudy>> LoadAll() override;
  StatusOr<StoredStudy> LoadStudy(int64_t study_id) override;
  void Close() override;

 private:
  struct Entry {
    StoredStudy study;               // its `trials` stays empty; the trials live in the map below
    std::map<int64_t, Trial> trials;  // by number
  };

  static StoredStudy Snapshot(const Entry& entry);
  Status Apply(const StudyWrite& write);

  std::mutex mu_;
  std::map<int64_t, Entry> studies_;  // by id  (guarded by mu_, like everything below)
  std::map<std::string, int64_t> ids_by_name_;
  int64_t last_id_ = 0;  // the highest id ever handed out
  bool closed_ = false;
};

}  // namespace bayesd

#endif  // BAYESD_SRC_STORAGE_MEMORY_STORAGE_H_
