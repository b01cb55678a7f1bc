// FileLock: an exclusive advisory lock (flock) on "<database path>.lock", held by the SqliteStorage that owns the
// database for as long as it is open. It makes the one-writer rule hold across processes: a second bayesd on the
// same file would hand out the same trial numbers and overwrite the first one's trials. The kernel drops the lock
// when the process dies, kill -9 included, so a crash never leaves a stale lock behind.
//
// Thread safety: an immutable handle; destroy it from one thread.
#ifndef BAYESD_SRC_STORAGE_FILE_LOCK_H_
#define BAYESD_SRC_STORAGE_FILE_LOCK_H_

#include <memory>
#include <string>

#include "src/common/status.h"

namespace bayesd::storage_internal {

class FileLock {
 public:
  // kFailedPrecondition when another open storage (in this process or another) holds the lock; kInternal when the
  // lock file cannot be created.
  static StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& database_path);

  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();  // releases the lock; the lock file stays (removing it would race with the next Acquire)

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace bayesd::storage_internal

#endif  // BAYESD_SRC_STORAGE_FILE_LOCK_H_
