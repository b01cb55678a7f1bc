// Reading and writing bayesd's rows through a SqliteDb: the mapping between StoredStudy/Trial and the tables of
// src/storage/sqlite_schema.cc. Every value is bound through a cached prepared statement.
//
// The write functions expect to run inside a transaction (or savepoint) the caller owns, so a failure part-way can be
// rolled back; they do not validate input (see storage_checks.h). The read functions see whatever transaction the
// caller has open; LoadAllStudies/LoadOneStudy open a read transaction of their own when none is open, so the
// studies and the trials they return come from one snapshot.
//
// Thread safety: functions only; the caller owns the connection.
#ifndef BAYESD_SRC_STORAGE_SQLITE_ROWS_H_
#define BAYESD_SRC_STORAGE_SQLITE_ROWS_H_

#include <cstdint>
#include <vector>

#include "src/common/status.h"
#include "src/storage/sqlite_db.h"
#include "src/storage/storage.h"

namespace bayesd::storage_internal {

// Inserts the study (and any trials it carries); returns its new id. kAlreadyExists when the name is taken.
StatusOr<int64_t> InsertStudy(SqliteDb& db, const StoredStudy& study);
// kNotFound when absent. Trials go with it (ON DELETE CASCADE).
Status DeleteStudyRow(SqliteDb& db, int64_t study_id);
// kNotFound when the study does not exist.
Status ApplyWrite(SqliteDb& db, const StudyWrite& write);

StatusOr<std::vector<StoredStudy>> LoadAllStudies(SqliteDb& db);
StatusOr<StoredStudy> LoadOneStudy(SqliteDb& db, int64_t study_id);

}  // namespace bayesd::storage_internal

#endif  // BAYESD_SRC_STORAGE_SQLITE_ROWS_H_
