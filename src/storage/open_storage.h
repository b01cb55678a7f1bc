// OpenStorage: a Storage from a URI, as given on the command line (--storage).
//
//   "memory:"                          MemoryStorage (nothing survives the process)
//   "sqlite::memory:" or ":memory:"    SqliteStorage on a private in-memory database
//   "sqlite:PATH" or "PATH"            SqliteStorage on the file PATH, created with its schema when absent
//
// Thread safety: a function; the Storage it returns is safe for concurrent use.
#ifndef BAYESD_SRC_STORAGE_OPEN_STORAGE_H_
#define BAYESD_SRC_STORAGE_OPEN_STORAGE_H_

#include <memory>
#include <string>

#include "src/common/status.h"
#include "src/storage/sqlite_storage.h"
#include "src/storage/storage.h"

namespace bayesd {

// kInvalidArgument for an empty URI; otherwise whatever SqliteStorage::Open reports.
StatusOr<std::unique_ptr<Storage>> OpenStorage(const std::string& uri);

// As above, with SQLite options other than the path (synchronous level, busy timeout...); `sqlite.path` is ignored
// and replaced by the URI's.
StatusOr<std::unique_ptr<Storage>> OpenStorage(const std::string& uri, const SqliteStorageOptions& sqlite);

}  // namespace bayesd

#endif  // BAYESD_SRC_STORAGE_OPEN_STORAGE_H_
